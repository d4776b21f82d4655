"""Districts (kabupaten/kota): filtered and ordered pages, batch lookups, partner counts."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from service.db.enums import DistrictType, PartnershipStatus
from service.db.models import District, Partner, Partnership
from service.domain.pagination import Page, fetch_page
from service.domain.partnerships import COMMITTED_STATUSES, is_commitment
from service.domain.prevalence import latest_district_prevalence
from service.domain.reference import ReferenceData
from service.domain.worlds import World, in_world


class DistrictOrderField(enum.StrEnum):
    """The orders a district list can be sorted in."""

    CODE = "code"
    NAME = "name"
    PREVALENCE = "prevalence"
    POPULATION = "population"


@dataclass(frozen=True)
class DistrictFilter:
    """Filters of the district list; ``None`` leaves a field unfiltered."""

    province_code: str | None = None
    type: DistrictType | None = None
    underdeveloped: bool | None = None
    prevalence_min: float | None = None
    prevalence_max: float | None = None
    search: str | None = None


@dataclass(frozen=True)
class DistrictOrder:
    """Sort order of the district list."""

    field: DistrictOrderField = DistrictOrderField.CODE
    descending: bool = False


def name_matches(columns: Sequence[InstrumentedAttribute[str]], term: str) -> ColumnElement[bool]:
    """Case-insensitive substring match on any of ``columns``; LIKE wildcards are literal."""
    needle = term.strip().lower()
    return or_(*(func.lower(col).contains(needle, autoescape=True) for col in columns))


# The sort key of each order but PREVALENCE, which sorts on the latest-prevalence subquery.
_ORDER_COLUMNS: dict[DistrictOrderField, InstrumentedAttribute[Any]] = {
    DistrictOrderField.CODE: District.code,
    DistrictOrderField.NAME: District.short_name,
    DistrictOrderField.POPULATION: District.population,
}


def _district_query(flt: DistrictFilter, order: DistrictOrder) -> Select[Any]:
    stmt = select(District)
    # The latest-prevalence subquery ranks every measurement: join it only when the
    # filter or the order needs it (it made each unfiltered page ~30 ms on SQLite).
    needs_latest = (
        flt.prevalence_min is not None
        or flt.prevalence_max is not None
        or order.field is DistrictOrderField.PREVALENCE
    )
    if needs_latest:
        latest = latest_district_prevalence()
        stmt = stmt.outerjoin(latest, latest.c.district_code == District.code)
    if flt.province_code is not None:
        stmt = stmt.where(District.province_code == flt.province_code)
    if flt.type is not None:
        stmt = stmt.where(District.type == DistrictType(flt.type).value)
    if flt.underdeveloped is not None:
        stmt = stmt.where(District.underdeveloped.is_(flt.underdeveloped))
    if flt.prevalence_min is not None:
        stmt = stmt.where(latest.c.value >= flt.prevalence_min)
    if flt.prevalence_max is not None:
        stmt = stmt.where(latest.c.value <= flt.prevalence_max)
    if flt.search and flt.search.strip():
        stmt = stmt.where(name_matches((District.name, District.short_name), flt.search))

    key: ColumnElement[Any] | InstrumentedAttribute[Any] = (
        latest.c.value
        if order.field is DistrictOrderField.PREVALENCE
        else _ORDER_COLUMNS[order.field]
    )
    # Districts without a value go last in both directions; the code breaks ties so
    # that offset pages are stable.
    return stmt.order_by(
        key.is_(None), key.desc() if order.descending else key.asc(), District.code
    )


async def list_districts(
    session: AsyncSession,
    *,
    filter: DistrictFilter | None = None,
    order: DistrictOrder | None = None,
    offset: int = 0,
    limit: int = 20,
) -> Page[District]:
    """List one page of districts matching ``filter`` in ``order``."""
    stmt = _district_query(filter or DistrictFilter(), order or DistrictOrder())
    return await fetch_page(session, stmt, offset=offset, limit=limit)


def reference_page(reference: ReferenceData, *, offset: int, limit: int) -> Page[District]:
    """Return the unfiltered page in code order from the reference snapshot, without SQL.

    The same page :func:`list_districts` gives with no filter and the default order. The
    snapshot holds every district in code order and follows the data version, as
    every reference lookup does (``district(code)``, a page's provinces and figures).
    """
    codes = list(reference.districts)
    return Page(
        items=[reference.districts[c] for c in codes[offset : offset + limit]],
        offset=offset,
        total=len(codes),
    )


async def get_districts(session: AsyncSession, *, codes: Iterable[str]) -> dict[str, District]:
    """Load the districts with these codes, keyed by code."""
    stmt = select(District).where(District.code.in_(list(codes)))
    return {row.code: row for row in (await session.execute(stmt)).scalars()}


async def districts_by_province(
    session: AsyncSession, *, province_codes: Iterable[str]
) -> dict[str, list[District]]:
    """Load the districts of each province, keyed by province code."""
    stmt = (
        select(District)
        .where(District.province_code.in_(list(province_codes)))
        .order_by(District.code)
    )
    grouped: dict[str, list[District]] = defaultdict(list)
    for row in (await session.execute(stmt)).scalars():
        grouped[row.province_code].append(row)
    return grouped


@dataclass(frozen=True)
class DistrictPartnerStats:
    """Distinct partners with an active partnership, by kind; real reported partnerships.

    Real partners and generated (synthetic) ones are counted apart: a partner is one or
    the other, so the demo world's count of a kind is the sum of the two.
    """

    active_partners_by_kind: dict[str, int]
    active_synthetic_partners_by_kind: dict[str, int]
    reported_real_partnerships: int

    def active_by_kind(self, *, include_synthetic: bool) -> dict[str, int]:
        """Active partners by kind, the generated ones added when ``include_synthetic``."""
        if not include_synthetic:
            return self.active_partners_by_kind
        both = dict(self.active_partners_by_kind)
        for kind, count in self.active_synthetic_partners_by_kind.items():
            both[kind] = both.get(kind, 0) + count
        return dict(sorted(both.items()))

    @property
    def coverage(self) -> int:
        """Real coverage, as the console maps it by default.

        Real active partners plus real reported partnerships.
        """
        return sum(self.active_partners_by_kind.values()) + self.reported_real_partnerships


async def partner_stats_by_district(
    session: AsyncSession, *, district_codes: Iterable[str]
) -> dict[str, DistrictPartnerStats]:
    """Count the partners and partnerships of each district, keyed by district code."""
    codes = list(district_codes)
    active_stmt = (
        select(
            Partnership.district_code,
            Partner.kind,
            Partner.synthetic,
            func.count(Partner.id.distinct()),
        )
        .join(Partner, Partner.id == Partnership.partner_id)
        .where(
            Partnership.district_code.in_(codes),
            Partnership.status == PartnershipStatus.ACTIVE.value,
        )
        .group_by(Partnership.district_code, Partner.kind, Partner.synthetic)
    )
    active: dict[str, dict[str, int]] = defaultdict(dict)
    active_synthetic: dict[str, dict[str, int]] = defaultdict(dict)
    for code, kind, synthetic, count in (await session.execute(active_stmt)).all():
        (active_synthetic if synthetic else active)[code][kind] = count
    reported_stmt = (
        select(Partnership.district_code, func.count())
        .where(
            Partnership.district_code.in_(codes),
            Partnership.status == PartnershipStatus.REPORTED.value,
            Partnership.synthetic.is_(False),
        )
        .group_by(Partnership.district_code)
    )
    reported = dict((await session.execute(reported_stmt)).all())
    return {
        code: DistrictPartnerStats(
            active_partners_by_kind=dict(sorted(active.get(code, {}).items())),
            active_synthetic_partners_by_kind=dict(sorted(active_synthetic.get(code, {}).items())),
            reported_real_partnerships=reported.get(code, 0),
        )
        for code in codes
    }


async def committed_partners_by_district(
    session: AsyncSession, *, district_codes: Iterable[str], world: World = World.REAL
) -> dict[str, int]:
    """Count distinct partners with a campaign commitment in each district.

    Commitments as ``is_commitment`` says, counted in ``world`` (the real record unless
    DEMO).
    """
    stmt = (
        select(
            Partnership.district_code,
            Partnership.partner_id,
            Partnership.status,
            Partnership.duration_months,
            Partnership.start_date,
            Partnership.end_date,
        )
        .join(Partner, Partner.id == Partnership.partner_id)
        .where(
            Partnership.district_code.in_(list(district_codes)),
            Partnership.status.in_([s.value for s in COMMITTED_STATUSES]),
        )
    )
    stmt = in_world(stmt, world)
    committed: dict[str, set[int]] = defaultdict(set)
    for code, partner_id, status, months, start, end in (await session.execute(stmt)).all():
        if is_commitment(status, months, start, end):
            committed[code].add(partner_id)
    return {code: len(ids) for code, ids in committed.items()}
