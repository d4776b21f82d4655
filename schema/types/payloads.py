"""Mutation inputs and payloads.

Every payload carries the changed object (null when the mutation was rejected) and
``userErrors { field message code }``: the reasons a well-formed request was refused,
named by input field so a form can show each next to its field. A payload with
user errors changed nothing.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.errors import graphql_field
from schema.scalars import BigInt
from schema.types.enums import InterventionArea, PartnershipStatus
from schema.types.partner_fields import partner_fields
from service.db import models
from service.domain.validation import ErrorCode, not_found
from service.domain.validation import UserError as DomainUserError

if TYPE_CHECKING:
    from schema.types.district import District
    from schema.types.partner import Partner
    from schema.types.partnership import Partnership


@strawberry.type(description="Why a mutation was refused; nothing was changed.")
class UserError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase), or null for the request as a whole."
    )
    message: str
    code: str = strawberry.field(
        description=(
            "Machine-readable: REQUIRED, INVALID_TYPE, TOO_SHORT, TOO_LONG, "
            "INVALID_CHARACTERS, INVALID_CHOICE, INVALID_FORMAT, INVALID_ID, NOT_FOUND, "
            "OUT_OF_RANGE, INVALID_DATE_ORDER, INVALID_TRANSITION, READ_ONLY, DUPLICATE, "
            "ARCHIVED."
        )
    )

    @classmethod
    def from_domain(cls, error: DomainUserError) -> UserError:
        """The domain's error in the API's words: the field's GraphQL name, also in the message."""
        field = graphql_field(error.field)
        return cls(field=field, message=error.worded(field), code=error.code)


def user_errors(
    errors: Iterable[DomainUserError], sent_ids: Mapping[str, tuple[str, str]] | None = None
) -> list[UserError]:
    """The payload's errors. ``sent_ids`` maps an id field (the domain's name) to (what,
    the id the client sent): a NOT_FOUND on that field names the client's global id, not
    the database id."""
    sent = sent_ids or {}
    return [
        UserError.from_domain(
            not_found(e.field, sent[e.field][0], sent[e.field][1])
            if e.code == ErrorCode.NOT_FOUND and e.field in sent
            else e
        )
        for e in errors
    ]


# --- inputs --------------------------------------------------------------------------------


@strawberry.input
@partner_fields("create")  # name, kind, scope, the lists, then the optional columns
class CreatePartnerInput:
    pass


@strawberry.input(
    description="Only the fields given change; null clears an optional field. Lists replace."
)
@partner_fields("update")
class UpdatePartnerInput:
    partner_id: strawberry.ID


@strawberry.input
class ArchivePartnerInput:
    partner_id: strawberry.ID


@strawberry.input(description="A new partnership starts as PROPOSED.")
class ProposePartnershipInput:
    partner_id: strawberry.ID
    district_code: str = strawberry.field(
        description='Kemendagri district code, "53.02" or "5302".'
    )
    intervention_areas: list[InterventionArea] = strawberry.field(default_factory=list)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    duration_months: int | None = None
    budget_idr: BigInt | None = None
    target_beneficiaries: int | None = None
    notes: str | None = None


@strawberry.input(
    description=(
        "PROPOSED -> ACTIVE -> COMPLETED, or CANCELLED from PROPOSED or ACTIVE. Activation "
        "sets startDate (given, stored, else today); completion sets endDate (given, else "
        "today)."
    )
)
class UpdatePartnershipStatusInput:
    partnership_id: strawberry.ID
    status: PartnershipStatus
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    outcome: str | None = None


@strawberry.input
class ExtendCommitmentInput:
    partnership_id: strawberry.ID
    end_date: dt.date = strawberry.field(
        description="The new end date: after the current one and not before today."
    )


@strawberry.input
class EndCommitmentInput:
    partnership_id: strawberry.ID
    end_date: dt.date | None = strawberry.field(
        default=None, description="When it ended: today (the default) or earlier."
    )
    outcome: str | None = None


@strawberry.enum(description="A planner's verdict on a recommended partner.")
class FeedbackVerdict(enum.Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@strawberry.input
class RecordRecommendationFeedbackInput:
    district_code: str = strawberry.field(
        description='Kemendagri district code, "53.02" or "5302".'
    )
    partner_id: strawberry.ID
    verdict: FeedbackVerdict
    reason: str | None = None
    model_version: str | None = strawberry.field(
        default=None, description="The model version that made the recommendation."
    )


# --- objects and payloads ------------------------------------------------------------------


@strawberry.type(description="A planner's accept/reject of one recommended partner for a district.")
class RecommendationFeedback:
    database_id: int
    verdict: FeedbackVerdict
    reason: str | None
    model_version: str | None
    actor: str
    created_at: dt.datetime
    partner_id: strawberry.Private[int]
    district_code: strawberry.Private[str]

    @classmethod
    def from_model(cls, row: models.RecommendationFeedback) -> RecommendationFeedback:
        return cls(
            database_id=row.id,
            verdict=FeedbackVerdict(row.verdict),
            reason=row.reason,
            model_version=row.model_version,
            actor=row.actor,
            created_at=row.created_at,
            partner_id=row.partner_id,
            district_code=row.district_code,
        )

    @strawberry.field
    async def partner(
        self, info: Info
    ) -> Annotated[Partner, strawberry.lazy("schema.types.partner")] | None:
        from schema.types.partner import Partner

        row = await info.context.loaders.partner.load(self.partner_id)
        return None if row is None else Partner.from_model(row)

    @strawberry.field
    async def district(
        self, info: Info
    ) -> Annotated[District, strawberry.lazy("schema.types.district")] | None:
        from schema.types.district import District

        row = await info.context.loaders.district.load(self.district_code)
        return None if row is None else District.from_model(row, info.context.reference)


@strawberry.type
class PartnerPayload:
    partner: Annotated[Partner, strawberry.lazy("schema.types.partner")] | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PartnershipPayload:
    partnership: Annotated[Partnership, strawberry.lazy("schema.types.partnership")] | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RecommendationFeedbackPayload:
    feedback: RecommendationFeedback | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


# One payload type per mutation, so each can grow fields of its own later.
@strawberry.type
class CreatePartnerPayload(PartnerPayload):
    pass


@strawberry.type
class UpdatePartnerPayload(PartnerPayload):
    pass


@strawberry.type
class ArchivePartnerPayload(PartnerPayload):
    pass


@strawberry.type
class ProposePartnershipPayload(PartnershipPayload):
    pass


@strawberry.type
class UpdatePartnershipStatusPayload(PartnershipPayload):
    pass


@strawberry.type
class RecordRecommendationFeedbackPayload(RecommendationFeedbackPayload):
    @strawberry.field(
        description="True after a REJECTED verdict: from the next query on, "
        "recommendPartners and provincePlan leave this partner out for this district, and "
        "recommendDistricts leaves the district out for the partner (no retraining needed), "
        "until an ACCEPTED verdict on the same pair. False otherwise."
    )
    def removed_from_recommendations(self) -> bool:
        return self.feedback is not None and self.feedback.verdict is FeedbackVerdict.REJECTED


@strawberry.type
class ExtendCommitmentPayload(PartnershipPayload):
    pass


@strawberry.type
class EndCommitmentPayload(PartnershipPayload):
    pass
