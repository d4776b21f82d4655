"""Commitments that expire: which end soon, and whether their end costs a province its quota.

A commitment is *in force* on a day when it is a campaign commitment
(:func:`~service.domain.partnerships.is_commitment`), still running (status active or
reported) and has no end date or one on or after that day. The quota state an
expiring commitment is judged against counts, per province and quota category, the
distinct partners with a commitment in force: today, and on the day after the
commitment ends (when it and every other one ending by then has lapsed). Its quota is
*at risk* when the category meets its target today and would not on that day.

Completed commitments still count in :mod:`service.domain.campaign` (a partner that
kept its promise stays counted); here only commitments in force count, because the
question is whether the province keeps partners at work.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.enums import (
    IDEAL_COMMITMENT_MONTHS,
    MIN_COMMITMENT_MONTHS,
    QUOTA_TARGETS,
    PartnerKind,
    PartnershipStatus,
    QuotaCategory,
)
from service.db.enums import quota_category as category_of
from service.db.models import District, Partner, Partnership
from service.domain.local_media import local_media_provinces
from service.domain.partnerships import (
    effective_duration_months,
    is_commitment,
    months_between,
    partnerships_with_partner_and_district,
)
from service.domain.worlds import World

# Statuses of a partnership that is still running, so its end date lies ahead of it.
RUNNING_STATUSES: tuple[PartnershipStatus, ...] = (
    PartnershipStatus.ACTIVE,
    PartnershipStatus.REPORTED,
)
WITHIN_DAYS_MIN, WITHIN_DAYS_MAX = 1, 730
DEFAULT_WITHIN_DAYS = 60


@dataclass(frozen=True)
class ExpiringFilter:
    """All given conditions must hold; an empty or missing list places no condition."""

    province_codes: Sequence[str] | None = None
    district_codes: Sequence[str] | None = None
    partner_ids: Sequence[int] | None = None
    kinds: Sequence[PartnerKind] | None = None


@dataclass(frozen=True)
class ExpiringCommitment:
    """A running partnership ending soon, with what its end would mean for the quotas."""

    partnership_id: int
    partner_id: int
    partner_kind: str
    district_code: str
    province_code: str
    start_date: dt.date | None
    end_date: dt.date
    days_left: int
    commitment_months: int | None  # the stated duration, else the span of the dates
    months_so_far: int | None  # from the start to today (to the end, once it has ended)
    is_commitment: bool
    quota_category: QuotaCategory
    quota_target: int
    committed_now: int  # distinct partners of the category with a commitment in force today
    committed_after_end: int  # the same on the day after this one ends

    # The campaign's thresholds, judged on the length the commitment has by its end date.
    @property
    def reached_six_months(self) -> bool:
        """Whether the commitment is six months long by its end date."""
        return (
            self.commitment_months is not None and self.commitment_months >= MIN_COMMITMENT_MONTHS
        )

    @property
    def reached_twelve_months(self) -> bool:
        """Whether the commitment is twelve months long by its end date."""
        return (
            self.commitment_months is not None and self.commitment_months >= IDEAL_COMMITMENT_MONTHS
        )

    @property
    def quota_at_risk(self) -> bool:
        """The category meets its target today and would not once this commitment ends."""
        return (
            self.is_commitment
            and self.committed_now >= self.quota_target > self.committed_after_end
        )


def within_days_error(within_days: int) -> str | None:
    """Why ``within_days`` is refused, or None when it is in range."""
    if WITHIN_DAYS_MIN <= within_days <= WITHIN_DAYS_MAX:
        return None
    return (
        f"withinDays must be between {WITHIN_DAYS_MIN} and {WITHIN_DAYS_MAX} days "
        f"(about two years), not {within_days}"
    )


@dataclass(frozen=True)
class _Row:
    partnership_id: int
    partner_id: int
    kind: str
    district_code: str
    province_code: str
    status: str
    duration_months: int | None
    start_date: dt.date | None
    end_date: dt.date | None

    @property
    def commitment(self) -> bool:
        return is_commitment(self.status, self.duration_months, self.start_date, self.end_date)

    def in_force(self, day: dt.date) -> bool:
        return (
            self.status in {s.value for s in RUNNING_STATUSES}
            and self.commitment
            and (self.end_date is None or self.end_date >= day)
        )


async def _running_rows(
    session: AsyncSession,
    *,
    province_codes: Iterable[str] | None = None,
    world: World = World.REAL,
) -> list[_Row]:
    stmt = partnerships_with_partner_and_district(
        Partnership.id,
        Partnership.partner_id,
        Partner.kind,
        Partnership.district_code,
        District.province_code,
        Partnership.status,
        Partnership.duration_months,
        Partnership.start_date,
        Partnership.end_date,
        statuses=RUNNING_STATUSES,
        province_codes=province_codes,
        world=world,
    )
    return [_Row(*row) for row in (await session.execute(stmt)).all()]


def _in_force_partners(
    rows: Iterable[_Row], day: dt.date, local_media: dict[int, frozenset[str]]
) -> dict[tuple[str, QuotaCategory], set[int]]:
    """Partners in force on ``day`` per (province, quota); media only where local media."""
    partners: dict[tuple[str, QuotaCategory], set[int]] = defaultdict(set)
    for row in rows:
        category = category_of(row.kind)
        if category is QuotaCategory.LOCAL_MEDIA and row.province_code not in local_media.get(
            row.partner_id, ()
        ):
            continue
        if row.in_force(day):
            partners[(row.province_code, category)].add(row.partner_id)
    return partners


def _matches(row: _Row, flt: ExpiringFilter) -> bool:
    return (
        (not flt.province_codes or row.province_code in flt.province_codes)
        and (not flt.district_codes or row.district_code in flt.district_codes)
        and (not flt.partner_ids or row.partner_id in flt.partner_ids)
        and (not flt.kinds or row.kind in {PartnerKind(k).value for k in flt.kinds})
    )


async def expiring_commitments(
    session: AsyncSession,
    *,
    within_days: int = DEFAULT_WITHIN_DAYS,
    filter: ExpiringFilter | None = None,
    today: dt.date | None = None,
    world: World = World.REAL,
) -> list[ExpiringCommitment]:
    """List the running partnerships whose end date falls in ``[today, today + within_days]``.

    Ordered by end date, then partnership id. ``within_days`` must pass
    :func:`within_days_error` (ValueError otherwise). Counted in ``world`` (the real
    record unless DEMO), and like the quota progress, media count towards a province's
    local-media quota only where they are local media.
    """
    problem = within_days_error(within_days)
    if problem is not None:
        raise ValueError(problem)
    flt = filter or ExpiringFilter()
    today = today or dt.date.today()
    horizon = today + dt.timedelta(days=within_days)
    rows = await _running_rows(
        session,
        province_codes=list(flt.province_codes) if flt.province_codes else None,
        world=world,
    )
    expiring = [
        row
        for row in rows
        if row.end_date is not None and today <= row.end_date <= horizon and _matches(row, flt)
    ]
    if not expiring:
        return []
    local = await local_media_provinces(
        session,
        partner_ids={
            r.partner_id for r in rows if category_of(r.kind) is QuotaCategory.LOCAL_MEDIA
        },
    )
    now = _in_force_partners(rows, today, local)
    after: dict[dt.date, dict[tuple[str, QuotaCategory], set[int]]] = {}
    items = []
    for row in sorted(expiring, key=lambda r: (r.end_date, r.partnership_id)):
        assert row.end_date is not None
        day_after = row.end_date + dt.timedelta(days=1)
        if day_after not in after:
            after[day_after] = _in_force_partners(rows, day_after, local)
        category = category_of(row.kind)
        key = (row.province_code, category)
        items.append(
            ExpiringCommitment(
                partnership_id=row.partnership_id,
                partner_id=row.partner_id,
                partner_kind=row.kind,
                district_code=row.district_code,
                province_code=row.province_code,
                start_date=row.start_date,
                end_date=row.end_date,
                days_left=(row.end_date - today).days,
                commitment_months=effective_duration_months(
                    row.duration_months, row.start_date, row.end_date
                ),
                months_so_far=(
                    None
                    if row.start_date is None or row.start_date > today
                    else months_between(row.start_date, min(today, row.end_date))
                ),
                is_commitment=row.commitment,
                quota_category=category,
                quota_target=QUOTA_TARGETS[category],
                committed_now=len(now.get(key, ())),
                committed_after_end=len(after[day_after].get(key, ())),
            )
        )
    return items
