"""Helpers for API tests that commit: a migrated, seeded database of their own and tokens.

The shared seeded test database must stay as seeded for other tests, so mutations run
against :func:`seeded_database` (PostgreSQL when ``MITRA_TEST_DATABASE_URL`` names one,
else a SQLite file), dropped afterwards.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from service.auth import Role, create_token
from service.db.migrate import upgrade
from service.db.session import make_async_engine, make_async_sessionmaker, make_engine
from service.seed import run_seed
from service.settings import Settings, async_url
from tests.service.writes_support import COUNTED, scratch_database

ROLES = (Role.VIEWER, Role.PLANNER, Role.ADMIN)


@contextmanager
def seeded_database(tmp_path: Path, *, seed: int) -> Iterator[str]:
    """A synchronous URL of a migrated and seeded scratch database."""
    with scratch_database(tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            run_seed(engine, seed=seed)
        finally:
            engine.dispose()
        yield url


async def create_tokens(url: str) -> dict[Role, str]:
    """One token per role, owned by "<role>-owner"; the plaintexts."""
    engine = make_async_engine(async_url(url))
    try:
        factory = make_async_sessionmaker(engine)
        tokens: dict[Role, str] = {}
        async with factory() as session, session.begin():
            for role in ROLES:
                _row, plaintext = await create_token(
                    session, owner=f"{role.value}-owner", role=role
                )
                tokens[role] = plaintext
        return tokens
    finally:
        await engine.dispose()


def create_tokens_sync(url: str) -> dict[Role, str]:
    return asyncio.run(create_tokens(url))


def settings_for(base: Settings, url: str, **changes: Any) -> Settings:
    return dataclasses.replace(base, database_url=url, **changes)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def count_rows_sync(url: str) -> dict[str, int]:
    """Rows in every table a write may touch (partners, partnerships, audit, ...)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                model.__tablename__: int(
                    conn.execute(select(func.count()).select_from(model)).scalar_one()
                )
                for model in COUNTED
            }
    finally:
        engine.dispose()
