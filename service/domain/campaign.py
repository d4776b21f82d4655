"""BKKBN campaign progress: per-province partner quotas and the national 1,000-partner target.

A *commitment* is a partnership that :func:`~service.domain.partnerships.is_commitment`
accepts. A partner with a commitment in a district counts once towards the quota of
that district's province, in the category given by :func:`quota_category` of its kind,
except media, which fill the local-media quota only where they are local media
(:mod:`service.domain.local_media`): a national outlet counts towards the national
total and no province's quota.

The campaign asks for commitments of at least 6 months, ideally 12: every commitment
reaches the first threshold, and the partners with one of 12 months or more are
counted apart.

Everything is counted in one :class:`~service.domain.worlds.World`: the real record by
default; with the demo world the generated commitments are counted too, and also
apart (``synthetic_committed_partners``).
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
from service.domain.local_media import local_media_provinces
from service.domain.partnerships import (
    COMMITTED_STATUSES,
    effective_duration_months,
    is_commitment,
    partnerships_with_partner_and_district,
)
from service.domain.worlds import World


@dataclass(frozen=True)
class Commitment:
    """A partnership that counts towards the campaign, with what the quotas need of it."""

    partnership_id: int
    partner_id: int
    partner_kind: str
    province_code: str
    # The province quota it fills: None for media that are not local media there.
    category: QuotaCategory | None
    synthetic: bool
    months: int  # the effective duration, at least MIN_COMMITMENT_MONTHS

    @property
    def twelve_months(self) -> bool:
        """Whether the commitment lasts twelve months or more."""
        return self.months >= IDEAL_COMMITMENT_MONTHS


@dataclass(frozen=True)
class QuotaProgress:
    """One quota category in one province: its target and the partners committed."""

    category: QuotaCategory
    target: int
    partner_ids: tuple[int, ...]
    # Of ``partner_ids``, those with a commitment of at least 12 months here.
    twelve_month_partner_ids: tuple[int, ...] = ()

    @property
    def committed(self) -> int:
        """Number of distinct partners committed."""
        return len(self.partner_ids)

    @property
    def committed_twelve_months(self) -> int:
        """Number of distinct partners committed for twelve months or more."""
        return len(self.twelve_month_partner_ids)

    @property
    def remaining(self) -> int:
        """Partners still needed to reach the target (never negative)."""
        return max(self.target - self.committed, 0)

    @property
    def met(self) -> bool:
        """Whether the target is reached."""
        return self.committed >= self.target


@dataclass(frozen=True)
class CategoryProgress:
    """One quota category across all provinces."""

    category: QuotaCategory
    target_per_province: int
    provinces_meeting_quota: int
    committed_partners: int
    committed_partners_twelve_months: int


@dataclass(frozen=True)
class CampaignProgress:
    """The campaign as a whole: committed partners and quotas met."""

    target: int
    committed_partners: int
    committed_partners_twelve_months: int
    synthetic_committed_partners: int  # of committed_partners; 0 in the real record
    world: World
    provinces: int
    provinces_meeting_all_quotas: int
    by_category: tuple[CategoryProgress, ...]


def _category(
    kind: str, province: str, local_media: dict[int, frozenset[str]], pid: int
) -> QuotaCategory | None:
    category = quota_category(kind)
    if category is QuotaCategory.LOCAL_MEDIA and province not in local_media.get(pid, ()):
        return None
    return category


async def list_commitments(
    session: AsyncSession,
    *,
    province_codes: Iterable[str] | None = None,
    world: World = World.REAL,
) -> list[Commitment]:
    """List the partnerships that count as commitments, optionally in some provinces only."""
    stmt = partnerships_with_partner_and_district(
        Partnership.id,
        Partnership.partner_id,
        Partner.kind,
        District.province_code,
        Partner.synthetic,
        Partnership.status,
        Partnership.duration_months,
        Partnership.start_date,
        Partnership.end_date,
        statuses=COMMITTED_STATUSES,
        province_codes=province_codes,
        world=world,
    )
    rows = [r for r in (await session.execute(stmt)).all() if is_commitment(*r[5:])]
    local_media = await local_media_provinces(
        session,
        partner_ids={
            r.partner_id for r in rows if quota_category(r.kind) is QuotaCategory.LOCAL_MEDIA
        },
    )
    return [
        Commitment(
            pid,
            partner_id,
            kind,
            province,
            _category(kind, province, local_media, partner_id),
            bool(synthetic),
            effective_duration_months(months, start, end) or 0,
        )
        for pid, partner_id, kind, province, synthetic, _status, months, start, end in rows
    ]


def _progress(
    commitments: Iterable[Commitment], codes: Iterable[str]
) -> dict[str, list[QuotaProgress]]:
    partners: dict[tuple[str, QuotaCategory], set[int]] = defaultdict(set)
    twelve: dict[tuple[str, QuotaCategory], set[int]] = defaultdict(set)
    for c in commitments:
        if c.category is None:
            continue
        key = (c.province_code, c.category)
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
    session: AsyncSession, *, province_codes: Iterable[str], world: World = World.REAL
) -> dict[str, list[QuotaProgress]]:
    """Compute the quota progress of each province in ``province_codes``."""
    codes = list(province_codes)
    return _progress(await list_commitments(session, province_codes=codes, world=world), codes)


async def campaign_progress(
    session: AsyncSession, *, world: World = World.REAL
) -> CampaignProgress:
    """Compute the progress of the whole campaign."""
    codes = list((await session.execute(select(Province.code))).scalars())
    commitments = await list_commitments(session, world=world)
    progress = _progress(commitments, codes)
    by_category = tuple(
        CategoryProgress(
            category=category,
            target_per_province=target,
            provinces_meeting_quota=sum(
                1 for rows in progress.values() for q in rows if q.category is category and q.met
            ),
            committed_partners=len({c.partner_id for c in commitments if c.category is category}),
            committed_partners_twelve_months=len(
                {c.partner_id for c in commitments if c.twelve_months and c.category is category}
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
        synthetic_committed_partners=len({c.partner_id for c in commitments if c.synthetic}),
        world=world,
        provinces=len(codes),
        provinces_meeting_all_quotas=sum(
            1 for rows in progress.values() if all(q.met for q in rows)
        ),
        by_category=by_category,
    )
