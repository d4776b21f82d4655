"""District: a kabupaten or kota with its prevalence, partnerships and partner counts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.ids import to_global_id
from schema.reference_views import views
from schema.scalars import BigInt, big_int
from schema.types.enums import DistrictType, PartnerKind
from schema.types.node import Node
from schema.types.prevalence import StuntingPrevalence
from schema.worlds import WorldArg, checked_world
from service.db import enums, models
from service.domain.worlds import World

if TYPE_CHECKING:
    from schema.types.partnership import Partnership
    from schema.types.province import Province
    from schema.types.situation import DistrictSituation
    from service.domain.reference import ReferenceData


@strawberry.type(description="Distinct partners of one kind.")
class PartnerKindCount:
    kind: PartnerKind
    count: int


@strawberry.type(description="A district (kabupaten or kota), keyed by its Kemendagri code.")
class District(Node):
    code: str = strawberry.field(description='Kemendagri code, e.g. "53.02".')
    name: str
    short_name: str
    type: DistrictType
    latitude: float = strawberry.field(description="Approximate representative point.")
    longitude: float
    area_km2: float | None
    population: BigInt | None = strawberry.field(description="Dukcapil population (2025).")
    underdeveloped: bool = strawberry.field(
        description="Daerah tertinggal 2020-2024 (Perpres 63/2020)."
    )
    bps_code_2020: str | None
    # Province and latest figure come from the reference snapshot as plain data
    # (schema/reference_views.py: built once per data version), not through resolvers.
    province: Annotated[Province, strawberry.lazy("schema.types.province")]
    latest_stunting_prevalence: StuntingPrevalence | None = strawberry.field(
        description=(
            "The latest figure published for the district; the latest imputed one "
            "(flagged) only when none was published."
        )
    )
    province_code: strawberry.Private[str]

    @classmethod
    def from_model(cls, row: models.District, reference: ReferenceData) -> District:
        """The district ``row``, its province and latest figure from ``reference``."""
        shared = views(reference)
        return cls(
            id=strawberry.ID(to_global_id("District", row.code)),
            code=row.code,
            name=row.name,
            short_name=row.short_name,
            type=enums.DistrictType(row.type),
            latitude=row.latitude,
            longitude=row.longitude,
            area_km2=row.area_km2,
            population=big_int(row.population),
            underdeveloped=bool(row.underdeveloped),
            bps_code_2020=row.bps_code_2020,
            province=shared.provinces[row.province_code],
            latest_stunting_prevalence=shared.latest_prevalence.get(row.code),
            province_code=row.province_code,
        )

    @strawberry.field(
        description="The figures published for this district, oldest first: its trend. "
        "Imputed estimates are never part of it; includeImputed: true adds them, flagged "
        "imputed: true (see also imputedStuntingPrevalence)."
    )
    async def stunting_prevalence_series(
        self, info: Info, include_imputed: bool = False
    ) -> list[StuntingPrevalence]:
        rows = await info.context.loaders.district_series.load(self.code)
        return [
            StuntingPrevalence.from_model(row) for row in rows if include_imputed or not row.imputed
        ]

    @strawberry.field(
        description="Estimates for this district, oldest first: its province's figure for a "
        "survey that published none for the district. Kept apart from the series: a "
        "province average is no point on the district's trend."
    )
    async def imputed_stunting_prevalence(self, info: Info) -> list[StuntingPrevalence]:
        rows = await info.context.loaders.district_series.load(self.code)
        return [StuntingPrevalence.from_model(row) for row in rows if row.imputed]

    @strawberry.field(
        description="Partnerships in this district, oldest record first: the real record "
        "unless world DEMO (generated ones then say synthetic: true)."
    )
    async def partnerships(
        self, info: Info, world: WorldArg = World.REAL
    ) -> list[Annotated[Partnership, strawberry.lazy("schema.types.partnership")]]:
        from schema.types.partnership import Partnership

        world = await checked_world(info, world)
        rows = await info.context.loaders.partnerships_by_district.load(self.code)
        return [
            Partnership.from_model(row)
            for row in rows
            if world.includes_synthetic or not row.synthetic
        ]

    @strawberry.field(
        description="Distinct partners with an ACTIVE partnership here, by kind (zeros "
        "omitted): real partners unless world DEMO."
    )
    async def active_partner_counts(
        self, info: Info, world: WorldArg = World.REAL
    ) -> list[PartnerKindCount]:
        world = await checked_world(info, world)
        stats = await info.context.loaders.district_partner_stats.load(self.code)
        if stats is None:
            return []
        return [
            PartnerKindCount(kind=enums.PartnerKind(kind), count=count)
            for kind, count in stats.active_by_kind(
                include_synthetic=world.includes_synthetic
            ).items()
        ]

    @strawberry.field(
        description="Partnerships from public sources (not synthetic) with status REPORTED."
    )
    async def reported_real_partnership_count(self, info: Info) -> int:
        stats = await info.context.loaders.district_partner_stats.load(self.code)
        return 0 if stats is None else stats.reported_real_partnerships

    @strawberry.field(
        description=(
            "Distinct partners with a campaign commitment here (active, completed or "
            "reported, at least 6 months): the response the console maps against need. "
            "Real partners unless world DEMO."
        )
    )
    async def committed_partner_count(self, info: Info, world: WorldArg = World.REAL) -> int:
        world = await checked_world(info, world)
        return await info.context.loaders.district_committed_partners.load((self.code, world))

    @strawberry.field(
        description="Situation analysis: prevalence, who works here, gaps, budgets, quotas; "
        "in the real record unless world DEMO."
    )
    async def situation(
        self, info: Info, world: WorldArg = World.REAL
    ) -> Annotated[DistrictSituation, strawberry.lazy("schema.types.situation")]:
        from schema.types.situation import DistrictSituation
        from service.domain.situation import district_situation

        world = await checked_world(info, world)
        async with info.context.session_factory() as session:
            row = await district_situation(session, code=self.code, world=world)
        assert row is not None, f"district {self.code} vanished"
        return DistrictSituation.from_domain(row)
