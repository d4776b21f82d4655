"""Every change the API can make, each one ``fn(session, *, actor, ...) -> Result``.

The order inside each function is always the same: check the role (raises
:class:`service.auth.Forbidden`), validate everything and look up what validation
needs, and only when there are no user errors add rows. A rejected call therefore adds
nothing to the session. An accepted one also adds an ``audit_log`` row naming the
actor, in the same transaction. Nothing here commits: the caller does, once.

Uniqueness races (two proposals for the same partner and district, two partners with
the same name) are settled by the database: the insert runs inside a SAVEPOINT and an
``IntegrityError`` from the unique index becomes a ``DUPLICATE`` user error while the
caller's transaction carries on.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from service.auth import Principal, Role, require
from service.db.enums import PartnershipStatus
from service.db.models import (
    OPEN_PARTNERSHIP_STATUSES,
    AuditLog,
    District,
    Partner,
    PartnerArea,
    PartnerDistrict,
    PartnerProvince,
    Partnership,
    PartnershipArea,
    Province,
    RecommendationFeedback,
)
from service.domain import validation as v
from service.domain.validation import ErrorCode, UserError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

DESCRIPTION_MAX = 5000
NOTES_MAX = 2000
REASON_MAX = 1000
SHORT_TEXT_MAX = 120
MODEL_VERSION_MAX = 40

# The role each write needs; the GraphQL permission classes read the same table.
REQUIRED_ROLE: Mapping[str, Role] = {
    "createPartner": Role.PLANNER,
    "updatePartner": Role.PLANNER,
    "archivePartner": Role.ADMIN,
    "proposePartnership": Role.PLANNER,
    "updatePartnershipStatus": Role.PLANNER,
    "recordRecommendationFeedback": Role.PLANNER,
}

OPEN_PAIR_INDEX = "uq_partnership_open_pair"
PARTNER_NAME_CONSTRAINT = "uq_partner_name"


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset.UNSET
"""Marks an ``update_partner`` argument that was not given (as opposed to ``None``)."""


@dataclass(slots=True)
class Result(Generic[T]):
    """What a write returns: the object when accepted, else the reasons it was not."""

    value: T | None = None
    user_errors: list[UserError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.user_errors


def _rejected(errors: list[UserError]) -> Result[Any]:
    return Result(value=None, user_errors=errors)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [
            _jsonable(v) for v in (sorted(value) if isinstance(value, set | frozenset) else value)
        ]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _audit(
    session: AsyncSession,
    actor: Principal,
    *,
    action: str,
    entity_type: str,
    entity_id: object,
    summary: Mapping[str, Any],
) -> None:
    session.add(
        AuditLog(
            at=_utcnow(),
            actor=actor.owner,
            role=actor.role.value,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            summary={k: _jsonable(val) for k, val in summary.items()},
        )
    )


async def _begin_write(session: AsyncSession) -> None:
    """On SQLite, take the write lock before reading what validation needs.

    The sqlite3 driver starts a transaction only at the first INSERT/UPDATE/DELETE,
    so a SAVEPOINT issued before any would open the transaction itself and its
    RELEASE would commit. ``BEGIN IMMEDIATE`` opens a real transaction and
    serialises writers, so validation and write see the same database. A no-op on
    PostgreSQL and when a transaction is already open.
    """
    conn = await session.connection()
    if conn.dialect.name != "sqlite":
        return
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    if driver is not None and not driver.in_transaction:
        await conn.exec_driver_sql("BEGIN IMMEDIATE")


def _violates(exc: IntegrityError, name: str, sqlite_columns: str) -> bool:
    """Whether ``exc`` comes from the named unique index or constraint."""
    diag = getattr(exc.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    if constraint is not None:
        return bool(constraint == name)
    return sqlite_columns in str(exc.orig)


def _dedupe(values: Iterable[str] | None) -> list[str]:
    return sorted(set(values or ()))


async def _existing(session: AsyncSession, column: Any, values: Sequence[str]) -> set[str]:
    if not values:
        return set()
    return set(await session.scalars(select(column).where(column.in_(values))))


async def _name_taken(session: AsyncSession, name: str, *, except_id: int | None = None) -> bool:
    stmt = select(Partner.id).where(func.lower(Partner.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(Partner.id != except_id)
    return (await session.scalar(stmt.limit(1))) is not None


def _duplicate_name(name: str) -> UserError:
    return UserError("name", f"a partner named {name!r} already exists", ErrorCode.DUPLICATE.value)


# --- partners ----------------------------------------------------------------------------


async def _validate_partner_fields(
    session: AsyncSession, values: Mapping[str, Any]
) -> list[UserError]:
    """Validate whichever partner fields are present in ``values`` (snake_case keys)."""
    errors: list[UserError] = []
    if "name" in values:
        errors += v.partner_name(values["name"])
    if "kind" in values:
        errors += v.partner_kind(values["kind"])
    if "scope" in values:
        errors += v.partner_scope(values["scope"])
    if "areas" in values:
        errors += v.intervention_areas(values["areas"])
    for key, fld, kind, column in (
        ("province_codes", "provinceCodes", "province", Province.code),
        ("district_codes", "districtCodes", "district", District.code),
    ):
        if key in values:
            shape = v.code_list(values[key], field=fld, kind=kind)
            errors += shape
            if not shape and values[key]:
                codes = _dedupe(values[key])
                known = await _existing(session, column, codes)
                errors += v.code_list(codes, field=fld, kind=kind, known=known)
    for key, fld, limit in (
        ("sector", "sector", 60),
        ("headquarters", "headquarters", SHORT_TEXT_MAX),
        ("description", "description", DESCRIPTION_MAX),
    ):
        if key in values:
            errors += v.free_text(values[key], field=fld, max_length=limit)
    if "annual_budget_idr" in values:
        errors += v.budget_idr(values["annual_budget_idr"], field="annualBudgetIdr")
    if "typical_commitment_months" in values:
        errors += v.commitment_months(
            values["typical_commitment_months"], field="typicalCommitmentMonths"
        )
    if "website" in values:
        errors += v.website(values["website"])
    return errors


def _clean_optional(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


async def _insert_or_duplicate(
    session: AsyncSession, row: Any, *, constraint: str, sqlite_columns: str
) -> bool:
    """Flush ``row`` inside a SAVEPOINT; False when the named unique constraint refused it."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        if _violates(exc, constraint, sqlite_columns):
            return False
        raise
    return True


