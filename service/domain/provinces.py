"""Provinces: lists, batch lookups, and which given region codes do not exist."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import District, Province


async def list_provinces(session: AsyncSession) -> Sequence[Province]:
    """List all provinces by code."""
    return (await session.execute(select(Province).order_by(Province.code))).scalars().all()


async def get_provinces(session: AsyncSession, *, codes: Iterable[str]) -> dict[str, Province]:
    """Load the provinces with these codes, keyed by code."""
    stmt = select(Province).where(Province.code.in_(list(codes)))
    return {row.code: row for row in (await session.execute(stmt)).scalars()}


async def unknown_codes(
    session: AsyncSession,
    *,
    province_codes: Sequence[str] = (),
    district_codes: Sequence[str] = (),
) -> tuple[list[str], list[str]]:
    """Return the given province and district codes that name nothing, sorted."""
    missing_provinces: set[str] = set()
    missing_districts: set[str] = set()
    if province_codes:
        known = set(
            await session.scalars(select(Province.code).where(Province.code.in_(province_codes)))
        )
        missing_provinces = set(province_codes) - known
    if district_codes:
        known = set(
            await session.scalars(select(District.code).where(District.code.in_(district_codes)))
        )
        missing_districts = set(district_codes) - known
    return sorted(missing_provinces), sorted(missing_districts)
