"""Campaign progress: per-province quotas and the national 1,000-partner target."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.types.enums import QuotaCategory, World
from service.domain import campaign

if TYPE_CHECKING:
    from schema.types.partner import Partner


@strawberry.type(description="One quota category in one province.")
class QuotaProgress:
    category: QuotaCategory
    target: int
    committed: int = strawberry.field(description="Distinct partners with a commitment here.")
    committed_six_months: int = strawberry.field(
        description="Distinct partners committed for at least 6 months here (= committed)."
    )
    committed_twelve_months: int = strawberry.field(
        description="Of those, the partners with a commitment of at least 12 months here."
    )
    remaining: int
    met: bool
    partner_ids: strawberry.Private[tuple[int, ...]]

    @classmethod
    def from_domain(cls, row: campaign.QuotaProgress) -> QuotaProgress:
        return cls(
            category=row.category,
            target=row.target,
            committed=row.committed,
            committed_six_months=row.committed,
            committed_twelve_months=row.committed_twelve_months,
            remaining=row.remaining,
            met=row.met,
            partner_ids=row.partner_ids,
        )

    @strawberry.field(description="The committed partners, by id.")
    async def partners(
        self, info: Info
    ) -> list[Annotated[Partner, strawberry.lazy("schema.types.partner")]]:
        from schema.types.partner import Partner

        rows = await info.context.loaders.partner.load_many(list(self.partner_ids))
        return [Partner.from_model(row) for row in rows if row is not None]


@strawberry.type(description="One quota category across all provinces.")
class CategoryProgress:
    category: QuotaCategory
    target_per_province: int
    provinces_meeting_quota: int
    committed_partners: int = strawberry.field(
        description="Distinct partners of this category with at least one commitment."
    )
    committed_partners_six_months: int = strawberry.field(
        description="Committed for at least 6 months (= committedPartners)."
    )
    committed_partners_twelve_months: int = strawberry.field(
        description="Of those, the partners with a commitment of at least 12 months."
    )

    @classmethod
    def from_domain(cls, row: campaign.CategoryProgress) -> CategoryProgress:
        return cls(
            category=row.category,
            target_per_province=row.target_per_province,
            provinces_meeting_quota=row.provinces_meeting_quota,
            committed_partners=row.committed_partners,
            committed_partners_six_months=row.committed_partners,
            committed_partners_twelve_months=row.committed_partners_twelve_months,
        )


@strawberry.type(
    description=(
        "A commitment is an active, completed or reported partnership of at least 6 months; "
        "its partner counts for the province of the partnership's district (media only "
        "where they are local media: a national outlet counts nationally, in no province's "
        "quota). Counted in the world asked: the real record unless DEMO."
    )
)
class CampaignProgress:
    world: World = strawberry.field(description="The data counted.")
    target: int = strawberry.field(description="National target of committed partners.")
    committed_partners: int = strawberry.field(
        description="Distinct partners with at least one commitment (in world DEMO, the "
        "real ones and the generated ones together)."
    )
    real_committed_partners: int = strawberry.field(
        description="Of committedPartners, those of the real record."
    )
    synthetic_committed_partners: int = strawberry.field(
        description="Of committedPartners, the generated (synthetic) demo partners: 0 in "
        "world REAL."
    )
    committed_partners_six_months: int = strawberry.field(
        description="Committed for at least 6 months (= committedPartners)."
    )
    committed_partners_twelve_months: int = strawberry.field(
        description="Of those, the partners with a commitment of at least 12 months."
    )
    provinces: int
    provinces_meeting_all_quotas: int
    by_category: list[CategoryProgress]

    @classmethod
    def from_domain(cls, row: campaign.CampaignProgress) -> CampaignProgress:
        return cls(
            world=row.world,
            target=row.target,
            committed_partners=row.committed_partners,
            real_committed_partners=row.committed_partners - row.synthetic_committed_partners,
            synthetic_committed_partners=row.synthetic_committed_partners,
            committed_partners_six_months=row.committed_partners,
            committed_partners_twelve_months=row.committed_partners_twelve_months,
            provinces=row.provinces,
            provinces_meeting_all_quotas=row.provinces_meeting_all_quotas,
            by_category=[CategoryProgress.from_domain(c) for c in row.by_category],
        )