async def create_partner(
    session: AsyncSession,
    *,
    actor: Principal,
    name: str,
    kind: str,
    scope: str,
    areas: Sequence[str] = (),
    province_codes: Sequence[str] = (),
    district_codes: Sequence[str] = (),
    sector: str | None = None,
    headquarters: str | None = None,
    annual_budget_idr: int | None = None,
    typical_commitment_months: int | None = None,
    description: str | None = None,
    website: str | None = None,
) -> Result[Partner]:
    """Add a partner (never synthetic) with its areas, provinces and districts."""
    require(actor, REQUIRED_ROLE["createPartner"])
    await _begin_write(session)
    values = {
        "name": name,
        "kind": kind,
        "scope": scope,
        "areas": areas,
        "province_codes": province_codes,
        "district_codes": district_codes,
        "sector": sector,
        "headquarters": headquarters,
        "annual_budget_idr": annual_budget_idr,
        "typical_commitment_months": typical_commitment_months,
        "description": description,
        "website": website,
    }
    errors = await _validate_partner_fields(session, values)
    if errors:
        return _rejected(errors)
    clean_name = v.clean_text(name)
    if await _name_taken(session, clean_name):
        return _rejected([_duplicate_name(clean_name)])

    partner = Partner(
        name=clean_name,
        kind=kind,
        scope=scope,
        sector=_clean_optional(sector),
        headquarters=_clean_optional(headquarters),
        annual_budget_idr=annual_budget_idr,
        typical_commitment_months=typical_commitment_months,
        description=_clean_optional(description),
        website=_clean_optional(website),
        synthetic=False,
        created_at=_utcnow(),
        areas=[PartnerArea(area=a) for a in _dedupe(areas)],
        provinces=[PartnerProvince(province_code=c) for c in _dedupe(province_codes)],
        districts=[PartnerDistrict(district_code=c) for c in _dedupe(district_codes)],
    )
    if not await _insert_or_duplicate(
        session, partner, constraint=PARTNER_NAME_CONSTRAINT, sqlite_columns="partner.name"
    ):
        return _rejected([_duplicate_name(clean_name)])
    _audit(
        session,
        actor,
        action="createPartner",
        entity_type="Partner",
        entity_id=partner.id,
        summary={k: val for k, val in values.items() if val not in (None, (), [])}
        | {"name": clean_name},
    )
    await session.flush()
    return Result(value=partner)


async def _load_partner(
    session: AsyncSession, partner_id: object, *, share: bool = False
) -> Partner | None:
    """The partner with its lists, row-locked on PostgreSQL (FOR UPDATE, or FOR SHARE).

    Proposals take the shared lock: they do not wait for each other (the unique index
    settles duplicates) but do wait for an archive in progress, and it for them.
    """
    if not isinstance(partner_id, int) or isinstance(partner_id, bool):
        return None
    return await session.scalar(
        select(Partner)
        .where(Partner.id == partner_id)
        .options(
            selectinload(Partner.areas),
            selectinload(Partner.provinces),
            selectinload(Partner.districts),
        )
        .execution_options(populate_existing=True)
        .with_for_update(of=Partner, read=share)
    )


