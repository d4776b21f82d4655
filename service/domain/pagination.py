"""Offset pages over a SELECT: the rows of one page and the total count of the whole list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, where it starts and the size of the whole list."""

    items: Sequence[T]
    offset: int
    total: int

    @property
    def has_next(self) -> bool:
        """Whether items follow this page."""
        return self.offset + len(self.items) < self.total


async def fetch_page(
    session: AsyncSession, stmt: Select[Any], *, offset: int, limit: int
) -> Page[Any]:
    """Run ``stmt`` (already ordered) for one page, and count all its rows.

    ``stmt`` must select one ORM entity (no DISTINCT or GROUP BY). One statement: the
    total rides on every row as ``count(*) OVER ()``; only a page past the end, which
    has no rows to carry it, counts separately.
    """
    paged = stmt.add_columns(func.count().over().label("total")).offset(offset).limit(limit)
    rows = (await session.execute(paged)).all()
    if rows:
        return Page(items=[row[0] for row in rows], offset=offset, total=int(rows[0][1]))
    count_stmt = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = (await session.execute(count_stmt)).scalar_one()
    return Page(items=(), offset=offset, total=total)
