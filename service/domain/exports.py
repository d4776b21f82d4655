"""Tables for export: a fixed column order and rows produced batch by batch.

Each ``*_rows`` function is an async generator over one session: it pages through the
same domain queries the API uses (same filters, same order), so an export equals the
API's pages, and at most one batch is held in memory. Values are plain Python
(str, int, float, bool, date, None); the HTTP layer writes them as CSV, XLSX or GeoJSON.
Every table says where its rows come from in its ``provenance`` column; the tables
themselves (names, column order) are :mod:`service.domain.export_tables`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.enums import PartnerKind
from service.db.models import District, Partner, Partnership
from service.domain import (
    campaign,
    commitments,
    districts,
    partners,
    partnerships,
    prevalence,
    provinces,
)
from service.domain.export_tables import (
    DISTRICT_PROVENANCE,
    QUOTA_PROVENANCE,
    REAL,
    SYNTHETIC,
)
from service.domain.pagination import Page
from service.domain.planning import ProvincePlan
from service.domain.worlds import World

BATCH = 500
Row = tuple[Any, ...]
T = TypeVar("T")


async def _pages(
    fetch: Callable[[int, int], Awaitable[Page[T]]], batch: int
) -> AsyncIterator[Sequence[T]]:
    """Yield the items of an offset-paged query, one page of ``batch`` at a time."""
    offset = 0
    while True:
        page = await fetch(offset, batch)
        if page.items:
            yield page.items
        if not page.items or not page.has_next:
            return
        offset += len(page.items)


def _provenance(synthetic: bool) -> str:
    return SYNTHETIC if synthetic else REAL


def _joined(values: Sequence[str]) -> str:
    return ";".join(values)


async def district_rows(
    session: AsyncSession,
    *,
    filter: districts.DistrictFilter | None = None,
    order: districts.DistrictOrder | None = None,
    world: World = World.REAL,
    batch: int = BATCH,
) -> AsyncIterator[Row]:
    """Yield one row per district, in the API's order for the same filter.

    Partner counts are those of ``world``.
    """
    names = {p.code: p.name for p in await provinces.list_provinces(session)}

    async def fetch(offset: int, limit: int) -> Page[District]:
        return await districts.list_districts(
            session, filter=filter, order=order, offset=offset, limit=limit
        )

    async for items in _pages(fetch, batch):
        codes = [d.code for d in items]
        latest = await prevalence.latest_by_district(session, district_codes=codes)
        stats = await districts.partner_stats_by_district(session, district_codes=codes)
        committed = await districts.committed_partners_by_district(
            session, district_codes=codes, world=world
        )
        for d in items:
            m = latest.get(d.code)
            s = stats[d.code]
            active = s.active_by_kind(include_synthetic=world.includes_synthetic)
            yield (
                d.code,
                d.name,
                d.short_name,
                d.type,
                d.province_code,
                names.get(d.province_code),
                bool(d.underdeveloped),
                d.population,
                d.area_km2,
                d.latitude,
                d.longitude,
                None if m is None else m.value,
                None if m is None else m.year,
                None if m is None else m.survey,
                None if m is None else bool(m.imputed),
                None if m is None else m.source,
                None if m is None else m.source_url,
                sum(active.values()) + s.reported_real_partnerships,
                committed.get(d.code, 0),
                *(active.get(kind.value, 0) for kind in PartnerKind),
                s.reported_real_partnerships,
                DISTRICT_PROVENANCE[world],
            )


async def partner_rows(
    session: AsyncSession,
    *,
    filter: partners.PartnerFilter | None = None,
    batch: int = BATCH,
) -> AsyncIterator[Row]:
    """One row per partner, ordered by name like the API."""

    async def fetch(offset: int, limit: int) -> Page[Partner]:
        return await partners.list_partners(session, filter=filter, offset=offset, limit=limit)

    async for items in _pages(fetch, batch):
        ids = [p.id for p in items]
        areas = await partners.areas_by_partner(session, partner_ids=ids)
        provs = await partners.province_codes_by_partner(session, partner_ids=ids)
        dists = await partners.district_codes_by_partner(session, partner_ids=ids)
        for p in items:
            yield _partner_row(p, areas.get(p.id, []), provs.get(p.id, []), dists.get(p.id, []))


def _partner_row(
    p: Partner, areas: Sequence[str], provs: Sequence[str], dists: Sequence[str]
) -> Row:
    return (
        p.id,
        p.name,
        p.kind,
        p.scope,
        p.sector,
        p.headquarters,
        _joined(areas),
        _joined(provs),
        _joined(dists),
        p.annual_budget_idr,
        p.typical_commitment_months,
        p.website,
        p.source_url,
        p.archived_at is not None,
        _provenance(bool(p.synthetic)),
    )


async def partnership_rows(
    session: AsyncSession,
    *,
    filter: partnerships.PartnershipFilter | None = None,
    batch: int = BATCH,
) -> AsyncIterator[Row]:
    """One row per partnership, ordered by id like the API, with its commitment months."""

    async def fetch(offset: int, limit: int) -> Page[Partnership]:
        return await partnerships.list_partnerships(
            session, filter=filter, offset=offset, limit=limit
        )

    async for items in _pages(fetch, batch):
        areas = await partnerships.areas_by_partnership(
            session, partnership_ids=[p.id for p in items]
        )
        who = await partners.get_partners(session, ids={p.partner_id for p in items})
        where = await districts.get_districts(session, codes={p.district_code for p in items})
        for p in items:
            partner = who[p.partner_id]
            district = where[p.district_code]
            yield _partnership_row(p, partner, district.name, district.province_code, areas)


def _partnership_row(
    p: Partnership,
    partner: Partner,
    district_name: str,
    province_code: str,
    areas: dict[int, list[str]],
) -> Row:
    return (
        p.id,
        p.partner_id,
        partner.name,
        partner.kind,
        p.district_code,
        district_name,
        province_code,
        p.status,
        p.start_year,
        p.start_date,
        p.end_date,
        p.duration_months,
        partnerships.effective_duration_months(p.duration_months, p.start_date, p.end_date),
        partnerships.is_commitment(p.status, p.duration_months, p.start_date, p.end_date),
        p.budget_idr,
        p.target_beneficiaries,
        _joined(areas.get(p.id, [])),
        p.source_url,
        _provenance(bool(p.synthetic)),
    )


async def quota_rows(
    session: AsyncSession,
    *,
    province_codes: Sequence[str] | None = None,
    world: World = World.REAL,
) -> AsyncIterator[Row]:
    """Three rows per province (company, regional partner, local media), by province code."""
    all_provinces = await provinces.list_provinces(session)
    chosen = [p for p in all_provinces if not province_codes or p.code in province_codes]
    progress = await campaign.quota_progress_by_province(
        session, province_codes=[p.code for p in chosen], world=world
    )
    for p in chosen:
        for q in progress[p.code]:
            yield (
                p.code,
                p.name,
                q.category.value,
                q.target,
                q.committed,
                q.committed,
                q.committed_twelve_months,
                q.remaining,
                q.met,
                QUOTA_PROVENANCE[world],
            )


async def expiring_rows(
    session: AsyncSession,
    *,
    within_days: int = commitments.DEFAULT_WITHIN_DAYS,
    filter: commitments.ExpiringFilter | None = None,
    today: dt.date | None = None,
    world: World = World.REAL,
    items: Sequence[commitments.ExpiringCommitment] | None = None,
) -> AsyncIterator[Row]:
    """Yield the expiring commitments, soonest first (a short list: no batching needed).

    ``items``: the list already computed (the HTTP export counts it first); else it is
    computed from the other arguments.
    """
    if items is None:
        items = await commitments.expiring_commitments(
            session, within_days=within_days, filter=filter, today=today, world=world
        )
    who = await partners.get_partners(session, ids={i.partner_id for i in items})
    where = await districts.get_districts(session, codes={i.district_code for i in items})
    synthetic = await partnerships.get_partnerships(session, ids=[i.partnership_id for i in items])
    for i in items:
        yield (
            i.partnership_id,
            i.partner_id,
            who[i.partner_id].name,
            i.partner_kind,
            i.district_code,
            where[i.district_code].name,
            i.province_code,
            i.start_date,
            i.end_date,
            i.days_left,
            i.commitment_months,
            i.reached_six_months,
            i.reached_twelve_months,
            i.quota_category.value,
            i.quota_target,
            i.committed_now,
            i.committed_after_end,
            i.quota_at_risk,
            _provenance(bool(synthetic[i.partnership_id].synthetic)),
        )


async def plan_rows(session: AsyncSession, *, plan: ProvincePlan) -> AsyncIterator[Row]:
    """Yield the province plan's picks, by category and rank within it."""
    who = await partners.get_partners(session, ids={p.partner_id for p in plan.picks})
    where = await districts.get_districts(session, codes={p.district_code for p in plan.picks})
    ranks: dict[str, int] = {}
    for pick in plan.picks:
        ranks[pick.category.value] = ranks.get(pick.category.value, 0) + 1
        partner = who[pick.partner_id]
        yield (
            plan.province_code,
            pick.category.value,
            ranks[pick.category.value],
            pick.partner_id,
            partner.name,
            partner.kind,
            pick.district_code,
            where[pick.district_code].name,
            round(pick.score, 4),
            _joined(pick.areas_covered),
            " | ".join(r.sentence for r in pick.reasons),
            plan.model_version,
            _provenance(bool(partner.synthetic)),
        )


