"""`mitra backup` / `mitra restore` round trip on the suite's backend (SQLite, or PostgreSQL
when MITRA_TEST_DATABASE_URL names one): seed, write through the API, back up, restore
into a fresh database; every table's row count and the whole audit log match."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, table, text
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from service.auth import Role
from service.db.backup import BackupError, backup
from service.db.session import make_engine
from service.server.app import create_app
from service.server.cli import main
from service.settings import Settings
from tests.schema.api_support import bearer, create_tokens_sync, seeded_database, settings_for
from tests.schema.test_auth_http import CREATE, partner_input
from tests.service.writes_support import scratch_database

PROPOSE = (
    "mutation($i: ProposePartnershipInput!) { proposePartnership(input: $i) "
    "{ partnership { databaseId } userErrors { code } } }"
)


def snapshot(url: str) -> tuple[dict[str, int], list[tuple[Any, ...]], str | None]:
    """Row counts of every table, the audit log in full, the migration revision."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            counts = {
                name: int(conn.execute(select(func.count()).select_from(table(name))).scalar_one())
                for name in inspect(conn).get_table_names()
            }
            audit = [
                tuple(r)
                for r in conn.execute(
                    text(
                        "SELECT id, at, actor, role, action, entity_type, entity_id, summary "
                        "FROM audit_log ORDER BY id"
                    )
                )
            ]
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    return counts, audit, revision


def write_through_the_api(settings: Settings, url: str) -> None:
    planner = create_tokens_sync(url)[Role.PLANNER]
    with TestClient(create_app(settings_for(settings, url))) as client:
        created = client.post(
            "/graphql",
            json={"query": CREATE, "variables": partner_input("Yayasan Cadangan")},
            headers=bearer(planner),
        ).json()["data"]["createPartner"]
        assert created["userErrors"] == []
        proposed = client.post(
            "/graphql",
            json={
                "query": PROPOSE,
                "variables": {
                    "i": {
                        "partnerId": created["partner"]["id"],
                        "districtCode": "53.02",
                        "interventionAreas": ["WASH"],
                        "durationMonths": 12,
                    }
                },
            },
            headers=bearer(planner),
        ).json()["data"]["proposePartnership"]
        assert proposed["userErrors"] == [] and proposed["partnership"]["databaseId"]


def test_backup_then_restore_into_a_fresh_database_keeps_every_row(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    file = tmp_path / "backups" / "mitra.backup"
    with seeded_database(tmp_path / "source", seed=settings.seed) as source:
        write_through_the_api(settings, source)
        before = snapshot(source)
        monkeypatch.setenv("DATABASE_URL", source)
        assert main(["backup", str(file)]) == 0
        assert file.stat().st_size > 0 and "backed up" in capsys.readouterr().out
        # Restoring over a database that holds data is refused, and changes nothing.
        assert main(["restore", str(file)]) == 1
        assert "restore into a new" in capsys.readouterr().err
        assert snapshot(source) == before

    (tmp_path / "target").mkdir()
    with scratch_database(tmp_path / "target") as target:
        monkeypatch.setenv("DATABASE_URL", target)
        assert main(["restore", str(file)]) == 0
        after = snapshot(target)
        # The restored database serves: a read through the API sees the written partner.
        with TestClient(create_app(settings_for(settings, target))) as client:
            body = client.post(
                "/graphql",
                json={"query": '{ partners(filter: {search: "Yayasan Cadangan"}) { totalCount } }'},
            ).json()
    counts, audit, revision = after
    assert counts == before[0] and counts["partner"] > 0 and counts["audit_log"] >= 2
    assert audit == before[1] and [r[4] for r in audit[-2:]] == [
        "createPartner",
        "proposePartnership",
    ]
    assert revision == before[2] is not None
    assert body.get("errors") is None and body["data"]["partners"]["totalCount"] == 1


def test_restore_refuses_a_file_that_is_not_a_backup_of_this_backend(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    bogus = tmp_path / "bogus.backup"
    bogus.write_bytes(
        b"PGDMP"
        if make_url(settings.database_url).get_backend_name() == "sqlite"
        else b"SQLite format 3\x00"
    )
    with scratch_database(tmp_path) as target:
        monkeypatch.setenv("DATABASE_URL", target)
        assert main(["restore", str(bogus)]) == 1
    assert "is not a" in capsys.readouterr().err
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    with pytest.raises(SystemExit) as refused:  # the argument parser's one line, exit 2
        main(["restore", str(tmp_path / "missing.backup")])
    assert refused.value.code == 2 and "there is no file" in capsys.readouterr().err


@pytest.mark.skipif(
    make_url(os.environ.get("MITRA_TEST_DATABASE_URL", "sqlite://")).get_backend_name()
    != "postgresql",
    reason="the client-version check is for pg_dump/pg_restore: needs PostgreSQL",
)
def test_client_tools_older_than_the_server_are_refused(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    with pytest.raises(BackupError, match=r"pg_dump is version 9 but the server is PostgreSQL \d+"):
        backup(settings.sync_database_url, tmp_path / "never.backup")
    assert not (tmp_path / "never.backup").exists()
