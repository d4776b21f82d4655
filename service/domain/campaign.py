"""BKKBN campaign progress: per-province partner quotas and the national 1,000-partner target.

A *commitment* is a partnership that :func:`~service.domain.partnerships.is_commitment`
accepts. A partner with a commitment in a district counts once towards the quota of
that district's province, in the category given by :func:`quota_category` of its kind.
The campaign asks for commitments of at least 6 months, ideally 12: every commitment
reaches the first threshold, and the partners with one of 12 months or more are
counted apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.enums import (
    IDEAL_COMMITMENT_MONTHS,
    NATIONAL_PARTNER_TARGET,
    QUOTA_TARGETS,
    QuotaCategory,
    quota_category,
)
from service.db.models import District, Partner, Partnership, Province
from service.domain.partnerships import (
    COMMITTED_STATUSES,
    effective_duration_months,
    is_commitment,
)


@dataclass(frozen=True)
class Commitment:
    partnership_id: int
    partner_id: int
    partner_kind: str
    province_code: str
    months: int  # the effective duration, at least MIN_COMMITMENT_MONTHS

    @property
    def twelve_months(self) -> bool:
        return self.months >= IDEAL_COMMITMENT_MONTHS


@dataclass(frozen=True)
class QuotaProgress:
    category: QuotaCategory
    target: int
    partner_ids: tuple[int, ...]
    # Of ``partner_ids``, those with a commitment of at least 12 months here.
    twelve_month_partner_ids: tuple[int, ...] = ()

    @property
    def committed(self) -> int:
        return len(self.partner_ids)

    @property
    def committed_twelve_months(self) -> int:
        return len(self.twelve_month_partner_ids)

    @property
    def remaining(self) -> int:
        return max(self.target - self.committed, 0)

    @property
    def met(self) -> bool:
        return self.committed >= self.target


@dataclass(frozen=True)
class CategoryProgress:
    category: QuotaCategory
    target_per_province: int
    provinces_meeting_quota: int
    committed_partners: int
    committed_partners_twelve_months: int


@dataclass(frozen=True)
class CampaignProgress:
    target: int
    committed_partners: int
    committed_partners_twelve_months: int
    provinces: int
    provinces_meeting_all_quotas: int
    by_category: tuple[CategoryProgress, ...]


async def list_commitments(
    session: AsyncSession, *, province_codes: Iterable[str] | None = None
) -> list[Commitment]:
    stmt = (
        select(
            Partnership.id,
            Partnership.partner_id,
            Partner.kind,
            District.province_code,
            Partnership.status,
            Partnership.duration_months,
            Partnership.start_date,
            Partnership.end_date,
        )
        .join(Partner, Partner.id == Partnership.partner_id)
        .join(District, District.code == Partnership.district_code)
        .where(Partnership.status.in_([s.value for s in COMMITTED_STATUSES]))
        .order_by(Partnership.id)
    )
    if province_codes is not None:
        stmt = stmt.where(District.province_code.in_(list(province_codes)))
    return [
        Commitment(
            pid, partner_id, kind, province, effective_duration_months(months, start, end) or 0
        )
        for pid, partner_id, kind, province, status, months, start, end in (
            await session.execute(stmt)
        ).all()
        if is_commitment(status, months, start, end)
    ]


def _progress(
    commitments: Iterable[Commitment], codes: Iterable[str]
) -> dict[str, list[QuotaProgress]]:
    partners: dict[tuple[str, QuotaCategory], set[int]] = defaultdict(set)
    twelve: dict[tuple[str, QuotaCategory], set[int]] = defaultdict(set)
    for c in commitments:
        key = (c.province_code, quota_category(c.partner_kind))
        partners[key].add(c.partner_id)
        if c.twelve_months:
            twelve[key].add(c.partner_id)
    return {
        code: [
            QuotaProgress(
                category=category,
                target=target,
                partner_ids=tuple(sorted(partners.get((code, category), ()))),
                twelve_month_partner_ids=tuple(sorted(twelve.get((code, category), ()))),
            )
            for category, target in QUOTA_TARGETS.items()
        ]
        for code in codes
    }


async def quota_progress_by_province(
    session: AsyncSession, *, province_codes: Iterable[str]
) -> dict[str, list[QuotaProgress]]:
    codes = list(province_codes)
    return _progress(await list_commitments(session, province_codes=codes), codes)


async def campaign_progress(session: AsyncSession) -> CampaignProgress:
    codes = list((await session.execute(select(Province.code))).scalars())
    commitments = await list_commitments(session)
    progress = _progress(commitments, codes)
    by_category = tuple(
        CategoryProgress(
            category=category,
            target_per_province=target,
            provinces_meeting_quota=sum(
                1 for rows in progress.values() for q in rows if q.category is category and q.met
            ),
            committed_partners=len(
                {c.partner_id for c in commitments if quota_category(c.partner_kind) is category}
            ),
            committed_partners_twelve_months=len(
                {
                    c.partner_id
                    for c in commitments
                    if c.twelve_months and quota_category(c.partner_kind) is category
                }
            ),
        )
        for category, target in QUOTA_TARGETS.items()
    )
    return CampaignProgress(
        target=NATIONAL_PARTNER_TARGET,
        committed_partners=len({c.partner_id for c in commitments}),
        committed_partners_twelve_months=len(
            {c.partner_id for c in commitments if c.twelve_months}
        ),
        provinces=len(codes),
        provinces_meeting_all_quotas=sum(
            1 for rows in progress.values() if all(q.met for q in rows)
        ),
        by_category=by_category,
    )
