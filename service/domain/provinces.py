"""Provinces: lists and batch lookups."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Province


async def list_provinces(session: AsyncSession) -> Sequence[Province]:
    """List all provinces by code."""
    return (await session.execute(select(Province).order_by(Province.code))).scalars().all()


async def get_provinces(session: AsyncSession, *, codes: Iterable[str]) -> dict[str, Province]:
    """Load the provinces with these codes, keyed by code."""
    stmt = select(Province).where(Province.code.in_(list(codes)))
    return {row.code: row for row in (await session.execute(stmt)).scalars()}
