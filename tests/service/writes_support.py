"""Fixtures and helpers for the write-side tests (auth, writes, concurrency, migrations).

Import the fixtures by name into a test module (``from tests.service.writes_support
import asession``). ``scratch_database`` gives a database of its own, for tests that
commit or migrate up and down and so must not touch the shared seeded one.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import (
    ApiToken,
    AuditLog,
    Partner,
    PartnerArea,
    PartnerDistrict,
    PartnerProvince,
    Partnership,
    PartnershipArea,
    RecommendationFeedback,
)
from service.db.scratch import postgres_database
from service.db.session import make_async_engine
from service.settings import Settings

COUNTED = (
    Partner,
    PartnerArea,
    PartnerProvince,
    PartnerDistrict,
    Partnership,
    PartnershipArea,
    AuditLog,
    RecommendationFeedback,
    ApiToken,
)


def postgres_url() -> str | None:
    """MITRA_TEST_DATABASE_URL when it names a PostgreSQL database, else None."""
    url = os.environ.get("MITRA_TEST_DATABASE_URL", "")
    return url if url.startswith(("postgresql", "postgres:")) else None


@pytest.fixture
async def asession(settings: Settings, engine: Engine) -> AsyncIterator[AsyncSession]:
    """An AsyncSession on the seeded test database whose changes are rolled back."""
    aengine = make_async_engine(settings.async_database_url)
    try:
        async with aengine.connect() as conn:
            trans = await conn.begin()
            session = AsyncSession(
                bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
            )
            try:
                yield session
            finally:
                await session.close()
                await trans.rollback()
    finally:
        await aengine.dispose()


async def row_counts(session: AsyncSession) -> dict[str, int]:
    return {
        model.__tablename__: int(await session.scalar(select(func.count()).select_from(model)) or 0)
        for model in COUNTED
    }


@contextmanager
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """A synchronous URL of an empty database: PostgreSQL when the suite runs on it."""
    base = postgres_url()
    if base is None:
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    with postgres_database(base, prefix="mitra_scratch") as database_url:
        yield database_url


def insert_place_and_partner(conn: Connection, *, partner_name: str = "Yayasan Balapan") -> int:
    """Province 53, district 53.01 and one partner, for a scratch database; the partner id."""
    conn.execute(
        text(
            "INSERT INTO province (code, name, island_group, exists_pre_2022, priority_2022) "
            "VALUES ('53', 'Nusa Tenggara Timur', 'Bali dan Nusa Tenggara', true, true)"
        )
    )
    conn.execute(
        text(
            "INSERT INTO district (code, province_code, name, short_name, type, "
            "latitude, longitude, underdeveloped) VALUES ('53.01', '53', "
            "'Kabupaten Sumba Barat', 'Sumba Barat', 'kabupaten', -9.6, 119.4, true)"
        )
    )
    partner_id = conn.execute(
        text(
            "INSERT INTO partner (name, kind, scope, synthetic) "
            "VALUES (:name, 'foundation', 'local', false) RETURNING id"
        ),
        {"name": partner_name},
    ).scalar_one()
    return int(partner_id)
