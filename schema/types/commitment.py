"""ExpiringCommitment: a running partnership whose end date is near, and what its end costs."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.types.enums import PartnerKind, QuotaCategory
from schema.types.refs import district_ref, partner_ref, partnership_ref
from service.db import enums
from service.domain import commitments

if TYPE_CHECKING:
    from schema.types.district import District
    from schema.types.partner import Partner
    from schema.types.partnership import Partnership


@strawberry.type(
    description=(
        "An active or reported partnership whose end date falls within the asked window. "
        "The quota counts are of partners with a commitment in force (active or reported, "
        "at least 6 months, not yet ended) in the partnership's province and quota category."
    )
)
class ExpiringCommitment:
    end_date: dt.date
    start_date: dt.date | None
    days_left: int = strawberry.field(description="Days from today to the end date (0 = today).")
    commitment_months: int | None = strawberry.field(
        description="Its length by the end date: the stated duration, else the dates' span."
    )
    months_so_far: int | None = strawberry.field(
        description="Whole months from the start to today; null without a start date."
    )
    reached_six_months: bool = strawberry.field(
        description="Lasts at least 6 months by its end date (the campaign's minimum)."
    )
    reached_twelve_months: bool = strawberry.field(
        description="Lasts at least 12 months by its end date (the campaign's ideal)."
    )
    is_commitment: bool = strawberry.field(description="Counts towards the campaign's quotas.")
    partner_kind: PartnerKind
    quota_category: QuotaCategory
    quota_target: int
    committed_now: int = strawberry.field(
        description="Partners of the category with a commitment in force in the province today."
    )
    committed_after_end: int = strawberry.field(
        description="The same on the day after this commitment ends."
    )
    quota_at_risk: bool = strawberry.field(
        description="The province meets this category's quota today and would not after its end."
    )
    province_code: str
    partnership_id: strawberry.Private[int]
    partner_id: strawberry.Private[int]
    district_code: strawberry.Private[str]

    @classmethod
    def from_domain(cls, row: commitments.ExpiringCommitment) -> ExpiringCommitment:
        return cls(
            end_date=row.end_date,
            start_date=row.start_date,
            days_left=row.days_left,
            commitment_months=row.commitment_months,
            months_so_far=row.months_so_far,
            reached_six_months=row.reached_six_months,
            reached_twelve_months=row.reached_twelve_months,
            is_commitment=row.is_commitment,
            partner_kind=enums.PartnerKind(row.partner_kind),
            quota_category=row.quota_category,
            quota_target=row.quota_target,
            committed_now=row.committed_now,
            committed_after_end=row.committed_after_end,
            quota_at_risk=row.quota_at_risk,
            province_code=row.province_code,
            partnership_id=row.partnership_id,
            partner_id=row.partner_id,
            district_code=row.district_code,
        )

    @strawberry.field
    async def partnership(
        self, info: Info
    ) -> Annotated[Partnership, strawberry.lazy("schema.types.partnership")]:
        return await partnership_ref(info, self.partnership_id, self._holder)

    @strawberry.field
    async def partner(
        self, info: Info
    ) -> Annotated[Partner, strawberry.lazy("schema.types.partner")]:
        return await partner_ref(info, self.partner_id, self._holder)

    @strawberry.field
    async def district(
        self, info: Info
    ) -> Annotated[District, strawberry.lazy("schema.types.district")]:
        return await district_ref(info, self.district_code, self._holder)

    @property
    def _holder(self) -> str:
        return f"expiring commitment {self.partnership_id}"
