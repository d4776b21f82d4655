"""Recommendation resolvers: arguments -> the runtime recommender (in a thread) -> types."""

from __future__ import annotations

from typing import Annotated

import strawberry

from recommender.emphasis import DEFAULT_EMPHASIS
from schema.context import Info
from schema.errors import MitraError, NotFoundError, UserInputError
from schema.ids import parse_district_code, parse_province_code, parse_typed_id
from schema.types.enums import Emphasis, InterventionArea, PartnerKind
from schema.types.model_version import ModelVersion
from schema.types.recommendation import (
    DistrictRecommendation,
    PartnerRecommendation,
    ProvincePlan,
)
from schema.worlds import WorldArg, checked_world
from service.db import models
from service.domain import model_registry, planning, ranking, recommending
from service.domain.worlds import World

MAX_RECOMMENDATIONS = 50


class RecommenderUnavailableError(MitraError):
    code = "RECOMMENDER_UNAVAILABLE"


def _recommender(info: Info) -> recommending.Recommender:
    rec = info.context.recommender
    if rec is None:
        raise RecommenderUnavailableError("the recommender is not running in this service")
    return rec


def _first(first: int) -> int:
    if not 1 <= first <= MAX_RECOMMENDATIONS:
        raise UserInputError(f"first must be between 1 and {MAX_RECOMMENDATIONS}", field="first")
    return first


First = Annotated[
    int, strawberry.argument(description=f"How many: 1 to {MAX_RECOMMENDATIONS}; default 10.")
]


@strawberry.input
class PartnerRecommendationFilter:
    kinds: list[PartnerKind] | None = None
    areas: list[InterventionArea] | None = strawberry.field(
        default=None, description="The partner works in any of these areas."
    )
    min_commitment_months: int | None = strawberry.field(
        default=None,
        description="The partner's typical commitment is on record and at least this long.",
    )
    exclude_current: bool = strawberry.field(
        default=True,
        description="Leave out partners that already work in the district: a proposed, "
        "active or reported partnership there.",
    )
    include_out_of_reach: bool = strawberry.field(
        default=False,
        description="Also list partners that are not within reach (see "
        "PartnerRecommendation.withinReach: a fit below 20 of 100, or known only in "
        "another province more than 300 km away); by default they are left out, so an "
        "empty answer means no suitable partner of that kind or area is within reach.",
    )


@strawberry.input
class DistrictRecommendationFilter:
    province_codes: list[str] | None = None
    areas: list[InterventionArea] | None = strawberry.field(
        default=None,
        description="Only districts where no active partnership covers at least one of these.",
    )
    exclude_current: bool = strawberry.field(
        default=True,
        description="Leave out districts where the partner already works: a proposed, "
        "active or reported partnership there.",
    )
    include_out_of_reach: bool = strawberry.field(
        default=False,
        description="Also list districts the partner's known districts do not reach (see "
        "DistrictRecommendation.withinReach); by default they are left out.",
    )