def _partner_not_found(partner_id: object) -> UserError:
    return UserError("partnerId", f"there is no partner {partner_id}", ErrorCode.NOT_FOUND.value)


async def update_partner(
    session: AsyncSession,
    *,
    actor: Principal,
    partner_id: int,
    name: str | _Unset = UNSET,
    kind: str | _Unset = UNSET,
    scope: str | _Unset = UNSET,
    areas: Sequence[str] | _Unset = UNSET,
    province_codes: Sequence[str] | _Unset = UNSET,
    district_codes: Sequence[str] | _Unset = UNSET,
    sector: str | None | _Unset = UNSET,
    headquarters: str | None | _Unset = UNSET,
    annual_budget_idr: int | None | _Unset = UNSET,
    typical_commitment_months: int | None | _Unset = UNSET,
    description: str | None | _Unset = UNSET,
    website: str | None | _Unset = UNSET,
) -> Result[Partner]:
    """Change the given fields; ``UNSET`` leaves a field alone, ``None`` clears it.

    ``name``, ``kind`` and ``scope`` cannot be cleared. Lists replace the current list.
    Archived partners are read-only.
    """
    require(actor, REQUIRED_ROLE["updatePartner"])
    await _begin_write(session)
    given: dict[str, Any] = {
        k: val
        for k, val in {
            "name": name,
            "kind": kind,
            "scope": scope,
            "areas": areas,
            "province_codes": province_codes,
            "district_codes": district_codes,
            "sector": sector,
            "headquarters": headquarters,
            "annual_budget_idr": annual_budget_idr,
            "typical_commitment_months": typical_commitment_months,
            "description": description,
            "website": website,
        }.items()
        if val is not UNSET
    }
    errors = await _validate_partner_fields(session, given)
    partner = await _load_partner(session, partner_id)
    if partner is None:
        return _rejected([_partner_not_found(partner_id), *errors])
    if partner.archived_at is not None:
        errors.append(
            UserError(
                "partnerId", "the partner is archived and read-only", ErrorCode.ARCHIVED.value
            )
        )
    if errors:
        return _rejected(errors)
    if "name" in given:
        given["name"] = v.clean_text(given["name"])
        if await _name_taken(session, given["name"], except_id=partner.id):
            return _rejected([_duplicate_name(given["name"])])

    changes: dict[str, dict[str, Any]] = {}
    for key in (
        "name",
        "kind",
        "scope",
        "sector",
        "headquarters",
        "annual_budget_idr",
        "typical_commitment_months",
        "description",
        "website",
    ):
        if key not in given:
            continue
        new = given[key]
        if key in {"sector", "headquarters", "description", "website"}:
            new = _clean_optional(new)
        old = getattr(partner, key)
        if new != old:
            changes[key] = {"from": old, "to": new}
            setattr(partner, key, new)
    for key, attr, model, column in (
        ("areas", "areas", PartnerArea, "area"),
        ("province_codes", "provinces", PartnerProvince, "province_code"),
        ("district_codes", "districts", PartnerDistrict, "district_code"),
    ):
        if key not in given:
            continue
        old_list = sorted(getattr(row, column) for row in getattr(partner, attr))
        new_list = _dedupe(given[key])
        if old_list != new_list:
            changes[key] = {"from": old_list, "to": new_list}
            kept = [row for row in getattr(partner, attr) if getattr(row, column) in new_list]
            have = {getattr(row, column) for row in kept}
            setattr(partner, attr, kept + [model(**{column: c}) for c in new_list if c not in have])

    if not changes:
        return Result(value=partner)  # nothing to change, nothing to audit
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        if _violates(exc, PARTNER_NAME_CONSTRAINT, "partner.name"):
            return _rejected([_duplicate_name(given["name"])])
        raise
    _audit(
        session,
        actor,
        action="updatePartner",
        entity_type="Partner",
        entity_id=partner.id,
        summary={
            k: {"from": _jsonable(c["from"]), "to": _jsonable(c["to"])} for k, c in changes.items()
        },
    )
    await session.flush()
    return Result(value=partner)


async def archive_partner(
    session: AsyncSession, *, actor: Principal, partner_id: int
) -> Result[Partner]:
    """Mark a partner archived: it stays in history but takes no new partnerships.

    Its open partnerships are left as they are; closing them is a separate decision.
    """
    require(actor, REQUIRED_ROLE["archivePartner"])
    await _begin_write(session)
    partner = await _load_partner(session, partner_id)
    if partner is None:
        return _rejected([_partner_not_found(partner_id)])
    if partner.archived_at is not None:
        return _rejected(
            [UserError("partnerId", "the partner is already archived", ErrorCode.ARCHIVED.value)]
        )
    partner.archived_at = _utcnow()
    _audit(
        session,
        actor,
        action="archivePartner",
        entity_type="Partner",
        entity_id=partner.id,
        summary={"archived_at": partner.archived_at},
    )
    await session.flush()
    return Result(value=partner)


