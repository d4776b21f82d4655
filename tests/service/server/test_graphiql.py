"""/graphql in a browser: the GraphiQL page and every file it loads come from this service."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from service.server.app import create_app
from service.server.web.ide import ASSETS_DIR, asset_paths
from service.settings import Settings

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_page_loads_nothing_from_other_hosts(client: TestClient) -> None:
    page = client.get("/graphql", headers=HTML)
    assert page.status_code == 200 and "GraphiQL" in page.text
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', page.text)
    assert external == []
    assert len(asset_paths(page.text)) >= 5  # React, ReactDOM, GraphiQL js/css, explorer


def test_every_asset_is_served_and_matches_the_pinned_integrity_hash(client: TestClient) -> None:
    page = client.get("/graphql", headers=HTML).text
    tags = re.findall(r'(?:src|href)="/graphiql/([^"]+)"\s+integrity="sha384-([^"]+)"', page)
    assert len(tags) == len(asset_paths(page)), "every vendored file carries an integrity hash"
    for path, expected in tags:
        response = client.get(f"/graphiql/{path}")
        assert response.status_code == 200, path
        digest = base64.b64encode(hashlib.sha384(response.content).digest()).decode()
        assert digest == expected, f"{path} differs from the file Strawberry pins"


def test_every_vendored_package_keeps_its_licence() -> None:
    packages = {p.parent for p in ASSETS_DIR.rglob("*.js")}
    roots = {next(q for q in [p, *p.parents] if "@" in q.name[1:]) for p in packages}
    assert roots, "nothing vendored"
    for root in roots:
        assert (root / "LICENSE").is_file(), f"{root.name} has no LICENSE"


def test_production_serves_neither_the_page_nor_the_assets(settings: Settings) -> None:
    import dataclasses

    prod = dataclasses.replace(settings, environment="production", introspection=False)
    with TestClient(create_app(prod)) as client:
        assert client.get("/graphiql/graphiql@3.8.3/graphiql.min.js").status_code == 404
        assert "GraphiQL" not in client.get("/graphql", headers=HTML).text
