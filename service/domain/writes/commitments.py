"""Commitment writes: extend one to a new end date, or mark it ended."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from service.auth import Principal
from service.db.enums import PartnershipStatus
from service.db.models import Partnership
from service.domain import validation as v
from service.domain.actions import Action, authorize
from service.domain.partnerships import months_between
from service.domain.validation import ErrorCode, UserError
from service.domain.writes.common import (
    NOTES_MAX,
    Result,
    _audit,
    _begin_write,
    _jsonable,
    _load_partnership,
    _rejected,
)
from service.domain.writes.partnerships import change_status

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


def _not_found(partnership_id: object) -> UserError:
    return UserError(
        "partnership_id", f"there is no partnership {partnership_id}", ErrorCode.NOT_FOUND.value
    )


def _extendable(status: str) -> list[UserError]:
    if status == PartnershipStatus.REPORTED.value:
        return [
            UserError(
                "partnership_id",
                "reported partnerships are history from public sources and cannot change",
                ErrorCode.READ_ONLY.value,
            )
        ]
    if status != PartnershipStatus.ACTIVE.value:
        return [
            UserError(
                "partnership_id",
                f"only an active partnership can be extended; this one is {status}",
                ErrorCode.INVALID_TRANSITION.value,
            )
        ]
    return []


def _new_duration(row: Partnership, end_date: dt.date) -> int | None:
    """Keep the stated duration true to the new end date (None when none was stated)."""
    if row.duration_months is None:
        return None
    if row.start_date is not None:
        return months_between(row.start_date, end_date)
    if row.end_date is not None:
        return row.duration_months + months_between(row.end_date, end_date)
    return row.duration_months


async def extend_commitment(
    session: AsyncSession,
    *,
    actor: Principal,
    partnership_id: int,
    end_date: dt.date,
    today: dt.date | None = None,
) -> Result[Partnership]:
    """Move an active partnership's end date later (audited as ``extendCommitment``).

    The new end date must lie after the current one and not before today; a stated
    duration follows it (and must stay within 1 to 120 months).
    """
    authorize(actor, Action.EXTEND_COMMITMENT)
    await _begin_write(session)
    today = today or dt.date.today()
    errors = v.date_value(end_date, field="end_date")
    if end_date is None:
        errors.append(UserError("end_date", "a new end date is required", ErrorCode.REQUIRED.value))
    row = await _load_partnership(session, partnership_id)
    if row is None:
        return _rejected([_not_found(partnership_id), *errors])
    errors += _extendable(row.status)
    if errors:
        return _rejected(errors)
    if end_date < today:
        errors.append(
            UserError(
                "end_date",
                f"the new end date {end_date.isoformat()} has passed; to record that it "
                "ended, end the commitment instead",
                ErrorCode.OUT_OF_RANGE.value,
            )
        )
    if row.end_date is not None and end_date <= row.end_date:
        errors.append(
            UserError(
                "end_date",
                f"the new end date must be after the current one, {row.end_date.isoformat()}",
                ErrorCode.INVALID_DATE_ORDER.value,
            )
        )
    errors += v.date_order(row.start_date, end_date)
    duration = _new_duration(row, end_date)
    if duration is not None:
        errors += v.commitment_months(duration, field="end_date")
    if errors:
        return _rejected(errors)

    changes: dict[str, Any] = {
        "end_date": {"from": _jsonable(row.end_date), "to": _jsonable(end_date)}
    }
    if duration != row.duration_months:
        changes["duration_months"] = {"from": row.duration_months, "to": duration}
        row.duration_months = duration
    row.end_date = end_date
    _audit(
        session,
        actor,
        action=Action.EXTEND_COMMITMENT.audit_name,
        entity_type="Partnership",
        entity_id=row.id,
        summary=changes,
    )
    await session.flush()
    return Result(value=row)


async def end_commitment(
    session: AsyncSession,
    *,
    actor: Principal,
    partnership_id: int,
    end_date: dt.date | None = None,
    outcome: str | None = None,
    today: dt.date | None = None,
) -> Result[Partnership]:
    """Mark an active partnership completed as of ``end_date`` (default today; not later).

    Audited as ``endCommitment``; otherwise the same rules as completing it through
    ``updatePartnershipStatus``.
    """
    authorize(actor, Action.END_COMMITMENT)
    today = today or dt.date.today()
    if isinstance(end_date, dt.date) and end_date > today:
        errors = v.free_text(outcome, field="outcome", max_length=NOTES_MAX)
        return _rejected(
            [
                UserError(
                    "end_date",
                    f"an end date after today ({end_date.isoformat()}) has not happened yet; "
                    "to change the planned end, extend the commitment instead",
                    ErrorCode.OUT_OF_RANGE.value,
                ),
                *errors,
            ]
        )
    return await change_status(
        session,
        actor=actor,
        action=Action.END_COMMITMENT,
        partnership_id=partnership_id,
        status=PartnershipStatus.COMPLETED.value,
        end_date=end_date,
        outcome=outcome,
        today=today,
    )
