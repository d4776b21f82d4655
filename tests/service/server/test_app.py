"""The wiring through HTTP: lifespan, /graphql, /healthz, body cap, production mode.

/readyz and database outages: tests/service/test_health.py.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from service.server.app import create_app
from service.settings import Settings

DISTRICT = (
    '{ district(code: "53.02") { name province { name } '
    "latestStuntingPrevalence { value year survey imputed } } }"
)


@pytest.fixture(scope="module")
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:  # runs the lifespan
        yield test_client


def test_lifespan_fills_app_state(client: TestClient):
    state = client.app.state  # type: ignore[attr-defined]
    assert state.session_factory is not None
    assert state.engine is not None
    assert state.recommender is not None  # the runtime recommender (service.domain.recommending)


def test_healthz(client: TestClient):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


def test_graphql_post(client: TestClient):
    response = client.post("/graphql", json={"query": DISTRICT})
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    district = body["data"]["district"]
    assert district["name"] == "Kabupaten Timor Tengah Selatan"
    assert district["province"]["name"] == "Nusa Tenggara Timur"
    assert district["latestStuntingPrevalence"]["survey"].startswith("SSGI")


def test_graphql_user_errors_carry_a_code(client: TestClient):
    body = client.post(
        "/graphql", json={"query": "{ districts(first: 1000) { totalCount } }"}
    ).json()
    assert body["errors"][0]["message"] == "first must be between 1 and 100"
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = client.post("/graphql", json={"query": '{ node(id: "garbage") { id } }'}).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_ID"


def test_each_request_gets_fresh_loaders(client: TestClient):
    # Two requests in a row see the same data: nothing cached across requests breaks them.
    first = client.post("/graphql", json={"query": DISTRICT}).json()
    second = client.post("/graphql", json={"query": DISTRICT}).json()
    assert first == second


def test_graphiql_in_development(client: TestClient):
    response = client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_body_size_cap(settings: Settings, engine: Engine):
    small = dataclasses.replace(settings, max_body_bytes=2_000)
    with TestClient(create_app(small)) as test_client:
        padding = " " * 3_000
        response = test_client.post(
            "/graphql",
            content=json.dumps({"query": "{ provinces { code } }" + padding}),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
            yield b'{"query": "{ provinces { code } }'
            yield b" " * 3_000
            yield b'"}'

        response = test_client.post(
            "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413
        ok = test_client.post("/graphql", json={"query": "{ provinces { code } }"})
        assert ok.status_code == 200 and len(ok.json()["data"]["provinces"]) == 38


def test_production_hides_graphiql_introspection_and_internal_errors(
    settings: Settings, engine: Engine, tmp_path: Path
):
    # An empty database: queries fail inside SQL, which production must not reveal.
    prod = dataclasses.replace(
        settings,
        environment="production",
        introspection=False,
        database_url=f"sqlite:///{tmp_path / 'empty.db'}",
    )
    with TestClient(create_app(prod)) as test_client:
        assert test_client.get("/healthz").status_code == 200
        page = test_client.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in page.text.lower()
        body = test_client.post(
            "/graphql", json={"query": "{ __schema { queryType { name } } }"}
        ).json()
        assert "introspection" in body["errors"][0]["message"].lower()
        body = test_client.post("/graphql", json={"query": "{ provinces { code } }"}).json()
        # A database failure gets its code and a plain message (schema/database_errors.py).
        assert body["errors"][0]["extensions"]["code"] == "INTERNAL_ERROR"
        assert "sqlite" not in json.dumps(body["errors"]).lower()
        assert "province" not in json.dumps(body["errors"]).lower().replace("provinces", "")
        body = test_client.post(
            "/graphql", json={"query": '{ district(code: "5302x") { name } }'}
        ).json()
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
