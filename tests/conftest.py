"""Shared fixtures: one migrated and seeded database per test session.

By default the database is a SQLite file in a temporary folder. Set
``MITRA_TEST_DATABASE_URL`` (as ``.ci/run`` does) to run the same suite against
PostgreSQL; the database it names is emptied first, so give it one of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from service.db.base import Base
from service.db.migrate import upgrade
from service.db.session import make_engine, make_sessionmaker
from service.settings import Settings

TEST_SEED = 20221


def _reset(engine: Engine) -> None:
    """Empty a database we were given, so a run starts from migrations like a fresh one."""
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("MITRA_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'mitra-test.db'}"


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        environment="test",
        model_dir=Path(tmp_path_factory.mktemp("models")),
        seed=TEST_SEED,
    )


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    """A synchronous engine on the migrated and seeded test database."""
    eng = make_engine(settings.sync_database_url)
    if eng.dialect.name != "sqlite":
        _reset(eng)
    upgrade(eng)
    from service.seed import run_seed

    run_seed(eng, seed=settings.seed)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose changes are rolled back at the end of the test."""
    with engine.connect() as conn:
        trans = conn.begin()
        with make_sessionmaker(conn)(join_transaction_mode="create_savepoint") as sess:  # type: ignore[call-arg]
            yield sess
        trans.rollback()


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("MITRA_TEST_DATABASE_URL")
    return f"mitra test database: {'PostgreSQL ' + url if url else 'SQLite (temporary file)'}"
