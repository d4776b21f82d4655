"""A write that fails midway changes nothing: the partner row is already flushed when
its audit entry fails, and the whole transaction goes (issue 15, "Bad input and
faults"). In production the client sees a plain error, never the exception's text."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select
from starlette.testclient import TestClient

from service.auth import Role
from service.db.models import ApiToken, DataVersion, Partner
from service.domain.writes import partners as partner_writes
from service.server.app import create_app
from service.settings import Settings
from tests.schema.api_support import bearer, count_rows_sync, create_tokens
from tests.schema.test_auth_http import CREATE, partner_input

NAME = "Yayasan Gagal Di Tengah (test)"


@pytest.fixture
def planner(settings: Settings, engine: Engine) -> Iterator[str]:
    tokens = asyncio.run(create_tokens(settings.database_url))
    yield tokens[Role.PLANNER]
    with engine.begin() as conn:
        conn.execute(delete(ApiToken).where(ApiToken.owner.like("%-owner")))


def _state(engine: Engine, url: str) -> tuple[dict[str, int], int, int]:
    with engine.connect() as conn:
        version = conn.execute(select(DataVersion.version)).scalar_one()
        named = conn.execute(
            select(func.count()).select_from(Partner).where(Partner.name == NAME)
        ).scalar_one()
    return count_rows_sync(url), int(version), int(named)


def test_a_write_failing_after_its_row_is_flushed_changes_nothing(
    settings: Settings, engine: Engine, planner: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushed: list[int] = []

    def failing_audit(session: Any, *_args: Any, **kwargs: Any) -> None:
        flushed.append(int(kwargs["entity_id"]))  # the partner row is in the transaction
        raise RuntimeError("audit store failed: relation audit_log, psycopg said no")

    before = _state(engine, settings.database_url)
    monkeypatch.setattr(partner_writes, "_audit", failing_audit)
    production = dataclasses.replace(settings, environment="production", introspection=False)
    with TestClient(create_app(production)) as client:
        response = client.post(
            "/graphql", json={"query": CREATE, "variables": partner_input(NAME)},
            headers=bearer(planner),
        )  # fmt: skip
    body = response.json()
    assert flushed, "the failure came after the partner row was written"
    assert body["errors"][0]["message"] == "Unexpected error."
    assert body["data"] is None or body["data"]["createPartner"] is None
    text = json.dumps(body)
    assert "psycopg" not in text and "audit_log" not in text and "Traceback" not in text
    assert _state(engine, settings.database_url) == before  # rows, data version, the name
