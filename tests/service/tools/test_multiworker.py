"""Several uvicorn workers on one PostgreSQL database all switch to a newly activated
model version within seconds, without a restart."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from service.db.session import make_engine
from service.domain import model_registry
from service.settings import Settings
from service.tools.load_server import prepare, throwaway_database, uvicorn_server

PG_URL = os.environ.get("MITRA_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not PG_URL or make_url(PG_URL).get_backend_name() != "postgresql",
    reason="needs PostgreSQL: set MITRA_TEST_DATABASE_URL (several workers share one database)",
)

QUERY = (
    '{ activeModel { version } recommendPartners(districtCode: "53.02", first: 3) '
    "{ modelVersion } }"
)


def _ask(base: str) -> tuple[str, str, set[str]]:
    """One request on a fresh connection: (worker, active version, versions in results)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        response = client.post("/graphql", json={"query": QUERY})
    body = response.json()
    assert "errors" not in body, body
    data = body["data"]
    versions = {r["modelVersion"] for r in data["recommendPartners"]}
    return response.headers["x-mitra-worker"], data["activeModel"]["version"], versions


def _workers_reporting(base: str, want: str, *, seconds: float) -> dict[str, str]:
    """Ask on fresh connections until two workers report ``want`` or time runs out."""
    seen: dict[str, str] = {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        worker, active, versions = _ask(base)
        assert versions == {active}, "every result names the version that is active"
        seen[worker] = active
        if len(seen) >= 2 and all(v == want for v in seen.values()):
            break
        time.sleep(0.1)
    return seen


def test_two_workers_pick_up_an_activated_version(settings: Settings, tmp_path: Path) -> None:
    with throwaway_database(PG_URL) as url:
        prepare(url)
        local = dataclasses.replace(settings, database_url=url, model_dir=tmp_path)
        engine = make_engine(local.sync_database_url)
        try:
            first = model_registry.train_model(
                engine, local, activate=True, evaluate_first=False
            ).version
            time.sleep(1.1)  # versions are stamped to the second
            second = model_registry.train_model(
                engine, local, activate=False, evaluate_first=False
            ).version
            assert first != second
            with uvicorn_server(url, workers=2, model_dir=tmp_path) as base:
                before = _workers_reporting(base, first, seconds=60)
                assert len(before) == 2, f"only one worker answered: {before}"
                assert set(before.values()) == {first}

                with Session(engine) as session, session.begin():
                    model_registry.activate_version(session, second)
                started = time.monotonic()
                after = _workers_reporting(base, second, seconds=20)
                took = time.monotonic() - started
        finally:
            engine.dispose()
    assert len(after) == 2 and set(after.values()) == {second}, after
    assert took < 20