@strawberry.type
class RecommendationQuery:
    @strawberry.field(
        description="Partners ranked for a district, best first, each with reasons and the "
        "model version that scored it. Archived partners, and partners a planner rejected "
        "for the district (latest verdict REJECTED), are never recommended. An error with "
        "code NOT_FOUND when the district is unknown."
    )
    async def recommend_partners(
        self,
        info: Info,
        district_code: str,
        first: First = 10,
        filter: PartnerRecommendationFilter | None = None,
        world: WorldArg = World.REAL,
        emphasis: Emphasis = DEFAULT_EMPHASIS,
    ) -> list[PartnerRecommendation] | None:
        code = parse_district_code(district_code, field="districtCode")
        n = _first(first)
        world = await checked_world(info, world)
        f = filter or PartnerRecommendationFilter()
        if f.min_commitment_months is not None and f.min_commitment_months < 0:
            raise UserInputError(
                "minCommitmentMonths must not be negative", field="minCommitmentMonths"
            )
        # the rejected pairs and the partners' rows come with the recommender's snapshot
        ranked = await _recommender(info).run(
            ranking.recommend_partners,
            code,
            world=world,
            first=n,
            kinds=[k.value for k in f.kinds or []],
            areas=[a.value for a in f.areas or []],
            min_commitment_months=f.min_commitment_months,
            exclude_current=f.exclude_current,
            emphasis=emphasis.value,
            include_out_of_reach=f.include_out_of_reach,
        )
        if ranked is None:
            raise NotFoundError(f"there is no district {district_code}", field="districtCode")
        return [PartnerRecommendation.from_domain(r) for r in ranked]

    @strawberry.field(
        description="Districts ranked for a partner, best first; districts where a planner "
        "rejected the partner (latest verdict REJECTED) are left out. An error with code "
        "NOT_FOUND when the partner is unknown (or synthetic, in world REAL), "
        "BAD_USER_INPUT when it is archived."
    )
    async def recommend_districts(
        self,
        info: Info,
        partner_id: strawberry.ID,
        first: First = 10,
        filter: DistrictRecommendationFilter | None = None,
        world: WorldArg = World.REAL,
        emphasis: Emphasis = DEFAULT_EMPHASIS,
    ) -> list[DistrictRecommendation] | None:
        pid = parse_typed_id(partner_id, "Partner", field="partnerId")
        n = _first(first)
        world = await checked_world(info, world)
        f = filter or DistrictRecommendationFilter()
        provinces = [parse_province_code(c, field="provinceCodes") for c in f.province_codes or []]
        row = await info.context.loaders.partner.load(pid)
        if row is None:
            raise NotFoundError(f"there is no partner {partner_id}", field="partnerId")
        if row.archived_at is not None:
            raise UserInputError(
                "the partner is archived: nothing is recommended for it", field="partnerId"
            )
        if row.synthetic and world is World.REAL:
            raise NotFoundError(
                f"partner {partner_id} is a generated (synthetic) demo partner: ask with "
                "world: DEMO",
                field="partnerId",
            )
        ranked = await _recommender(info).run(
            ranking.recommend_districts,
            pid,
            world=world,
            first=n,
            province_codes=provinces,
            areas=[a.value for a in f.areas or []],
            exclude_current=f.exclude_current,
            emphasis=emphasis.value,
            include_out_of_reach=f.include_out_of_reach,
        )
        if ranked is None:
            raise NotFoundError(f"there is no partner {partner_id}", field="partnerId")
        return [DistrictRecommendation.from_domain(r) for r in ranked]

    @strawberry.field(
        description="Partners that would fill the province's remaining quotas (5 companies, "
        "10 regional partners, 4 local media), no partner twice, each tied to a district of "
        "the province; only local or provincial media of the province fill local media, "
        "and remainingAfterPlan says why a slot stays open. emphasis weighs the model's "
        "fit against the districts' need, as in recommendPartners. An error with code "
        "NOT_FOUND when the province is unknown."
    )
    async def province_plan(
        self,
        info: Info,
        province_code: str,
        world: WorldArg = World.REAL,
        emphasis: Emphasis = DEFAULT_EMPHASIS,
    ) -> ProvincePlan | None:
        code = parse_province_code(province_code, field="provinceCode")
        world = await checked_world(info, world)
        rec = _recommender(info)
        async with info.context.session_factory() as session:
            inputs = await planning.plan_inputs(session, province_code=code, world=world)
        plan = await planning.rank_plan(
            rec, inputs, province_code=code, world=world, emphasis=emphasis.value
        )
        if plan is None:
            raise NotFoundError(f"there is no province {province_code}", field="provinceCode")
        return ProvincePlan.from_domain(plan)

    @strawberry.field(
        description="The model the service scores with now; fallback is true when that is "
        'the transparent scorer (version "transparent").'
    )
    async def active_model(self, info: Info) -> ModelVersion:
        snap = await _recommender(info).snapshot()
        if snap.model.fallback or snap.model.row_id is None:
            return ModelVersion.from_fallback(snap.model)
        async with info.context.session_factory() as session:
            row = await session.get(models.ModelVersion, snap.model.row_id)
        if row is None:
            return ModelVersion.from_fallback(model_registry.transparent_model("version removed"))
        return ModelVersion.from_model(row)

    @strawberry.field(description="Every registered model version, newest first.")
    async def model_versions(self, info: Info) -> list[ModelVersion]:
        async with info.context.session_factory() as session:
            rows = await session.run_sync(model_registry.list_versions)
        return [ModelVersion.from_model(r) for r in rows]
