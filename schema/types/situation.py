"""DistrictSituation: the situation analysis of one district, in one object."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.scalars import BigInt
from schema.types.campaign import QuotaProgress
from schema.types.enums import InterventionArea
from schema.types.prevalence import StuntingPrevalence
from service.domain import situation

if TYPE_CHECKING:
    from schema.types.partner import Partner
    from schema.types.partnership import Partnership


async def _partners(info: Info, ids: tuple[int, ...]) -> list[Partner]:
    from schema.types.partner import Partner

    rows = await info.context.loaders.partner.load_many(list(ids))
    return [Partner.from_model(row) for row in rows if row is not None]


async def _partnerships(info: Info, ids: tuple[int, ...]) -> list[Partnership]:
    from schema.types.partnership import Partnership

    rows = await info.context.loaders.partnership.load_many(list(ids))
    return [Partnership.from_model(row) for row in rows if row is not None]


@strawberry.type(description="Who works on one intervention area in the district.")
class AreaPresence:
    area: InterventionArea
    partner_count: int
    partnership_count: int
    known_budget_idr: BigInt = strawberry.field(
        description="Sum of the budgets on record (IDR); partnerships without one add nothing."
    )
    partnerships_without_budget: int
    partner_ids: strawberry.Private[tuple[int, ...]]
    partnership_ids: strawberry.Private[tuple[int, ...]]

    @classmethod
    def from_domain(cls, row: situation.AreaPresence) -> AreaPresence:
        return cls(
            area=row.area,
            partner_count=row.partners,
            partnership_count=len(row.partnership_ids),
            known_budget_idr=BigInt(row.known_budget_idr),
            partnerships_without_budget=row.without_budget,
            partner_ids=row.partner_ids,
            partnership_ids=row.partnership_ids,
        )

    @strawberry.field
    async def partners(
        self, info: Info
    ) -> list[Annotated[Partner, strawberry.lazy("schema.types.partner")]]:
        return await _partners(info, self.partner_ids)

    @strawberry.field
    async def partnerships(
        self, info: Info
    ) -> list[Annotated[Partnership, strawberry.lazy("schema.types.partnership")]]:
        return await _partnerships(info, self.partnership_ids)


@strawberry.type(
    description=(
        "Situation analysis (Setwapres convergence framework): prevalence with sources, "
        "who works here by intervention area with known budgets, the areas nobody covers, "
        "the gap to the national target, daerah-tertinggal status and the province's "
        "quota state. 'Works here' means a running partnership: active, or reported by a "
        "public source."
    )
)
class DistrictSituation:
    prevalence_series: list[StuntingPrevalence] = strawberry.field(
        description="The published figures, oldest first, each with its source: the trend. "
        "Imputed estimates are never part of it (District.imputedStuntingPrevalence)."
    )
    latest_prevalence: StuntingPrevalence | None
    target_pct: float = strawberry.field(description="The national 2024 target: 14 %.")
    gap_to_target: float | None = strawberry.field(
        description="Latest prevalence minus the target, in percentage points (negative: below)."
    )
    underdeveloped: bool = strawberry.field(
        description="Daerah tertinggal 2020-2024 (Perpres 63/2020)."
    )
    by_area: list[AreaPresence] = strawberry.field(
        description="Covered intervention areas, in vocabulary order."
    )
    uncovered_areas: list[InterventionArea] = strawberry.field(
        description="Intervention areas no running partnership here covers."
    )
    partner_count: int
    partnership_count: int
    partnerships_without_area: int
    known_budget_idr: BigInt = strawberry.field(
        description="Sum of the budgets on record over the running partnerships (each once)."
    )
    partnerships_without_budget: int
    province_quotas: list[QuotaProgress] = strawberry.field(
        description="The province's campaign quotas (5 companies, 10 regional partners, 4 media)."
    )
    partner_ids: strawberry.Private[tuple[int, ...]]

    @classmethod
    def from_domain(cls, row: situation.Situation) -> DistrictSituation:
        return cls(
            prevalence_series=[
                StuntingPrevalence.from_model(m) for m in row.series if not m.imputed
            ],
            latest_prevalence=(
                None if row.latest is None else StuntingPrevalence.from_model(row.latest)
            ),
            target_pct=row.target_pct,
            gap_to_target=row.gap_to_target,
            underdeveloped=row.underdeveloped,
            by_area=[AreaPresence.from_domain(a) for a in row.by_area],
            uncovered_areas=list(row.uncovered_areas),
            partner_count=len(row.partner_ids),
            partnership_count=len(row.partnership_ids),
            partnerships_without_area=row.without_area,
            known_budget_idr=BigInt(row.known_budget_idr),
            partnerships_without_budget=row.without_budget,
            province_quotas=[QuotaProgress.from_domain(q) for q in row.quotas],
            partner_ids=row.partner_ids,
        )

    @strawberry.field(description="The partners with a running partnership here.")
    async def partners(
        self, info: Info
    ) -> list[Annotated[Partner, strawberry.lazy("schema.types.partner")]]:
        return await _partners(info, self.partner_ids)
