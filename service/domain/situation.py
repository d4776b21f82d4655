"""Situation analysis of one district (the Setwapres convergence framework's first step).

Prevalence with its sources, who works there by intervention area with the budgets on
record, the areas nobody covers, the gap to the national 14 % target, daerah-tertinggal
status and the province's quota state, in one call. "Works there" means a partnership
that is running: active, or reported by a public source (whose status the source does
not give). Budgets are summed only where one is on record; the partnerships without
one are counted, never guessed. Partnerships and quotas are of one
:class:`~service.domain.worlds.World`: the real record unless the demo world is asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from recommender.vocab import STUNTING_TARGET_PCT
from service.db.enums import InterventionArea
from service.db.models import District, IndicatorMeasurement, Partner, Partnership
from service.domain import campaign, partnerships, prevalence
from service.domain.commitments import RUNNING_STATUSES
from service.domain.worlds import World, in_world


@dataclass(frozen=True)
class AreaPresence:
    """The running partnerships of one intervention area in the district."""

    area: InterventionArea
    partner_ids: tuple[int, ...]
    partnership_ids: tuple[int, ...]
    known_budget_idr: int  # the sum of the budgets on record
    without_budget: int  # partnerships with no budget on record

    @property
    def partners(self) -> int:
        """Number of distinct partners working in the area."""
        return len(self.partner_ids)


@dataclass(frozen=True)
class Situation:
    """A district's stunting figures, covered and uncovered areas, and its province's quotas."""

    district_code: str
    province_code: str
    underdeveloped: bool
    series: Sequence[IndicatorMeasurement]
    latest: IndicatorMeasurement | None
    target_pct: float
    by_area: tuple[AreaPresence, ...]  # covered areas, in vocabulary order
    uncovered_areas: tuple[InterventionArea, ...]
    partnership_ids: tuple[int, ...]  # every running partnership, area or not
    partner_ids: tuple[int, ...]
    without_area: int  # running partnerships that name no intervention area
    known_budget_idr: int  # each partnership counted once
    without_budget: int
    quotas: Sequence[campaign.QuotaProgress]

    @property
    def gap_to_target(self) -> float | None:
        """Percentage points above the 14 % target (negative: below it)."""
        return None if self.latest is None else round(self.latest.value - self.target_pct, 1)


def _presence(area: InterventionArea, rows: Sequence[Partnership]) -> AreaPresence:
    return AreaPresence(
        area=area,
        partner_ids=tuple(sorted({r.partner_id for r in rows})),
        partnership_ids=tuple(r.id for r in rows),
        known_budget_idr=sum(r.budget_idr for r in rows if r.budget_idr is not None),
        without_budget=sum(1 for r in rows if r.budget_idr is None),
    )


async def district_situation(
    session: AsyncSession, *, code: str, world: World = World.REAL
) -> Situation | None:
    """Return the situation of district ``code`` in ``world``; None if there is no such district."""
    district = await session.get(District, code)
    if district is None:
        return None
    stmt = (
        select(Partnership)
        .join(Partner, Partner.id == Partnership.partner_id)
        .where(
            Partnership.district_code == code,
            Partnership.status.in_([s.value for s in RUNNING_STATUSES]),
        )
        .order_by(Partnership.id)
    )
    stmt = in_world(stmt, world)
    running = list((await session.scalars(stmt)).all())
    areas = await partnerships.areas_by_partnership(
        session, partnership_ids=[r.id for r in running]
    )
    by_area = tuple(
        _presence(area, rows)
        for area in InterventionArea
        if (rows := [r for r in running if area.value in areas.get(r.id, ())])
    )
    covered = {p.area for p in by_area}
    series = (await prevalence.series_by_district(session, district_codes=[code])).get(code, [])
    latest = (await prevalence.latest_by_district(session, district_codes=[code])).get(code)
    quotas = await campaign.quota_progress_by_province(
        session, province_codes=[district.province_code], world=world
    )
    return Situation(
        district_code=code,
        province_code=district.province_code,
        underdeveloped=bool(district.underdeveloped),
        series=series,
        latest=latest,
        target_pct=STUNTING_TARGET_PCT,
        by_area=by_area,
        uncovered_areas=tuple(a for a in InterventionArea if a not in covered),
        partnership_ids=tuple(r.id for r in running),
        partner_ids=tuple(sorted({r.partner_id for r in running})),
        without_area=sum(1 for r in running if not areas.get(r.id)),
        known_budget_idr=sum(r.budget_idr for r in running if r.budget_idr is not None),
        without_budget=sum(1 for r in running if r.budget_idr is None),
        quotas=quotas[district.province_code],
    )
