"""Partnership writes: propose one, move it along its statuses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from service.auth import Principal
from service.db.enums import PartnershipStatus
from service.db.models import (
    OPEN_PARTNERSHIP_STATUSES,
    Partnership,
    PartnershipArea,
)
from service.domain import partnership_rules as rules
from service.domain import validation as v
from service.domain.actions import Action, authorize
from service.domain.validation import ErrorCode, UserError
from service.domain.writes.common import (
    NOTES_MAX,
    Result,
    _audit,
    _begin_write,
    _clean_optional,
    _dedupe,
    _district_code_errors,
    _insert_or_duplicate,
    _jsonable,
    _load_partner,
    _load_partnership,
    _partner_not_found,
    _rejected,
    _utcnow,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

OPEN_PAIR_INDEX = "uq_partnership_open_pair"


def _duplicate_pair(ids: Sequence[int] = ()) -> list[UserError]:
    if ids:
        return rules.no_open_duplicate(ids)
    # Lost a race to a concurrent proposal whose row we cannot see yet.
    return [
        UserError(
            "district_code",
            "this partner already has a proposed or active partnership in this district",
            ErrorCode.DUPLICATE.value,
        )
    ]


async def propose_partnership(
    session: AsyncSession,
    *,
    actor: Principal,
    partner_id: int,
    district_code: str,
    areas: Sequence[str] = (),
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    duration_months: int | None = None,
    budget_idr: int | None = None,
    target_beneficiaries: int | None = None,
    notes: str | None = None,
) -> Result[Partnership]:
    """Propose a partnership of a partner in a district (status ``proposed``).

    Refused with ``DUPLICATE`` while the partner has a proposed or active partnership
    in that district, also when a concurrent proposal wins the race.
    """
    authorize(actor, Action.PROPOSE_PARTNERSHIP)
    await _begin_write(session)
    errors: list[UserError] = []
    errors += v.intervention_areas(areas)
    errors += v.date_value(start_date, field="start_date")
    errors += v.date_value(end_date, field="end_date")
    errors += v.date_order(start_date, end_date)
    errors += v.commitment_months(duration_months)
    errors += v.budget_idr(budget_idr)
    errors += v.beneficiaries(target_beneficiaries)
    errors += v.free_text(notes, field="notes", max_length=NOTES_MAX)
    errors += await _district_code_errors(session, district_code)
    partner = await _load_partner(session, partner_id, share=True)
    if partner is None:
        errors.append(_partner_not_found(partner_id))
    else:
        errors += rules.partner_not_archived(partner.archived_at)
    if errors:
        return _rejected(errors)
    assert partner is not None
    district_code = v.canonical_district_codes([district_code])[0]  # "5302" -> "53.02"
    open_ids = list(
        await session.scalars(
            select(Partnership.id).where(
                Partnership.partner_id == partner.id,
                Partnership.district_code == district_code,
                Partnership.status.in_(OPEN_PARTNERSHIP_STATUSES),
            )
        )
    )
    if open_ids:
        return _rejected(_duplicate_pair(open_ids))

    partnership = Partnership(
        partner_id=partner.id,
        district_code=district_code,
        status=PartnershipStatus.PROPOSED.value,
        start_date=start_date,
        end_date=end_date,
        start_year=start_date.year if start_date else None,
        duration_months=duration_months,
        budget_idr=budget_idr,
        target_beneficiaries=target_beneficiaries,
        notes=_clean_optional(notes),
        synthetic=False,
        created_at=_utcnow(),
        areas=[PartnershipArea(area=a) for a in _dedupe(areas)],
    )
    if not await _insert_or_duplicate(
        session,
        partnership,
        constraint=OPEN_PAIR_INDEX,
        sqlite_columns="partnership.partner_id, partnership.district_code",
    ):
        return _rejected(_duplicate_pair())
    _audit(
        session,
        actor,
        action=Action.PROPOSE_PARTNERSHIP.audit_name,
        entity_type="Partnership",
        entity_id=partnership.id,
        summary={
            "partner_id": partner.id,
            "district_code": district_code,
            "status": "proposed",
            "areas": _dedupe(areas),
            "start_date": start_date,
            "end_date": end_date,
            "duration_months": duration_months,
            "budget_idr": budget_idr,
            "target_beneficiaries": target_beneficiaries,
        },
    )
    await session.flush()
    return Result(value=partnership)


async def update_partnership_status(
    session: AsyncSession,
    *,
    actor: Principal,
    partnership_id: int,
    status: str,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    outcome: str | None = None,
    today: dt.date | None = None,
) -> Result[Partnership]:
    """Move a partnership along proposed -> active -> completed, or cancel it.

    Activation sets ``start_date`` (given, else the stored one, else today). Completion
    sets ``end_date`` (given, else today). Cancelling an active partnership ends it
    (given date, else today); cancelling a proposal leaves the dates empty. The end
    date may not precede the start date.
    """
    return await change_status(
        session,
        actor=actor,
        action=Action.UPDATE_PARTNERSHIP_STATUS,
        partnership_id=partnership_id,
        status=status,
        start_date=start_date,
        end_date=end_date,
        outcome=outcome,
        today=today,
    )


async def change_status(
    session: AsyncSession,
    *,
    actor: Principal,
    action: Action,
    partnership_id: int,
    status: str,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    outcome: str | None = None,
    today: dt.date | None = None,
) -> Result[Partnership]:
    """:func:`update_partnership_status` performed as ``action`` (its role and audit name)."""
    authorize(actor, action)
    await _begin_write(session)
    today = today or dt.date.today()
    errors: list[UserError] = []
    errors += v.date_value(start_date, field="start_date")
    errors += v.date_value(end_date, field="end_date")
    errors += v.free_text(outcome, field="outcome", max_length=NOTES_MAX)
    row = await _load_partnership(session, partnership_id)
    if row is None:
        return _rejected(
            [
                v.not_found("partnership_id", "partnership", partnership_id),
                *errors,
            ]
        )
    errors += rules.status_transition(row.status, status)
    if errors:
        return _rejected(errors)

    new_status = PartnershipStatus(status)
    new_start, new_end = row.start_date, row.end_date
    if new_status is PartnershipStatus.ACTIVE:
        new_start = start_date or row.start_date or today
        new_end = end_date or row.end_date
    elif new_status is PartnershipStatus.COMPLETED:
        new_start = start_date or row.start_date
        new_end = end_date or today
    elif new_status is PartnershipStatus.CANCELLED:
        if row.status == PartnershipStatus.ACTIVE.value:
            new_end = end_date or today
        elif start_date or end_date:
            errors.append(
                UserError(
                    "end_date",
                    "a cancelled proposal never started, so it takes no dates",
                    ErrorCode.INVALID_DATE_ORDER.value,
                )
            )
    errors += v.date_order(new_start, new_end)
    if errors:
        return _rejected(errors)

    changes: dict[str, Any] = {"status": {"from": row.status, "to": new_status.value}}
    for key, new in (("start_date", new_start), ("end_date", new_end)):
        old = getattr(row, key)
        if new != old:
            changes[key] = {"from": _jsonable(old), "to": _jsonable(new)}
            setattr(row, key, new)
    if new_start is not None and row.start_year is None:
        row.start_year = new_start.year
    if outcome is not None:
        row.outcome = _clean_optional(outcome)
        changes["outcome"] = {"to": row.outcome}
    row.status = new_status.value
    _audit(
        session,
        actor,
        action=action.audit_name,
        entity_type="Partnership",
        entity_id=row.id,
        summary=changes,
    )
    await session.flush()
    return Result(value=row)
