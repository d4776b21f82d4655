"""Partner: a company, foundation, NGO, media house ... that can fund or run interventions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.ids import to_global_id
from schema.scalars import BigInt, big_int
from schema.types.enums import InterventionArea, PartnerKind, PartnerScope
from schema.types.node import Node
from service.db import enums, models

if TYPE_CHECKING:
    from schema.types.district import District
    from schema.types.partnership import Partnership
    from schema.types.province import Province


@strawberry.type(description="An organisation that can partner with a district.")
class Partner(Node):
    database_id: int
    name: str
    kind: PartnerKind
    sector: str | None
    scope: PartnerScope
    headquarters: str | None
    annual_budget_idr: BigInt | None
    typical_commitment_months: int | None
    description: str | None
    website: str | None
    source_url: str | None
    synthetic: bool = strawberry.field(
        description="True for generated demonstration partners, false for real ones."
    )
    archived_at: dt.datetime | None

    @classmethod
    def from_model(cls, row: models.Partner) -> Partner:
        return cls(
            id=strawberry.ID(to_global_id("Partner", row.id)),
            database_id=row.id,
            name=row.name,
            kind=enums.PartnerKind(row.kind),
            sector=row.sector,
            scope=enums.PartnerScope(row.scope),
            headquarters=row.headquarters,
            annual_budget_idr=big_int(row.annual_budget_idr),
            typical_commitment_months=row.typical_commitment_months,
            description=row.description,
            website=row.website,
            source_url=row.source_url,
            synthetic=bool(row.synthetic),
            archived_at=row.archived_at,
        )

    @strawberry.field
    def archived(self) -> bool:
        return self.archived_at is not None

    @strawberry.field
    async def intervention_areas(self, info: Info) -> list[InterventionArea]:
        areas = await info.context.loaders.partner_areas.load(self.database_id)
        return [enums.InterventionArea(a) for a in areas]

    @strawberry.field
    async def operating_provinces(
        self, info: Info
    ) -> list[Annotated[Province, strawberry.lazy("schema.types.province")]]:
        from schema.types.province import Province

        codes = await info.context.loaders.partner_provinces.load(self.database_id)
        rows = await info.context.loaders.province.load_many(codes)
        return [Province.from_model(row) for row in rows if row is not None]

    @strawberry.field
    async def operating_districts(
        self, info: Info
    ) -> list[Annotated[District, strawberry.lazy("schema.types.district")]]:
        from schema.types.district import District

        codes = await info.context.loaders.partner_districts.load(self.database_id)
        rows = await info.context.loaders.district.load_many(codes)
        return [District.from_model(row) for row in rows if row is not None]

    @strawberry.field
    async def partnerships(
        self, info: Info
    ) -> list[Annotated[Partnership, strawberry.lazy("schema.types.partnership")]]:
        from schema.types.partnership import Partnership

        rows = await info.context.loaders.partnerships_by_partner.load(self.database_id)
        return [Partnership.from_model(row) for row in rows]
