"""Partnerships: filtered pages, batch lookups by district and partner, commitment rule."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.enums import MIN_COMMITMENT_MONTHS, InterventionArea, PartnershipStatus
from service.db.models import District, Partner, Partnership, PartnershipArea
from service.domain.pagination import Page, fetch_page
from service.domain.worlds import World, in_world

# Statuses under which a long enough partnership counts as a commitment to the campaign.
COMMITTED_STATUSES: frozenset[PartnershipStatus] = frozenset(
    {PartnershipStatus.ACTIVE, PartnershipStatus.COMPLETED, PartnershipStatus.REPORTED}
)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start`` to ``end``: 1 Jan -> 1 Jul is 6.

    A month from the 31st ends on the last day of a shorter month (31 Jan -> 28 Feb is 1).
    """
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < min(start.day, calendar.monthrange(end.year, end.month)[1]):
        months -= 1
    return max(months, 0)


def effective_duration_months(
    duration_months: int | None, start_date: dt.date | None, end_date: dt.date | None
) -> int | None:
    """Return the stated duration, else the span of the dates, else unknown."""
    if duration_months is not None:
        return duration_months
    if start_date is not None and end_date is not None:
        return months_between(start_date, end_date)
    return None


def is_commitment(
    status: str,
    duration_months: int | None,
    start_date: dt.date | None,
    end_date: dt.date | None,
) -> bool:
    """Active, completed or reported, and at least ``MIN_COMMITMENT_MONTHS`` long."""
    if PartnershipStatus(status) not in COMMITTED_STATUSES:
        return False
    months = effective_duration_months(duration_months, start_date, end_date)
    return months is not None and months >= MIN_COMMITMENT_MONTHS


@dataclass(frozen=True)
class PartnershipFilter:
    """Filters of the partnership list; ``None`` leaves a field unfiltered."""

    partner_id: int | None = None
    district_code: str | None = None
    province_code: str | None = None
    statuses: Sequence[PartnershipStatus] | None = None
    areas: Sequence[InterventionArea] | None = None
    synthetic: bool | None = None
    year_from: int | None = None
    year_to: int | None = None


async def list_partnerships(
    session: AsyncSession,
    *,
    filter: PartnershipFilter | None = None,
    offset: int = 0,
    limit: int = 20,
) -> Page[Partnership]:
    """List one page of partnerships matching ``filter``."""
    flt = filter or PartnershipFilter()
    stmt = select(Partnership)
    if flt.partner_id is not None:
        stmt = stmt.where(Partnership.partner_id == flt.partner_id)
    if flt.district_code is not None:
        stmt = stmt.where(Partnership.district_code == flt.district_code)
    if flt.province_code is not None:
        stmt = stmt.where(
            Partnership.district_code.in_(
                select(District.code).where(District.province_code == flt.province_code)
            )
        )
    if flt.statuses:
        stmt = stmt.where(
            Partnership.status.in_([PartnershipStatus(s).value for s in flt.statuses])
        )
    if flt.areas:
        stmt = stmt.where(
            exists().where(
                PartnershipArea.partnership_id == Partnership.id,
                PartnershipArea.area.in_([InterventionArea(a).value for a in flt.areas]),
            )
        )
    if flt.synthetic is not None:
        stmt = stmt.where(Partnership.synthetic.is_(flt.synthetic))
    if flt.year_from is not None:
        stmt = stmt.where(Partnership.start_year >= flt.year_from)
    if flt.year_to is not None:
        stmt = stmt.where(Partnership.start_year <= flt.year_to)
    stmt = stmt.order_by(Partnership.id)
    return await fetch_page(session, stmt, offset=offset, limit=limit)


async def get_partnerships(session: AsyncSession, *, ids: Iterable[int]) -> dict[int, Partnership]:
    """Load the partnerships with these ids, keyed by id."""
    stmt = select(Partnership).where(Partnership.id.in_(list(ids)))
    return {row.id: row for row in (await session.execute(stmt)).scalars()}


async def partnerships_by_district(
    session: AsyncSession, *, district_codes: Iterable[str]
) -> dict[str, list[Partnership]]:
    """Load the partnerships of each district, keyed by district code."""
    stmt = (
        select(Partnership)
        .where(Partnership.district_code.in_(list(district_codes)))
        .order_by(Partnership.district_code, Partnership.id)
    )
    grouped: dict[str, list[Partnership]] = defaultdict(list)
    for row in (await session.execute(stmt)).scalars():
        grouped[row.district_code].append(row)
    return grouped


async def partnerships_by_partner(
    session: AsyncSession, *, partner_ids: Iterable[int]
) -> dict[int, list[Partnership]]:
    """Load the partnerships of each partner, keyed by partner id."""
    stmt = (
        select(Partnership)
        .where(Partnership.partner_id.in_(list(partner_ids)))
        .order_by(Partnership.partner_id, Partnership.id)
    )
    grouped: dict[int, list[Partnership]] = defaultdict(list)
    for row in (await session.execute(stmt)).scalars():
        grouped[row.partner_id].append(row)
    return grouped


async def areas_by_partnership(
    session: AsyncSession, *, partnership_ids: Iterable[int]
) -> dict[int, list[str]]:
    """Load the intervention areas of each partnership, keyed by partnership id."""
    stmt = (
        select(PartnershipArea.partnership_id, PartnershipArea.area)
        .where(PartnershipArea.partnership_id.in_(list(partnership_ids)))
        .order_by(PartnershipArea.partnership_id, PartnershipArea.area)
    )
    grouped: dict[int, list[str]] = defaultdict(list)
    for partnership_id, area in (await session.execute(stmt)).all():
        grouped[partnership_id].append(area)
    return grouped


def partnerships_with_partner_and_district(
    *columns: Any,
    statuses: Iterable[PartnershipStatus],
    province_codes: Iterable[str] | None = None,
    world: World = World.REAL,
) -> Select[Any]:
    """Select ``columns`` of partnerships in ``statuses``, joined to partner and district.

    Parameters
    ----------
    *columns
        Columns of :class:`Partnership`, :class:`Partner` or :class:`District`.
    statuses
        Only partnerships in one of these statuses.
    province_codes
        Only partnerships in districts of these provinces (all when None).
    world
        The record the rows come from (:func:`service.domain.worlds.in_world`).

    Returns
    -------
    Select
        The statement, ordered by partnership id.
    """
    stmt = (
        select(*columns)
        .join(Partner, Partner.id == Partnership.partner_id)
        .join(District, District.code == Partnership.district_code)
        .where(Partnership.status.in_([s.value for s in statuses]))
        .order_by(Partnership.id)
    )
    if province_codes is not None:
        stmt = stmt.where(District.province_code.in_(list(province_codes)))
    return in_world(stmt, world)
