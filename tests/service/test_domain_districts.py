"""service.domain.districts: filtering, ordering and counting happen in SQL, in one
statement; the reference snapshot picks the same latest figure as SQL does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.db.session import make_async_engine
from service.domain.districts import (
    DistrictFilter,
    DistrictOrder,
    DistrictOrderField,
    list_districts,
)
from service.domain.reference import load_reference
from service.settings import Settings


@pytest.fixture(scope="module")
async def async_engine(settings: Settings, engine: Engine) -> AsyncIterator[AsyncEngine]:
    eng = make_async_engine(settings.async_database_url)
    yield eng
    await eng.dispose()


async def test_prevalence_order_is_one_sql_page(async_engine: AsyncEngine, engine: Engine):
    statements: list[str] = []

    def record(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        statements.append(statement)

    event.listen(async_engine.sync_engine, "before_cursor_execute", record)
    try:
        async with AsyncSession(async_engine) as session:
            page = await list_districts(
                session,
                filter=DistrictFilter(prevalence_min=20),
                order=DistrictOrder(field=DistrictOrderField.PREVALENCE, descending=True),
                offset=5,
                limit=7,
            )
    finally:
        event.remove(async_engine.sync_engine, "before_cursor_execute", record)
    assert len(statements) == 1  # the page with its count; no rows sorted in Python
    assert "row_number" in statements[0].lower() and "order by" in statements[0].lower()
    best = _latest_by_hand(engine)
    expected = sorted((c for c, (_, v) in best.items() if v >= 20), key=lambda c: (-best[c][1], c))
    assert page.total == len(expected)
    assert [d.code for d in page.items] == expected[5:12]
    assert page.offset == 5 and page.has_next == (len(expected) > 12)


def _latest_by_hand(engine: Engine) -> dict[str, tuple[Any, float]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT district_code, value, imputed, year, id FROM indicator_measurement "
                "WHERE level = 'district' AND indicator = 'stunting_prevalence'"
            )
        ).all()
    best: dict[str, tuple[Any, float]] = {}
    for code, value, imputed, year, row_id in rows:
        key = (not imputed, year, row_id)
        if code not in best or key > best[code][0]:
            best[code] = (key, value)
    return best


async def test_reference_snapshot_has_the_latest_figure_of_every_district(
    async_engine: AsyncEngine, engine: Engine
):
    async with AsyncSession(async_engine) as session:
        reference = await load_reference(session)
    best = _latest_by_hand(engine)
    assert len(reference.districts) == 514 and len(reference.provinces) == 38
    assert {c: m.value for c, m in reference.latest_prevalence.items()} == {
        c: v for c, (_, v) in best.items()
    }
    assert any(m.imputed for m in reference.latest_prevalence.values())


async def test_page_past_the_end_is_empty(async_engine: AsyncEngine):
    async with AsyncSession(async_engine) as session:
        page = await list_districts(session, offset=10_000, limit=5)
    assert page.items == () and page.total == 514 and not page.has_next
