"""Liveness, readiness, the check before serving, and a database lost at run time."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from schema.availability import DATABASE_UNAVAILABLE, MESSAGE
from service.db.migrate import upgrade
from service.db.session import make_engine
from service.server.app import create_app
from service.server.health import NotReady, display_url, preflight
from service.settings import Settings

QUERY = {"query": '{ district(code: "53.02") { name } }'}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def copy_of_test_database(settings: Settings, target: Path) -> Settings:
    """A seeded SQLite database of its own: a copy of the suite's on SQLite runs, a
    freshly seeded one when the suite runs on PostgreSQL (the check moves a file)."""
    url = make_url(settings.sync_database_url)
    copy = dataclasses.replace(settings, database_url=f"sqlite:///{target}")
    if url.get_backend_name() != "sqlite" or not url.database:
        from service.seed import run_seed

        eng = make_engine(copy.sync_database_url)
        try:
            upgrade(eng)
            run_seed(eng, seed=settings.seed)
        finally:
            eng.dispose()
        return copy
    src, dst = sqlite3.connect(url.database), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return copy


def test_healthz_is_alive_without_asking_the_database(settings: Settings) -> None:
    gone = dataclasses.replace(
        settings, database_url=f"postgresql://postgres@127.0.0.1:{closed_port()}/mitra"
    )
    with TestClient(create_app(gone)) as client:
        response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "alive"})


def test_readyz_is_503_while_the_database_is_gone_and_200_after_it_returns(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    copy = copy_of_test_database(settings, tmp_path / "mitra.db")
    db_file = tmp_path / "mitra.db"
    with TestClient(create_app(copy)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["status"] == "ready" and ready.json()["model"]
        os.replace(db_file, tmp_path / "moved-away.db")
        gone = client.get("/readyz")
        assert gone.status_code == 503
        assert gone.json() == {"status": "unavailable", "database": "unreachable"}
        os.replace(tmp_path / "moved-away.db", db_file)
        back = client.get("/readyz")
        assert back.status_code == 200 and back.json()["status"] == "ready"


def test_a_lost_database_is_database_unavailable_with_503_and_no_driver_text(
    settings: Settings,
) -> None:
    # The engine points at a closed port: every connection attempt is refused.
    gone = dataclasses.replace(
        settings, database_url=f"postgresql://postgres@127.0.0.1:{closed_port()}/mitra"
    )
    with TestClient(create_app(gone)) as client:
        assert client.get("/readyz").status_code == 503
        for headers in ({}, {"Authorization": "Bearer mitra_not_a_real_token"}):
            response = client.post("/graphql", json=QUERY, headers=headers)
            assert response.status_code == 503
            (error,) = response.json()["errors"]
            assert error["extensions"]["code"] == DATABASE_UNAVAILABLE
            assert error["message"] == MESSAGE
            text = json.dumps(response.json()).lower()
            for driver_word in ("psycopg", "connection", "refused", "127.0.0.1", "port"):
                assert driver_word not in text, text


def test_preflight_names_the_problem_in_one_line(settings: Settings, tmp_path: Path) -> None:
    def problem(url: str) -> str:
        with pytest.raises(NotReady) as info:
            preflight(dataclasses.replace(settings, database_url=url))
        message = str(info.value)
        assert "\n" not in message
        return message

    missing = tmp_path / "nowhere" / "mitra.db"
    assert problem(f"sqlite:///{missing}").startswith(f"no database at {missing}")
    assert not missing.exists() and not missing.parent.exists()  # nothing was created

    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert "has no tables" in problem(f"sqlite:///{empty}")
    assert "mitra migrate" in problem(f"sqlite:///{empty}")

    migrated = tmp_path / "migrated.db"
    eng = make_engine(f"sqlite:///{migrated}")
    upgrade(eng)
    eng.dispose()
    assert "no reference data" in problem(f"sqlite:///{migrated}")

    port = closed_port()
    refused = problem(f"postgresql://postgres:s3cret@127.0.0.1:{port}/mitra")
    assert refused.startswith("cannot connect to the database postgresql")
    assert "s3cret" not in refused and "***" in refused


def test_preflight_passes_on_the_seeded_database(settings: Settings, engine: Engine) -> None:
    ok = preflight(settings)
    assert ok.database == display_url(settings.database_url)
    assert ok.model


def test_display_url_hides_the_password() -> None:
    shown = display_url("postgresql://mitra:s3cret@db.internal:5432/mitra")
    assert shown == "postgresql://mitra:***@db.internal:5432/mitra"