# What the README sheet of every workbook (and the /export/ index) says about sources.
SOURCES: tuple[tuple[str, str, str], ...] = (
    (
        "Province and district names and codes",
        "idn-area-data 4.0.1 (github.com/fityannugroho/idn-area-data)",
        "Open Database License (ODbL) 1.0: attribution and share-alike for derived databases",
    ),
    (
        "District coordinates",
        "laravolt/indonesia (github.com/laravolt/indonesia)",
        "MIT",
    ),
    (
        "Area and population (Kepmendagri 2025)",
        "cahyadsn/wilayah (github.com/cahyadsn/wilayah)",
        "MIT",
    ),
    (
        "Stunting prevalence",
        "Kementerian Kesehatan surveys (Riskesdas 2018, SSGBI 2019, SSGI 2021/2022/2024, "
        "SKI 2023) as re-published by the news and data sites named in each row's source_url",
        "facts, with attribution: cite the survey and the source of each figure",
    ),
    (
        "Imputed prevalence (prevalence_imputed = true)",
        "the pre-2022 province's figure for the same survey, repeated for a district "
        "without a published one",
        "not a published figure",
    ),
    (
        "Daerah tertinggal 2020-2024",
        "Perpres 63/2020",
        "facts, with attribution",
    ),
    (
        "Real partnerships and partners (provenance = real)",
        "public web pages (news, company, NGO and university pages), one source_url per row",
        "facts, with attribution; the pages remain their publishers' copyright",
    ),
    (
        "Synthetic partners and partnerships (provenance = synthetic (demo))",
        "generated by Mitra's seed (service/seed/synthetic.py): a demonstration world",
        "describe no real organisation",
    ),
    (
        "District boundaries (GeoJSON export, console map)",
        "BPS - Statistics Indonesia (2020), via OCHA ROAP / HDX (COD-AB); simplified, "
        "lakes removed and re-coded to Kemendagri codes",
        "CC BY 3.0 IGO (creativecommons.org/licenses/by/3.0/igo/legalcode)",
    ),
)
