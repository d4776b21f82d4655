"""service.domain.districts: filtering and ordering happen in SQL, in two statements."""

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
    assert len(statements) == 2  # the count and the page; no rows sorted in Python
    assert "row_number" in statements[1].lower() and "order by" in statements[1].lower()
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
    expected = sorted((c for c, (_, v) in best.items() if v >= 20), key=lambda c: (-best[c][1], c))
    assert page.total == len(expected)
    assert [d.code for d in page.items] == expected[5:12]
    assert page.offset == 5 and page.has_next == (len(expected) > 12)


async def test_page_past_the_end_is_empty(async_engine: AsyncEngine):
    async with AsyncSession(async_engine) as session:
        page = await list_districts(session, offset=10_000, limit=5)
    assert page.items == () and page.total == 514 and not page.has_next