# --- partnerships ------------------------------------------------------------------------


def _duplicate_pair(ids: Sequence[int] = ()) -> list[UserError]:
    if ids:
        return v.no_open_duplicate(ids)
    # Lost a race to a concurrent proposal whose row we cannot see yet.
    return [
        UserError(
            "districtCode",
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
    require(actor, REQUIRED_ROLE["proposePartnership"])
    await _begin_write(session)
    errors: list[UserError] = []
    errors += v.intervention_areas(areas)
    errors += v.date_value(start_date, field="startDate")
    errors += v.date_value(end_date, field="endDate")
    errors += v.date_order(start_date, end_date)
    errors += v.commitment_months(duration_months)
    errors += v.budget_idr(budget_idr)
    errors += v.beneficiaries(target_beneficiaries)
    errors += v.free_text(notes, field="notes", max_length=NOTES_MAX)
    shape = v.district_code(district_code)
    if shape:
        errors += shape
    else:
        known = await _existing(session, District.code, [district_code])
        errors += v.district_code(district_code, known=known)
    partner = await _load_partner(session, partner_id, share=True)
    if partner is None:
        errors.append(_partner_not_found(partner_id))
    else:
        errors += v.partner_not_archived(partner.archived_at)
    if errors:
        return _rejected(errors)
    assert partner is not None
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
        action="proposePartnership",
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
    require(actor, REQUIRED_ROLE["updatePartnershipStatus"])
    await _begin_write(session)
    today = today or dt.date.today()
    errors: list[UserError] = []
    errors += v.date_value(start_date, field="startDate")
    errors += v.date_value(end_date, field="endDate")
    errors += v.free_text(outcome, field="outcome", max_length=NOTES_MAX)
    row = None
    if isinstance(partnership_id, int) and not isinstance(partnership_id, bool):
        row = await session.scalar(
            select(Partnership)
            .where(Partnership.id == partnership_id)
            .execution_options(populate_existing=True)
            .with_for_update()
        )
    if row is None:
        return _rejected(
            [
                UserError(
                    "partnershipId",
                    f"there is no partnership {partnership_id}",
                    ErrorCode.NOT_FOUND.value,
                ),
                *errors,
            ]
        )
    errors += v.status_transition(row.status, status)
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
                    "endDate",
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
        action="updatePartnershipStatus",
        entity_type="Partnership",
        entity_id=row.id,
        summary=changes,
    )
    await session.flush()
    return Result(value=row)


# --- recommendation feedback -------------------------------------------------------------


async def record_recommendation_feedback(
    session: AsyncSession,
    *,
    actor: Principal,
    district_code: str,
    partner_id: int,
    verdict: str,
    reason: str | None = None,
    model_version: str | None = None,
) -> Result[RecommendationFeedback]:
    """Record a planner's accept/reject of one recommended partner for one district."""
    require(actor, REQUIRED_ROLE["recordRecommendationFeedback"])
    await _begin_write(session)
    errors: list[UserError] = []
    errors += v.verdict(verdict)
    errors += v.free_text(reason, field="reason", max_length=REASON_MAX)
    errors += v.free_text(model_version, field="modelVersion", max_length=MODEL_VERSION_MAX)
    shape = v.district_code(district_code)
    if shape:
        errors += shape
    else:
        known = await _existing(session, District.code, [district_code])
        errors += v.district_code(district_code, known=known)
    if (
        not isinstance(partner_id, int)
        or isinstance(partner_id, bool)
        or (await session.scalar(select(Partner.id).where(Partner.id == partner_id))) is None
    ):
        errors.append(_partner_not_found(partner_id))
    if errors:
        return _rejected(errors)
    row = RecommendationFeedback(
        district_code=district_code,
        partner_id=partner_id,
        verdict=verdict,
        reason=_clean_optional(reason),
        model_version=_clean_optional(model_version),
        actor=actor.owner,
        created_at=_utcnow(),
    )
    session.add(row)
    await session.flush()
    _audit(
        session,
        actor,
        action="recordRecommendationFeedback",
        entity_type="RecommendationFeedback",
        entity_id=row.id,
        summary={
            "district_code": district_code,
            "partner_id": partner_id,
            "verdict": verdict,
            "model_version": row.model_version,
            "reason": row.reason,
        },
    )
    await session.flush()
    return Result(value=row)
