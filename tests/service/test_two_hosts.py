"""Two service hosts on one PostgreSQL, each with its own empty model directory: a version
trained on one host and activated through it is served by the other within seconds,
loaded from the database (the model directory is only a cache)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from service.auth import Role
from service.db.session import make_engine
from service.domain import model_registry
from service.settings import Settings
from service.tools.load_server import prepare, throwaway_database, uvicorn_server
from tests.schema.api_support import bearer, create_tokens
from tests.service.writes_support import postgres_url

PG_URL = postgres_url()
pytestmark = pytest.mark.skipif(
    PG_URL is None or make_url(PG_URL).get_backend_name() != "postgresql",
    reason="needs PostgreSQL: set MITRA_TEST_DATABASE_URL (two hosts share one database; "
    "SQLite is one file on one host)",
)

SERVED = (
    '{ activeModel { version } recommendPartners(districtCode: "53.02", first: 3) '
    "{ modelVersion } }"
)
ACTIVATE = (
    "mutation($v: String!) { activateModelVersion(version: $v) "
    "{ modelVersion { version active } userErrors { code message } } }"
)


def _served(base: str) -> tuple[str, set[str]]:
    response = httpx.post(f"{base}/graphql", json={"query": SERVED}, timeout=30)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["activeModel"]["version"], {
        r["modelVersion"] for r in body["data"]["recommendPartners"]
    }


def test_a_version_activated_on_one_host_is_served_by_the_other(tmp_path: Path) -> None:
    assert PG_URL is not None
    host_a, host_b = tmp_path / "host-a-models", tmp_path / "host-b-models"
    host_a.mkdir()
    host_b.mkdir()
    with throwaway_database(PG_URL) as url:
        prepare(url)
        admin = asyncio.run(create_tokens(url))[Role.ADMIN]
        engine = make_engine(url)
        local = Settings(database_url=url, model_dir=host_a, environment="test")
        try:
            with (
                uvicorn_server(url, workers=1, model_dir=host_a) as a,
                uvicorn_server(url, workers=1, model_dir=host_b) as b,
            ):
                assert _served(b) == ("transparent", {"transparent"})
                # Host A trains: the artifact file is written only to A's directory.
                version = model_registry.train_model(
                    engine, local, activate=False, evaluate_first=False
                ).version
                assert list(host_b.iterdir()) == []
                response = httpx.post(
                    f"{a}/graphql",
                    json={"query": ACTIVATE, "variables": {"v": version}},
                    headers=bearer(admin),
                    timeout=30,
                )
                payload = response.json()["data"]["activateModelVersion"]
                assert payload["userErrors"] == [] and payload["modelVersion"]["active"]
                started = time.monotonic()
                deadline = started + 30
                served = _served(b)
                while served != (version, {version}) and time.monotonic() < deadline:
                    time.sleep(0.2)
                    served = _served(b)
                took = time.monotonic() - started
                assert _served(a) == (version, {version})
        finally:
            engine.dispose()
    print(f"host B served {version} {took:.1f} s after activation on host A")
    assert served == (version, {version}), "host B serves the new version, not a fallback"
    assert took < 30
    # Host B loaded it from the database into its own cache, which had been empty.
    assert [p.name for p in host_b.iterdir()] == [f"{version}.skops"]
