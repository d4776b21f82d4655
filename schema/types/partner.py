"""Partner: a company, foundation, NGO, media house ... that can fund or run interventions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.ids import to_global_id
from schema.types.enums import InterventionArea
from schema.types.node import Node
from schema.types.partner_fields import partner_fields, partner_values
from service.db import enums, models

if TYPE_CHECKING:
    from schema.types.district import District
    from schema.types.partnership import Partnership
    from schema.types.province import Province


@strawberry.type(description="An organisation that can partner with a district.")
@partner_fields("type")  # name, kind, ... archivedAt: the model's columns
class Partner(Node):
    database_id: int

    @classmethod
    def from_model(cls, row: models.Partner) -> Partner:
        return cls(
            id=strawberry.ID(to_global_id("Partner", row.id)),
            database_id=row.id,
            **partner_values(row),
        )

    @strawberry.field
    def archived(self) -> bool:
        archived_at: dt.datetime | None = getattr(self, "archived_at")  # noqa: B009
        return archived_at is not None

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
        return [District.from_model(row, info.context.reference) for row in rows if row is not None]

    @strawberry.field
    async def partnerships(
        self, info: Info
    ) -> list[Annotated[Partnership, strawberry.lazy("schema.types.partnership")]]:
        from schema.types.partnership import Partnership

        rows = await info.context.loaders.partnerships_by_partner.load(self.database_id)
        return [Partnership.from_model(row) for row in rows]
