"""Concurrent proposals for one partner and district end with exactly one proposal.

The domain checks for an open partnership first, but two requests can both pass that
check; the partial unique index ``uq_partnership_open_pair`` then refuses the later
insert and ``propose_partnership`` turns the IntegrityError into a DUPLICATE user
error without spoiling the caller's transaction. The 50-way race runs on PostgreSQL
only (set MITRA_TEST_DATABASE_URL); SQLite serialises writers, so there it runs with
fewer callers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth import Principal, Role
from service.db.migrate import upgrade
from service.db.models import AuditLog, Partnership
from service.db.session import make_async_engine, make_async_sessionmaker, make_engine
from service.domain import writes as w
from service.domain.writes import partnerships as w_partnerships  # where propose looks names up
from service.settings import async_url
from tests.service import writes_support as support
from tests.service.writes_support import (
    insert_place_and_partner,
    postgres_url,
    row_counts,
    scratch_database,
)

asession = support.asession

PLANNER = Principal(owner="planner", role=Role.PLANNER, token_id=None)
DISTRICT = "53.01"  # made by insert_place_and_partner


@pytest.fixture
def race_db(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A database of its own (commits happen here) with one province, district and partner."""
    with scratch_database(tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            with engine.begin() as conn:
                partner_id = insert_place_and_partner(conn)
        finally:
            engine.dispose()
        yield url, int(partner_id)


async def _race(url: str, partner_id: int, callers: int, *, barrier: bool) -> list[Any]:
    engine = make_async_engine(async_url(url), pool_size=callers, max_overflow=5)
    factory = make_async_sessionmaker(engine)
    gate = asyncio.Barrier(callers) if barrier else None
    real_insert = w_partnerships._insert_or_duplicate

    async def insert_after_everyone_checked(*args: Any, **kwargs: Any) -> bool:
        # Every caller has passed the duplicate pre-check before anyone inserts,
        # so all but one must be stopped by the unique index.
        assert gate is not None
        await gate.wait()
        return await real_insert(*args, **kwargs)

    async def one_call() -> Any:
        async with factory() as session, session.begin():
            return await w.propose_partnership(
                session, actor=PLANNER, partner_id=partner_id, district_code=DISTRICT
            )

    if barrier:
        w_partnerships._insert_or_duplicate = insert_after_everyone_checked  # type: ignore[assignment]
    try:
        results = await asyncio.gather(*(one_call() for _ in range(callers)))
        async with factory() as session:
            rows = await session.scalar(select(func.count()).select_from(Partnership))
            audits = await session.scalar(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.action == "proposePartnership")
            )
        assert rows == 1 and audits == 1
    finally:
        w_partnerships._insert_or_duplicate = real_insert  # type: ignore[assignment]
        await engine.dispose()
    return list(results)


def _check(results: list[Any], callers: int) -> list[Any]:
    accepted = [r for r in results if r.ok]
    rejected = [r for r in results if not r.ok]
    assert len(accepted) == 1 and len(rejected) == callers - 1
    for r in rejected:
        assert [(e.field, e.code) for e in r.user_errors] == [("district_code", "DUPLICATE")]
    return rejected


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="needs PostgreSQL: set MITRA_TEST_DATABASE_URL")
async def test_fifty_concurrent_proposals_on_postgresql(race_db: tuple[str, int]) -> None:
    url, partner_id = race_db
    _check(await _race(url, partner_id, 50, barrier=False), 50)


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="needs PostgreSQL: set MITRA_TEST_DATABASE_URL")
async def test_fifty_proposals_past_the_precheck_are_stopped_by_the_index(
    race_db: tuple[str, int],
) -> None:
    url, partner_id = race_db
    rejected = _check(await _race(url, partner_id, 50, barrier=True), 50)
    # All 49 losers passed the pre-check, so none of their messages names the winner's id.
    assert all("(" not in r.user_errors[0].message for r in rejected)


@pytest.mark.skipif(
    postgres_url() is not None, reason="the SQLite variant; PostgreSQL runs the 50-way race"
)
async def test_concurrent_proposals_on_sqlite(race_db: tuple[str, int]) -> None:
    url, partner_id = race_db
    _check(await _race(url, partner_id, 10, barrier=False), 10)


async def test_index_violation_leaves_the_transaction_usable(
    asession: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Blind the pre-check so the insert hits the index; the session carries on afterwards."""
    district = await asession.scalar(text("SELECT code FROM district ORDER BY code LIMIT 1"))
    created = await w.create_partner(
        asession, actor=PLANNER, name="Yayasan Indeks", kind="ngo", scope="local"
    )
    assert created.value is not None
    partner_id = created.value.id
    assert (
        await w.propose_partnership(
            asession, actor=PLANNER, partner_id=partner_id, district_code=district
        )
    ).ok

    monkeypatch.setattr(w_partnerships, "OPEN_PARTNERSHIP_STATUSES", ("no-such-status",))
    before = await row_counts(asession)
    result = await w.propose_partnership(
        asession, actor=PLANNER, partner_id=partner_id, district_code=district
    )
    assert [(e.field, e.code) for e in result.user_errors] == [("district_code", "DUPLICATE")]
    assert await row_counts(asession) == before

    feedback = await w.record_recommendation_feedback(
        asession, actor=PLANNER, district_code=district, partner_id=partner_id, verdict="accepted"
    )
    assert feedback.ok
    assert (await row_counts(asession))["recommendation_feedback"] == before[
        "recommendation_feedback"
    ] + 1
