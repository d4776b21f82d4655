"""Partnership: one partner working in one district."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.ids import to_global_id
from schema.scalars import BigInt, big_int
from schema.types.enums import InterventionArea, PartnershipStatus
from schema.types.node import Node
from schema.types.refs import district_ref, partner_ref
from service.db import enums, models
from service.domain.partnerships import effective_duration_months, is_commitment

if TYPE_CHECKING:
    from schema.types.district import District
    from schema.types.partner import Partner


@strawberry.type(description="A partner's engagement in one district.")
class Partnership(Node):
    database_id: int
    start_year: int | None
    start_date: dt.date | None
    end_date: dt.date | None
    duration_months: int | None = strawberry.field(
        description="Stated or planned length; for real rows only when the source states it."
    )
    budget_idr: BigInt | None
    target_beneficiaries: int | None
    status: PartnershipStatus
    outcome: str | None
    source_url: str | None
    notes: str | None
    synthetic: bool = strawberry.field(
        description="True for generated demonstration history, false for real records."
    )
    partner_id: strawberry.Private[int]
    district_code: strawberry.Private[str]

    @classmethod
    def from_model(cls, row: models.Partnership) -> Partnership:
        return cls(
            id=strawberry.ID(to_global_id("Partnership", row.id)),
            database_id=row.id,
            start_year=row.start_year,
            start_date=row.start_date,
            end_date=row.end_date,
            duration_months=row.duration_months,
            budget_idr=big_int(row.budget_idr),
            target_beneficiaries=row.target_beneficiaries,
            status=enums.PartnershipStatus(row.status),
            outcome=row.outcome,
            source_url=row.source_url,
            notes=row.notes,
            synthetic=bool(row.synthetic),
            partner_id=row.partner_id,
            district_code=row.district_code,
        )

    @strawberry.field(description="durationMonths, else the months between the dates.")
    def effective_duration_months(self) -> int | None:
        return effective_duration_months(self.duration_months, self.start_date, self.end_date)

    @strawberry.field(
        description="Counts towards the campaign: active/completed/reported and >= 6 months."
    )
    def is_commitment(self) -> bool:
        return is_commitment(
            self.status.value, self.duration_months, self.start_date, self.end_date
        )

    @strawberry.field
    async def partner(
        self, info: Info
    ) -> Annotated[Partner, strawberry.lazy("schema.types.partner")]:
        return await partner_ref(info, self.partner_id, f"partnership {self.database_id}")

    @strawberry.field
    async def district(
        self, info: Info
    ) -> Annotated[District, strawberry.lazy("schema.types.district")]:
        return await district_ref(info, self.district_code, f"partnership {self.database_id}")

    @strawberry.field
    async def intervention_areas(self, info: Info) -> list[InterventionArea]:
        areas = await info.context.loaders.partnership_areas.load(self.database_id)
        return [enums.InterventionArea(a) for a in areas]
