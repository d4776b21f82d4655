"""Partners: filtered pages, batch lookups and their areas, provinces and districts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.enums import InterventionArea, PartnerKind
from service.db.models import District, Partner, PartnerArea, PartnerDistrict, PartnerProvince
from service.domain.districts import name_matches
from service.domain.pagination import Page, fetch_page


@dataclass(frozen=True)
class PartnerFilter:
    """Filters of the partner list; ``None`` leaves a field unfiltered."""

    kinds: Sequence[PartnerKind] | None = None
    # A partner matches when it works in any of these areas.
    areas: Sequence[InterventionArea] | None = None
    # Operating in the province directly or in one of its districts.
    province_code: str | None = None
    district_code: str | None = None
    synthetic: bool | None = None
    search: str | None = None
    include_archived: bool = False


async def list_partners(
    session: AsyncSession,
    *,
    filter: PartnerFilter | None = None,
    offset: int = 0,
    limit: int = 20,
) -> Page[Partner]:
    """List one page of partners matching ``filter``."""
    flt = filter or PartnerFilter()
    stmt = select(Partner)
    if flt.kinds:
        stmt = stmt.where(Partner.kind.in_([PartnerKind(k).value for k in flt.kinds]))
    if flt.areas:
        stmt = stmt.where(
            exists().where(
                PartnerArea.partner_id == Partner.id,
                PartnerArea.area.in_([InterventionArea(a).value for a in flt.areas]),
            )
        )
    if flt.province_code is not None:
        in_province = exists().where(
            PartnerProvince.partner_id == Partner.id,
            PartnerProvince.province_code == flt.province_code,
        )
        in_district_of_province = exists().where(
            PartnerDistrict.partner_id == Partner.id,
            PartnerDistrict.district_code == District.code,
            District.province_code == flt.province_code,
        )
        stmt = stmt.where(or_(in_province, in_district_of_province))
    if flt.district_code is not None:
        stmt = stmt.where(
            exists().where(
                PartnerDistrict.partner_id == Partner.id,
                PartnerDistrict.district_code == flt.district_code,
            )
        )
    if flt.synthetic is not None:
        stmt = stmt.where(Partner.synthetic.is_(flt.synthetic))
    if flt.search and flt.search.strip():
        stmt = stmt.where(name_matches((Partner.name,), flt.search))
    if not flt.include_archived:
        stmt = stmt.where(Partner.archived_at.is_(None))
    stmt = stmt.order_by(Partner.name, Partner.id)
    return await fetch_page(session, stmt, offset=offset, limit=limit)


async def get_partners(session: AsyncSession, *, ids: Iterable[int]) -> dict[int, Partner]:
    """Load the partners with these ids, keyed by id."""
    stmt = select(Partner).where(Partner.id.in_(list(ids)))
    return {row.id: row for row in (await session.execute(stmt)).scalars()}


async def areas_by_partner(
    session: AsyncSession, *, partner_ids: Iterable[int]
) -> dict[int, list[str]]:
    """Load the intervention areas of each partner, keyed by partner id."""
    stmt = (
        select(PartnerArea.partner_id, PartnerArea.area)
        .where(PartnerArea.partner_id.in_(list(partner_ids)))
        .order_by(PartnerArea.partner_id, PartnerArea.area)
    )
    grouped: dict[int, list[str]] = defaultdict(list)
    for partner_id, area in (await session.execute(stmt)).all():
        grouped[partner_id].append(area)
    return grouped


async def province_codes_by_partner(
    session: AsyncSession, *, partner_ids: Iterable[int]
) -> dict[int, list[str]]:
    """Load the province codes of each partner, keyed by partner id."""
    stmt = (
        select(PartnerProvince.partner_id, PartnerProvince.province_code)
        .where(PartnerProvince.partner_id.in_(list(partner_ids)))
        .order_by(PartnerProvince.partner_id, PartnerProvince.province_code)
    )
    grouped: dict[int, list[str]] = defaultdict(list)
    for partner_id, code in (await session.execute(stmt)).all():
        grouped[partner_id].append(code)
    return grouped


async def district_codes_by_partner(
    session: AsyncSession, *, partner_ids: Iterable[int]
) -> dict[int, list[str]]:
    """Load the district codes of each partner, keyed by partner id."""
    stmt = (
        select(PartnerDistrict.partner_id, PartnerDistrict.district_code)
        .where(PartnerDistrict.partner_id.in_(list(partner_ids)))
        .order_by(PartnerDistrict.partner_id, PartnerDistrict.district_code)
    )
    grouped: dict[int, list[str]] = defaultdict(list)
    for partner_id, code in (await session.execute(stmt)).all():
        grouped[partner_id].append(code)
    return grouped
