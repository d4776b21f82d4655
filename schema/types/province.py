"""Province: one of the 38 provinces, with its districts, prevalence and campaign quotas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.ids import to_global_id
from schema.scalars import BigInt, big_int
from schema.types.campaign import QuotaProgress
from schema.types.node import Node
from schema.types.prevalence import StuntingPrevalence
from schema.worlds import WorldArg, checked_world
from service.db import models
from service.domain.worlds import World

if TYPE_CHECKING:
    from schema.types.district import District


@strawberry.type(description="A province (provinsi), keyed by its Kemendagri code.")
class Province(Node):
    code: str = strawberry.field(description='Kemendagri code, e.g. "53".')
    name: str
    latitude: float | None = strawberry.field(description="Approximate representative point.")
    longitude: float | None
    population: BigInt | None = strawberry.field(description="Dukcapil population (2025).")
    area_km2: float | None
    island_group: str
    priority_2022: bool = strawberry.field(
        description="One of BKKBN's 12 priority provinces for stunting reduction in 2022."
    )

    @classmethod
    def from_model(cls, row: models.Province) -> Province:
        return cls(
            id=strawberry.ID(to_global_id("Province", row.code)),
            code=row.code,
            name=row.name,
            latitude=row.latitude,
            longitude=row.longitude,
            population=big_int(row.population),
            area_km2=row.area_km2,
            island_group=row.island_group,
            priority_2022=bool(row.priority_2022),
        )

    @strawberry.field(description="Its districts, ordered by code.")
    async def districts(
        self, info: Info
    ) -> list[Annotated[District, strawberry.lazy("schema.types.district")]]:
        from schema.types.district import District

        rows = await info.context.loaders.districts_by_province.load(self.code)
        return [District.from_model(row, info.context.reference) for row in rows]

    @strawberry.field(description="Published province figures, oldest first.")
    async def stunting_prevalence_series(self, info: Info) -> list[StuntingPrevalence]:
        rows = await info.context.loaders.province_series.load(self.code)
        return [StuntingPrevalence.from_model(row) for row in rows]

    @strawberry.field(
        description="Progress towards BKKBN's quota: 5 companies, 10 regional partners, 4 local "
        "media; in the real record unless world DEMO."
    )
    async def quota_progress(self, info: Info, world: WorldArg = World.REAL) -> list[QuotaProgress]:
        world = await checked_world(info, world)
        rows = await info.context.loaders.quota_progress.load((self.code, world))
        return [QuotaProgress.from_domain(row) for row in rows]
