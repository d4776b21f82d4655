"""Recommendations, their reasons, and the province plan."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.types.campaign import QuotaProgress
from schema.types.enums import InterventionArea, Language, QuotaCategory
from schema.types.refs import district_ref, partner_ref
from service.db import enums, models

if TYPE_CHECKING:
    from recommender.explain import Reason as DomainReason
    from schema.types.district import District
    from schema.types.partner import Partner
    from schema.types.province import Province
    from service.domain.planning import PlanPick as DomainPlanPick
    from service.domain.planning import ProvincePlan as DomainProvincePlan
    from service.domain.ranking import Ranked

PartnerRef = Annotated["Partner", strawberry.lazy("schema.types.partner")]
DistrictRef = Annotated["District", strawberry.lazy("schema.types.district")]
ProvinceRef = Annotated["Province", strawberry.lazy("schema.types.province")]


@strawberry.type(description="One factor behind a score, in plain language.")
class Reason:
    factor: str = strawberry.field(
        description="presence, need, focus, track_record, capacity, kind, continuity, "
        "profile (the real world: how much the district looks like the partner's known "
        "districts) or quota."
    )
    contribution: float = strawberry.field(
        description="This factor's points of the score. In the real world the points are "
        ">= 0 and add up to the 0-100 match score; in the demo world they are additive "
        "contributions relative to an average candidate pair (negative when the factor "
        "lowers the score)."
    )
    texts: strawberry.Private[dict[str, str]]

    @strawberry.field(description="The fact behind the factor, in English by default.")
    def sentence(self, language: Language = Language.EN) -> str:
        return self.texts[language.value]

    @classmethod
    def from_domain(cls, r: DomainReason) -> Reason:
        return cls(
            factor=r.factor,
            contribution=round(r.contribution, 4),
            texts={"en": r.sentence, "id": r.sentence_id or r.sentence},
        )


SCORE_DOC = (
    "Match score, higher is better, and the order follows it. In the real world (the "
    "real-record rankers) it is on 0-100 and the reasons' contributions add up to it; "
    "in the demo world it is the learned model's raw score, comparable only within one "
    "model version."
)
DISTANCE_DOC = (
    "Great-circle distance (km) from the district to the partner's nearest known "
    "district; null when the partner has no known district yet."
)
REACH_DOC = (
    "Whether the partner is within reach of the district (real world): its fit is at "
    "least 20 of 100 and its known districts reach it (known in two or more provinces, "
    "in the district's province, or within 300 km of it). Always true in the demo world."
)
DISTRICT_REACH_DOC = (
    "Whether the partner's known districts reach this district (real world): the partner "
    "is known in two or more provinces (or is an international organisation), or in this "
    "district's province, or within 300 km of it; true for a partner with no known "
    "district yet. Always true in the demo world."
)


@strawberry.type(description="A partner recommended for a district.")
class PartnerRecommendation:
    rank: int
    score: float = strawberry.field(description=SCORE_DOC)
    reasons: list[Reason]
    model_version: str = strawberry.field(
        description='The model version that produced the score ("transparent" for the '
        "documented fallback scorer)."
    )
    distance_km: float | None = strawberry.field(description=DISTANCE_DOC)
    within_reach: bool = strawberry.field(description=REACH_DOC)
    partner_id: strawberry.Private[int]
    partner_row: strawberry.Private[models.Partner | None] = None  # the recommender's copy

    @classmethod
    def from_domain(cls, r: Ranked) -> PartnerRecommendation:
        return cls(
            rank=r.rank,
            score=round(r.score, 4),
            partner_id=r.partner_id,
            partner_row=r.partner,
            reasons=[Reason.from_domain(x) for x in r.reasons],
            model_version=r.model_version,
            distance_km=None if r.distance_km is None else round(r.distance_km, 1),
            within_reach=r.within_reach,
        )

    @strawberry.field
    async def partner(self, info: Info) -> PartnerRef:
        if self.partner_row is not None:  # read with the snapshot that ranked it: no query
            from schema.types.partner import Partner

            return Partner.from_model(self.partner_row)
        return await partner_ref(info, self.partner_id, "a recommendation")


@strawberry.type(description="A district recommended for a partner.")
class DistrictRecommendation:
    rank: int
    score: float = strawberry.field(description=SCORE_DOC)
    reasons: list[Reason]
    model_version: str
    distance_km: float | None = strawberry.field(description=DISTANCE_DOC)
    within_reach: bool = strawberry.field(description=DISTRICT_REACH_DOC)
    district_code: strawberry.Private[str]

    @classmethod
    def from_domain(cls, r: Ranked) -> DistrictRecommendation:
        return cls(
            rank=r.rank,
            score=round(r.score, 4),
            district_code=r.district_code,
            reasons=[Reason.from_domain(x) for x in r.reasons],
            model_version=r.model_version,
            distance_km=None if r.distance_km is None else round(r.distance_km, 1),
            within_reach=r.within_reach,
        )

    @strawberry.field
    async def district(self, info: Info) -> DistrictRef:
        return await district_ref(info, self.district_code, "a recommendation")


@strawberry.type(description="One partner proposed for one district to fill a quota slot.")
class PlanPick:
    category: QuotaCategory
    score: float = strawberry.field(
        description="The score recommendPartners gives this partner for this district with "
        "the same emphasis (0-100 on the real record), with the same reasons."
    )
    reasons: list[Reason]
    areas_covered: list[InterventionArea] = strawberry.field(
        description="The partner's areas that no active partnership covers in the district."
    )
    partner_id: strawberry.Private[int]
    district_code: strawberry.Private[str]
    partner_row: strawberry.Private[models.Partner | None] = None  # the recommender's copy

    @classmethod
    def from_domain(cls, p: DomainPlanPick) -> PlanPick:
        return cls(
            category=p.category,
            score=round(p.score, 4),
            reasons=[Reason.from_domain(x) for x in p.reasons],
            areas_covered=[enums.InterventionArea(a) for a in p.areas_covered],
            partner_id=p.partner_id,
            district_code=p.district_code,
            partner_row=p.partner,
        )

    @strawberry.field
    async def partner(self, info: Info) -> PartnerRef:
        if self.partner_row is not None:  # read with the snapshot that planned it: no query
            from schema.types.partner import Partner

            return Partner.from_model(self.partner_row)
        return await partner_ref(info, self.partner_id, "a recommendation")

    @strawberry.field
    async def district(self, info: Info) -> DistrictRef:
        return await district_ref(info, self.district_code, "a recommendation")


@strawberry.type(description="Slots of one quota category still open after the plan.")
class QuotaRemaining:
    category: QuotaCategory
    remaining: int
    texts: strawberry.Private[dict[str, str] | None]

    @strawberry.field(
        description="Why the slots stay open (no other eligible candidate); null when none do."
    )
    def explanation(self, language: Language = Language.EN) -> str | None:
        return None if self.texts is None else self.texts[language.value]


@strawberry.type(
    description="Partners that would fill a province's remaining campaign quotas, each tied "
    "to a district, spread over districts by need and over the areas they lack."
)
class ProvincePlan:
    model_version: str
    quotas: list[QuotaProgress] = strawberry.field(description="Progress before the plan.")
    picks: list[PlanPick]
    remaining_after_plan: list[QuotaRemaining]
    province_code: strawberry.Private[str]

    @classmethod
    def from_domain(cls, p: DomainProvincePlan) -> ProvincePlan:
        texts = {o.category: {"en": o.sentence, "id": o.sentence_id} for o in p.open_slots}
        return cls(
            model_version=p.model_version,
            quotas=[QuotaProgress.from_domain(q) for q in p.quotas],
            picks=[PlanPick.from_domain(x) for x in p.picks],
            remaining_after_plan=[
                QuotaRemaining(category=c, remaining=n, texts=texts.get(c))
                for c, n in p.remaining_after_plan.items()
            ],
            province_code=p.province_code,
        )

    @strawberry.field
    async def province(self, info: Info) -> ProvinceRef:
        from schema.types.province import Province

        row = await info.context.loaders.province.load(self.province_code)
        assert row is not None
        return Province.from_model(row)
