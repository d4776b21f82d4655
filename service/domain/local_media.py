"""Which media count as *local media* for a province's campaign quota.

BKKBN asks each province for 4 local media. A media partner is local to a province when
its scope is local or provincial and it operates there (a province or a district of it
on record) or is headquartered there (its ``headquarters`` names a district of the
province). A national outlet is never local media, wherever its head office is: it
fills no province's local-media quota, in the quota counts or in the province plan.
The recommender (which cannot import this module) gets the same answer as the partners
frame's ``local_media_provinces`` column (:mod:`service.domain.recommender_data`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy import Select, func, or_, select

from service.db.enums import PartnerKind, PartnerScope
from service.db.models import District, Partner, PartnerDistrict, PartnerProvince

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm import Session


def _media_ids(partner_ids: Collection[int] | None) -> Select[int]:
    media = select(Partner.id).where(
        Partner.kind == PartnerKind.MEDIA.value, Partner.scope != PartnerScope.NATIONAL.value
    )
    if partner_ids is not None:
        media = media.where(Partner.id.in_(list(partner_ids)))
    return media


def _province_statements(ids: list[int]) -> list[Select[int, str]]:
    """Where each media partner of ``ids`` operates (provinces, districts) or is headquartered."""
    hq = func.lower(Partner.headquarters)
    return [
        select(PartnerProvince.partner_id, PartnerProvince.province_code).where(
            PartnerProvince.partner_id.in_(ids)
        ),
        select(PartnerDistrict.partner_id, District.province_code)
        .join(District, District.code == PartnerDistrict.district_code)
        .where(PartnerDistrict.partner_id.in_(ids)),
        select(Partner.id, District.province_code)
        .join(District, or_(func.lower(District.short_name) == hq, func.lower(District.name) == hq))
        .where(Partner.id.in_(ids)),
    ]


async def local_media_provinces(
    session: AsyncSession, *, partner_ids: Collection[int] | None = None
) -> dict[int, frozenset[str]]:
    """For each non-national media partner (of ``partner_ids`` if given): its provinces.

    National media and other kinds are absent: they are local media nowhere.
    """
    ids = list((await session.execute(_media_ids(partner_ids))).scalars())
    found: dict[int, set[str]] = {pid: set() for pid in ids}
    for stmt in _province_statements(ids):
        for pid, code in (await session.execute(stmt)).all():
            found[pid].add(code)
    return {pid: frozenset(codes) for pid, codes in found.items()}


def local_media_provinces_sync(
    session: Session, *, partner_ids: Collection[int] | None = None
) -> dict[int, frozenset[str]]:
    """:func:`local_media_provinces` on a synchronous session (the recommender's frames)."""
    ids = list(session.execute(_media_ids(partner_ids)).scalars())
    found: dict[int, set[str]] = {pid: set() for pid in ids}
    for stmt in _province_statements(ids):
        for pid, code in session.execute(stmt).all():
            found[pid].add(code)
    return {pid: frozenset(codes) for pid, codes in found.items()}
