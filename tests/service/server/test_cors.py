"""CORS: browser pages on an allowlisted origin may call /graphql; others may not."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from service.server.app import create_app
from service.settings import Settings

ALLOWED = "http://planner.localhost:3000"
OTHER = "http://elsewhere.localhost:4000"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


@pytest.fixture(scope="module")
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    cors = dataclasses.replace(settings, cors_origins=(ALLOWED,))
    with TestClient(create_app(cors)) as test_client:
        yield test_client


def test_preflight_from_an_allowed_origin_gets_the_headers(client: TestClient) -> None:
    response = client.options("/graphql", headers={"Origin": ALLOWED, **PREFLIGHT})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in response.headers


def test_preflight_from_another_origin_is_refused(client: TestClient) -> None:
    response = client.options("/graphql", headers={"Origin": OTHER, **PREFLIGHT})
    assert response.status_code == 400
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def test_a_cross_origin_query_is_answered_with_the_origin(client: TestClient) -> None:
    query = {"query": '{ district(code: "53.02") { name } }'}
    allowed = client.post("/graphql", json=query, headers={"Origin": ALLOWED})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert allowed.json()["data"]["district"]["name"] == "Kabupaten Timor Tengah Selatan"
    other = client.post("/graphql", json=query, headers={"Origin": OTHER})
    assert "access-control-allow-origin" not in other.headers


def test_without_an_allowlist_every_cross_origin_preflight_is_refused(settings: Settings) -> None:
    app = create_app(dataclasses.replace(settings, cors_origins=()))
    response = TestClient(app).options("/graphql", headers={"Origin": ALLOWED, **PREFLIGHT})
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def test_origins_setting_is_parsed_and_checked(tmp_path: Path) -> None:
    none = tmp_path / "none.env"
    env = {"MITRA_CORS_ORIGINS": f" {ALLOWED} , https://a.example.org "}
    assert Settings.from_env(env, dotenv=none).cors_origins == (ALLOWED, "https://a.example.org")
    assert Settings.from_env({}, dotenv=none).cors_origins == ()
    for bad in ("https://a.example.org/", "a.example.org", "ftp://a.example.org"):
        with pytest.raises(ValueError, match="MITRA_CORS_ORIGINS"):
            Settings.from_env({"MITRA_CORS_ORIGINS": bad}, dotenv=none)
