"""Migrations go up and down on the suite's database engine (SQLite, or PostgreSQL when set).

Runs in a scratch database of its own, never the shared seeded one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from service.db.base import Base
from service.db.migrate import current_tables, downgrade, upgrade
from service.db.session import make_engine
from tests.service.writes_support import scratch_database

WRITE_TABLES = {"api_token", "audit_log", "recommendation_feedback"}


@pytest.fixture
def scratch_engine(tmp_path: Path) -> Iterator[Engine]:
    with scratch_database(tmp_path) as url:
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _open_pair_index(engine: Engine) -> bool:
    return any(ix["name"] == "uq_partnership_open_pair" for ix in inspect(engine).get_indexes("partnership"))


def test_head_matches_the_models(scratch_engine: Engine) -> None:
    upgrade(scratch_engine)
    assert _revision(scratch_engine) == "0002"
    with scratch_engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_0002_up_down_up(scratch_engine: Engine) -> None:
    upgrade(scratch_engine, "0001")
    assert not WRITE_TABLES & current_tables(scratch_engine)
    upgrade(scratch_engine)
    assert WRITE_TABLES <= current_tables(scratch_engine) and _open_pair_index(scratch_engine)
    downgrade(scratch_engine, "0001")
    assert _revision(scratch_engine) == "0001"
    assert not WRITE_TABLES & current_tables(scratch_engine)
    assert not _open_pair_index(scratch_engine)
    upgrade(scratch_engine)
    assert _revision(scratch_engine) == "0002"
    downgrade(scratch_engine, "base")
    assert current_tables(scratch_engine) <= {"alembic_version"}


def test_one_open_partnership_per_partner_and_district(scratch_engine: Engine) -> None:
    upgrade(scratch_engine)
    with scratch_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO province (code, name, island_group, exists_pre_2022, priority_2022) "
            "VALUES ('53', 'Nusa Tenggara Timur', 'Bali dan Nusa Tenggara', true, true)"
        ))
        conn.execute(text(
            "INSERT INTO district (code, province_code, name, short_name, type, latitude, longitude, "
            "underdeveloped) VALUES ('53.01', '53', 'Kabupaten Sumba Barat', 'Sumba Barat', "
            "'kabupaten', -9.6, 119.4, true)"
        ))
        conn.execute(text(
            "INSERT INTO partner (id, name, kind, scope, synthetic) VALUES (1, 'Yayasan A', 'ngo', 'local', false)"
        ))

    insert = text(
        "INSERT INTO partnership (partner_id, district_code, status, synthetic) "
        "VALUES (1, '53.01', :status, false)"
    )
    with scratch_engine.begin() as conn:
        # History may repeat: any number of completed, cancelled and reported rows.
        for status in ("completed", "completed", "cancelled", "reported", "reported", "proposed"):
            conn.execute(insert, {"status": status})
    for status in ("proposed", "active"):
        with pytest.raises(IntegrityError), scratch_engine.begin() as conn:
            conn.execute(insert, {"status": status})
    with scratch_engine.begin() as conn:
        conn.execute(text("UPDATE partnership SET status = 'active' WHERE status = 'proposed'"))
        with pytest.raises(IntegrityError), conn.begin_nested():
            conn.execute(insert, {"status": "proposed"})
        conn.execute(text("UPDATE partnership SET status = 'completed' WHERE status = 'active'"))
        conn.execute(insert, {"status": "proposed"})


def test_checks_on_new_tables(scratch_engine: Engine) -> None:
    upgrade(scratch_engine)
    with pytest.raises(IntegrityError), scratch_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO api_token (owner, role, token_hash, prefix) VALUES ('a', 'root', 'h', 'p')"
        ))
    with scratch_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO api_token (owner, role, token_hash, prefix) VALUES ('a', 'admin', 'h', 'p')"
        ))
    with pytest.raises(IntegrityError), scratch_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO api_token (owner, role, token_hash, prefix) VALUES ('b', 'viewer', 'h', 'q')"
        ))
