"""The rules of a partnership's life, as validators: each returns a list of user errors.

* :data:`TRANSITIONS`: which status may follow which (proposed -> active -> completed;
  proposed or active -> cancelled; nothing leaves an end state; reported rows are
  history copied from public sources and never change).
* one proposed or active partnership per partner and district;
* no new work for an archived partner.

Pure, like :mod:`service.domain.validation`: the caller looks up what they need.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from service.db.enums import PartnershipStatus
from service.domain.validation import ErrorCode, Errors, UserError, choice

# proposed -> active -> completed; proposed/active -> cancelled; nothing leaves the
# end states, and "reported" rows are history copied from public sources.
TRANSITIONS: dict[PartnershipStatus, frozenset[PartnershipStatus]] = {
    PartnershipStatus.PROPOSED: frozenset({PartnershipStatus.ACTIVE, PartnershipStatus.CANCELLED}),
    PartnershipStatus.ACTIVE: frozenset({PartnershipStatus.COMPLETED, PartnershipStatus.CANCELLED}),
    PartnershipStatus.COMPLETED: frozenset(),
    PartnershipStatus.CANCELLED: frozenset(),
    PartnershipStatus.REPORTED: frozenset(),
}


def _err(field: str, code: ErrorCode, message: str) -> Errors:
    return [UserError(field=field, message=message, code=code.value)]


def status_transition(current: object, new: object, *, field: str = "status") -> Errors:
    """Check that a partnership may move from ``current`` to ``new``."""
    errors = choice(new, PartnershipStatus, field=field)
    if errors:
        return errors
    try:
        here = PartnershipStatus(current)  # type: ignore[arg-type]
    except ValueError:
        return _err(field, ErrorCode.INVALID_TRANSITION, "the partnership has an unknown status")
    there = PartnershipStatus(new)  # type: ignore[arg-type]
    if here is PartnershipStatus.REPORTED:
        return _err(
            field,
            ErrorCode.READ_ONLY,
            "reported partnerships are history from public sources and cannot change",
        )
    if there not in TRANSITIONS[here]:
        allowed = sorted(s.value for s in TRANSITIONS[here])
        hint = f"; from {here.value} it can become {', '.join(allowed)}" if allowed else ""
        return _err(
            field,
            ErrorCode.INVALID_TRANSITION,
            f"a {here.value} partnership cannot become {there.value}{hint}",
        )
    return []


def no_open_duplicate(
    open_partnership_ids: Collection[int], *, field: str = "district_code"
) -> Errors:
    """Refuse a second proposed or active partnership of a partner in one district."""
    if open_partnership_ids:
        ids = ", ".join(str(i) for i in sorted(open_partnership_ids))
        return _err(
            field,
            ErrorCode.DUPLICATE,
            f"this partner already has a proposed or active partnership in this district ({ids})",
        )
    return []


def partner_not_archived(archived_at: dt.datetime | None, *, field: str = "partner_id") -> Errors:
    """Refuse new work for an archived partner."""
    if archived_at is not None:
        return _err(
            field, ErrorCode.ARCHIVED, "the partner is archived and cannot take on new work"
        )
    return []
