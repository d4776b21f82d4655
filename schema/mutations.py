"""Write-side resolvers: input -> one call of :mod:`service.domain.writes` -> payload.

Each mutation checks the caller's role with a permission class (the role of its domain
action in ``service.domain.actions.REQUIRED_ROLE``, the table the domain enforces),
decodes global ids, runs the write in a session of its own and commits only when it
was accepted. A
rejected write is rolled back and answered with ``userErrors``; the domain adds no
rows for it in the first place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import strawberry

from schema.context import Info
from schema.errors import API_NAMES, INVALID_ID, InvalidIdError, from_auth_error, graphql_field
from schema.ids import parse_typed_id
from schema.permissions import permission_for
from schema.transactions import settle
from schema.types.partner import Partner
from schema.types.partnership import Partnership
from schema.types.payloads import (
    ArchivePartnerInput,
    ArchivePartnerPayload,
    CreatePartnerInput,
    CreatePartnerPayload,
    EndCommitmentInput,
    EndCommitmentPayload,
    ExtendCommitmentInput,
    ExtendCommitmentPayload,
    ProposePartnershipInput,
    ProposePartnershipPayload,
    RecommendationFeedback,
    RecordRecommendationFeedbackInput,
    RecordRecommendationFeedbackPayload,
    UpdatePartnerInput,
    UpdatePartnerPayload,
    UpdatePartnershipStatusInput,
    UpdatePartnershipStatusPayload,
    UserError,
    user_errors,
)
from service.auth import AuthError, Principal
from service.domain import writes
from service.domain.actions import Action
from service.domain.writes import Result

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

M = TypeVar("M")
G = TypeVar("G")

# Partner input fields whose name differs from the domain keyword.
_DOMAIN_FIELDS = {api: domain for domain, api in API_NAMES.items()}


async def _write(
    info: Info,
    call: Callable[[AsyncSession], Awaitable[Result[M]]],
    to_type: Callable[[M], G],
    sent_ids: Mapping[str, tuple[str, str]] | None = None,
) -> tuple[G | None, list[UserError]]:
    """Run one domain write in its own session; commit it only when it was accepted.

    Returns what a payload carries: the accepted object as its GraphQL type (else
    ``None``) and the user errors, which name ids as the client sent them (``sent_ids``).
    """
    async with info.context.session_factory() as session:
        try:
            result = await call(session)
        except AuthError as exc:  # the permission class already checked; belt and braces
            raise from_auth_error(exc) from None
        await session.run_sync(settle, result)
    value = None if result.value is None else to_type(result.value)
    return value, user_errors(result.user_errors, sent_ids)


async def _write_on(
    info: Info,
    global_id: str,
    type_name: str,
    call: Callable[[AsyncSession, Principal, int], Awaitable[Result[M]]],
    to_type: Callable[[M], G],
) -> tuple[G | None, list[UserError]]:
    """:func:`_write` of a change to the ``type_name`` (Partner, Partnership) ``global_id`` names.

    The id is decoded first (else an INVALID_ID user error, and no write); ``call`` gets
    the session, the actor and the database id; a NOT_FOUND names the id as sent.
    """
    key = f"{type_name.lower()}_id"  # the domain's name of the input field
    decoded = _decode(global_id, type_name, graphql_field(key))
    if isinstance(decoded, UserError):
        return None, [decoded]
    actor = _actor(info)
    sent = {key: (type_name.lower(), global_id)}
    return await _write(info, lambda s: call(s, actor, decoded), to_type, sent)


def _actor(info: Info) -> Principal:
    actor = info.context.principal
    assert actor is not None  # the permission class admits only signed-in callers
    return actor


def _decode(global_id: str, type_name: str, field: str) -> int | UserError:
    try:
        return parse_typed_id(global_id, type_name, field=field)
    except InvalidIdError:
        return UserError(field=field, message=f"{field} is not a {type_name} id", code=INVALID_ID)


def _partner_fields(input: CreatePartnerInput | UpdatePartnerInput) -> dict[str, Any]:
    """The one mapping of a partner input to the domain's keywords: every field given
    (``UNSET`` ones left out), enums as their values, ``interventionAreas`` as ``areas``."""
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(input):
        value = getattr(input, f.name)
        if f.name == "partner_id" or value is strawberry.UNSET:
            continue
        if isinstance(value, list):
            value = [getattr(item, "value", item) for item in value]
        fields[_DOMAIN_FIELDS.get(f.name, f.name)] = getattr(value, "value", value)
    return fields


@strawberry.type
class WriteMutation:
    @strawberry.mutation(
        description="Add a partner. Needs a planner token.",
        permission_classes=permission_for(Action.CREATE_PARTNER),
    )
    async def create_partner(self, info: Info, input: CreatePartnerInput) -> CreatePartnerPayload:
        actor = _actor(info)
        fields = _partner_fields(input)
        partner, errors = await _write(
            info,
            lambda s: writes.create_partner(s, actor=actor, **fields),
            Partner.from_model,
        )
        return CreatePartnerPayload(partner=partner, user_errors=errors)

    @strawberry.mutation(
        description="Change the given fields of a partner. Needs a planner token.",
        permission_classes=permission_for(Action.UPDATE_PARTNER),
    )
    async def update_partner(self, info: Info, input: UpdatePartnerInput) -> UpdatePartnerPayload:
        given = _partner_fields(input)
        partner, errors = await _write_on(
            info,
            input.partner_id,
            "Partner",
            lambda s, actor, pid: writes.update_partner(s, actor=actor, partner_id=pid, **given),
            Partner.from_model,
        )
        return UpdatePartnerPayload(partner=partner, user_errors=errors)

    @strawberry.mutation(
        description=(
            "Archive a partner: kept in history, takes no new partnerships, never "
            "recommended. Needs a planner token."
        ),
        permission_classes=permission_for(Action.ARCHIVE_PARTNER),
    )
    async def archive_partner(
        self, info: Info, input: ArchivePartnerInput
    ) -> ArchivePartnerPayload:
        partner, errors = await _write_on(
            info,
            input.partner_id,
            "Partner",
            lambda s, actor, pid: writes.archive_partner(s, actor=actor, partner_id=pid),
            Partner.from_model,
        )
        return ArchivePartnerPayload(partner=partner, user_errors=errors)

    @strawberry.mutation(
        description=(
            "Propose a partnership of a partner in a district. DUPLICATE while the partner "
            "has a proposed or active partnership there. Needs a planner token."
        ),
        permission_classes=permission_for(Action.PROPOSE_PARTNERSHIP),
    )
    async def propose_partnership(
        self, info: Info, input: ProposePartnershipInput
    ) -> ProposePartnershipPayload:
        partnership, errors = await _write_on(
            info,
            input.partner_id,
            "Partner",
            lambda s, actor, pid: writes.propose_partnership(
                s,
                actor=actor,
                partner_id=pid,
                district_code=input.district_code,
                areas=[a.value for a in input.intervention_areas],
                start_date=input.start_date,
                end_date=input.end_date,
                duration_months=input.duration_months,
                budget_idr=input.budget_idr,
                target_beneficiaries=input.target_beneficiaries,
                notes=input.notes,
            ),
            Partnership.from_model,
        )
        return ProposePartnershipPayload(partnership=partnership, user_errors=errors)

    @strawberry.mutation(
        description="Move a partnership to a new status. Needs a planner token.",
        permission_classes=permission_for(Action.UPDATE_PARTNERSHIP_STATUS),
    )
    async def update_partnership_status(
        self, info: Info, input: UpdatePartnershipStatusInput
    ) -> UpdatePartnershipStatusPayload:
        partnership, errors = await _write_on(
            info,
            input.partnership_id,
            "Partnership",
            lambda s, actor, pid: writes.update_partnership_status(
                s,
                actor=actor,
                partnership_id=pid,
                status=input.status.value,
                start_date=input.start_date,
                end_date=input.end_date,
                outcome=input.outcome,
            ),
            Partnership.from_model,
        )
        return UpdatePartnershipStatusPayload(partnership=partnership, user_errors=errors)

    @strawberry.mutation(
        description="Record a planner's verdict on a recommended partner. Needs a planner token.",
        permission_classes=permission_for(Action.RECORD_RECOMMENDATION_FEEDBACK),
    )
    async def record_recommendation_feedback(
        self, info: Info, input: RecordRecommendationFeedbackInput
    ) -> RecordRecommendationFeedbackPayload:
        feedback, errors = await _write_on(
            info,
            input.partner_id,
            "Partner",
            lambda s, actor, pid: writes.record_recommendation_feedback(
                s,
                actor=actor,
                district_code=input.district_code,
                partner_id=pid,
                verdict=input.verdict.value,
                reason=input.reason,
                model_version=input.model_version,
            ),
            RecommendationFeedback.from_model,
        )
        return RecordRecommendationFeedbackPayload(feedback=feedback, user_errors=errors)

    @strawberry.mutation(
        description=(
            "Move an active commitment's end date later (audited). The new date must be "
            "after the current end and not before today. Needs a planner token."
        ),
        permission_classes=permission_for(Action.EXTEND_COMMITMENT),
    )
    async def extend_commitment(
        self, info: Info, input: ExtendCommitmentInput
    ) -> ExtendCommitmentPayload:
        partnership, errors = await _write_on(
            info,
            input.partnership_id,
            "Partnership",
            lambda s, actor, pid: writes.extend_commitment(
                s, actor=actor, partnership_id=pid, end_date=input.end_date
            ),
            Partnership.from_model,
        )
        return ExtendCommitmentPayload(partnership=partnership, user_errors=errors)

    @strawberry.mutation(
        description=(
            "Mark an active commitment ended (completed) as of endDate, default today "
            "(audited). Needs a planner token."
        ),
        permission_classes=permission_for(Action.END_COMMITMENT),
    )
    async def end_commitment(self, info: Info, input: EndCommitmentInput) -> EndCommitmentPayload:
        partnership, errors = await _write_on(
            info,
            input.partnership_id,
            "Partnership",
            lambda s, actor, pid: writes.end_commitment(
                s, actor=actor, partnership_id=pid, end_date=input.end_date, outcome=input.outcome
            ),
            Partnership.from_model,
        )
        return EndCommitmentPayload(partnership=partnership, user_errors=errors)
