"""The README's example queries run without errors against the seeded database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from service.server.app import create_app
from service.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_queries() -> list[str]:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```graphql\n(.*?)```", text, flags=re.S)
    queries: list[str] = []
    for block in blocks:
        # numbered comments ("# 1. ...") separate the queries of one block
        parts = re.split(r"^# \d+\..*\n(?:#.*\n)*", block, flags=re.M)
        queries.extend(p.strip() for p in parts if p.strip())
    return queries


@pytest.fixture(scope="module")
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_readme_has_examples() -> None:
    assert len(readme_queries()) >= 3


@pytest.mark.parametrize("query", readme_queries())
def test_readme_query_runs(client: TestClient, query: str) -> None:
    body = client.post("/graphql", json={"query": query}).json()
    assert "errors" not in body, body.get("errors")
    assert body["data"] and all(v is not None for v in body["data"].values())
