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
from tests.service.writes_support import insert_place_and_partner, scratch_database

HEAD = "0004"
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
    return any(
        ix["name"] == "uq_partnership_open_pair"
        for ix in inspect(engine).get_indexes("partnership")
    )


def test_head_matches_the_models(scratch_engine: Engine) -> None:
    upgrade(scratch_engine)
    assert _revision(scratch_engine) == HEAD
    with scratch_engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_0002_up_down_up(scratch_engine: Engine) -> None:
    upgrade(scratch_engine, "0001")
    assert not WRITE_TABLES & current_tables(scratch_engine)
    upgrade(scratch_engine)
    assert current_tables(scratch_engine) >= WRITE_TABLES and _open_pair_index(scratch_engine)
    downgrade(scratch_engine, "0001")
    assert _revision(scratch_engine) == "0001"
    assert "model_artifact" not in current_tables(scratch_engine)
    assert not WRITE_TABLES & current_tables(scratch_engine)
    assert not _open_pair_index(scratch_engine)
    upgrade(scratch_engine)
    assert _revision(scratch_engine) == HEAD
    downgrade(scratch_engine, "base")
    assert current_tables(scratch_engine) <= {"alembic_version"}


def test_one_open_partnership_per_partner_and_district(scratch_engine: Engine) -> None:
    upgrade(scratch_engine)
    with scratch_engine.begin() as conn:
        partner_id = insert_place_and_partner(conn, partner_name="Yayasan A")

    insert = text(
        "INSERT INTO partnership (partner_id, district_code, status, synthetic) "
        "VALUES (:partner, '53.01', :status, false)"
    )
    with scratch_engine.begin() as conn:
        # History may repeat: any number of completed, cancelled and reported rows.
        for status in ("completed", "completed", "cancelled", "reported", "reported", "proposed"):
            conn.execute(insert, {"partner": partner_id, "status": status})
    for status in ("proposed", "active"):
        with pytest.raises(IntegrityError), scratch_engine.begin() as conn:
            conn.execute(insert, {"partner": partner_id, "status": status})
    with scratch_engine.begin() as conn:
        conn.execute(text("UPDATE partnership SET status = 'active' WHERE status = 'proposed'"))
        with pytest.raises(IntegrityError), conn.begin_nested():
            conn.execute(insert, {"partner": partner_id, "status": "proposed"})
        conn.execute(text("UPDATE partnership SET status = 'completed' WHERE status = 'active'"))
        conn.execute(insert, {"partner": partner_id, "status": "proposed"})


def test_checks_on_new_tables(scratch_engine: Engine) -> None:
    upgrade(scratch_engine)
    insert = text("INSERT INTO api_token (owner, role, token_hash, prefix) VALUES (:o, :r, :h, :p)")
    with pytest.raises(IntegrityError), scratch_engine.begin() as conn:  # unknown role
        conn.execute(insert, {"o": "a", "r": "root", "h": "h1", "p": "p"})
    with scratch_engine.begin() as conn:
        conn.execute(insert, {"o": "a", "r": "admin", "h": "h1", "p": "p"})
    with pytest.raises(IntegrityError), scratch_engine.begin() as conn:  # same hash twice
        conn.execute(insert, {"o": "b", "r": "viewer", "h": "h1", "p": "q"})
    with scratch_engine.begin() as conn:
        partner_id = insert_place_and_partner(conn)
    feedback = text(
        "INSERT INTO recommendation_feedback (district_code, partner_id, verdict, actor) "
        "VALUES ('53.01', :p, :v, 'x')"
    )
    with scratch_engine.begin() as conn:
        conn.execute(feedback, {"p": partner_id, "v": "accepted"})
    with pytest.raises(IntegrityError), scratch_engine.begin() as conn:  # unknown verdict
        conn.execute(feedback, {"p": partner_id, "v": "maybe"})


def test_0003_data_version_row(scratch_engine: Engine) -> None:
    upgrade(scratch_engine)
    with scratch_engine.connect() as conn:
        assert conn.execute(text("SELECT id, version FROM data_version")).all() == [(1, 1)]
    downgrade(scratch_engine, "0002")
    assert "data_version" not in current_tables(scratch_engine)
    upgrade(scratch_engine)
    assert _revision(scratch_engine) == HEAD
