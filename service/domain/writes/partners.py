"""Partner writes: create, update (only the given fields), archive."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import String
from sqlalchemy.exc import IntegrityError

from service.auth import Principal
from service.db.models import (
    Partner,
    PartnerArea,
    PartnerDistrict,
    PartnerProvince,
)
from service.domain import validation as v
from service.domain.actions import Action, authorize
from service.domain.validation import ErrorCode, UserError
from service.domain.writes.common import (
    Result,
    _audit,
    _begin_write,
    _clean_optional,
    _dedupe,
    _insert_or_duplicate,
    _jsonable,
    _load_partner,
    _partner_not_found,
    _rejected,
    _utcnow,
    _violates,
)
from service.domain.writes.partner_checks import (
    _duplicate_name,
    _name_taken,
    _validate_partner_fields,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

PARTNER_NAME_CONSTRAINT = "uq_partner_name"


# The partner fields a write may set, read off the ORM model (service.db.models.Partner),
# the one place they are written: its columns, less those only the system sets, and its
# three lists (keyword -> relationship, row class, column).
_SYSTEM_COLUMNS = frozenset({"id", "source_url", "synthetic", "archived_at", "created_at"})
PARTNER_COLUMNS: tuple[str, ...] = tuple(
    c.key for c in Partner.__table__.columns if c.key not in _SYSTEM_COLUMNS
)
PARTNER_LISTS: dict[str, tuple[str, type[Any], str]] = {
    "areas": ("areas", PartnerArea, "area"),
    "province_codes": ("provinces", PartnerProvince, "province_code"),
    "district_codes": ("districts", PartnerDistrict, "district_code"),
}
PARTNER_FIELDS: tuple[str, ...] = (*PARTNER_COLUMNS, *PARTNER_LISTS)
# Those a new partner must have: the columns that cannot be null.
PARTNER_REQUIRED: tuple[str, ...] = tuple(
    c for c in PARTNER_COLUMNS if not Partner.__table__.columns[c].nullable
)
# Optional free text: stripped, and empty means none.
_OPTIONAL_TEXT = frozenset(
    c.key
    for c in Partner.__table__.columns
    if c.key in PARTNER_COLUMNS and c.nullable and isinstance(c.type, String)
)


def _check_keys(fields: Mapping[str, Any], *, required: Sequence[str] = ()) -> None:
    unknown = sorted(set(fields) - set(PARTNER_FIELDS))
    if unknown:
        raise TypeError(f"unknown partner fields: {', '.join(unknown)}")
    missing = [k for k in required if k not in fields]
    if missing:
        raise TypeError(f"missing partner fields: {', '.join(missing)}")


def _stored(key: str, value: Any) -> Any:
    return _clean_optional(value) if key in _OPTIONAL_TEXT else value


def _stored_list(key: str, values: Any) -> list[str]:
    """Normalise a list field as stored: distinct, sorted; district codes as "NN.NN"."""
    return v.canonical_district_codes(values) if key == "district_codes" else _dedupe(values)


async def create_partner(
    session: AsyncSession, *, actor: Principal, **fields: Any
) -> Result[Partner]:
    """Add a partner (never synthetic) with its areas, provinces and districts.

    ``fields`` are keywords of :data:`PARTNER_FIELDS`; ``name``, ``kind`` and ``scope``
    are required, lists default to empty and the other fields to ``None``.
    """
    _check_keys(fields, required=PARTNER_REQUIRED)
    authorize(actor, Action.CREATE_PARTNER)
    await _begin_write(session)
    values: dict[str, Any] = {
        k: fields.get(k, () if k in PARTNER_LISTS else None) for k in PARTNER_FIELDS
    }
    errors = await _validate_partner_fields(session, values)
    if errors:
        return _rejected(errors)
    clean_name = v.clean_text(values["name"])
    if await _name_taken(session, clean_name):
        return _rejected([_duplicate_name(clean_name)])

    partner = Partner(
        **{k: _stored(k, values[k]) for k in PARTNER_COLUMNS} | {"name": clean_name},
        synthetic=False,
        created_at=_utcnow(),
        **{
            attr: [model(**{column: c}) for c in _stored_list(key, values[key])]
            for key, (attr, model, column) in PARTNER_LISTS.items()
        },
    )
    if not await _insert_or_duplicate(
        session, partner, constraint=PARTNER_NAME_CONSTRAINT, sqlite_columns="partner.name"
    ):
        return _rejected([_duplicate_name(clean_name)])
    _audit(
        session,
        actor,
        action=Action.CREATE_PARTNER.audit_name,
        entity_type="Partner",
        entity_id=partner.id,
        summary={k: val for k, val in values.items() if val not in (None, (), [])}
        | {"name": clean_name},
    )
    await session.flush()
    return Result(value=partner)


async def update_partner(
    session: AsyncSession, *, actor: Principal, partner_id: int, **fields: Any
) -> Result[Partner]:
    """Change the given fields (keywords of :data:`PARTNER_FIELDS`); ``None`` clears one.

    ``name``, ``kind`` and ``scope`` cannot be cleared. Lists replace the current list.
    Archived partners are read-only.
    """
    _check_keys(fields)
    authorize(actor, Action.UPDATE_PARTNER)
    await _begin_write(session)
    given: dict[str, Any] = dict(fields)
    errors = await _validate_partner_fields(session, given)
    partner = await _load_partner(session, partner_id)
    if partner is None:
        return _rejected([_partner_not_found(partner_id), *errors])
    if partner.archived_at is not None:
        errors.append(
            UserError(
                "partner_id", "the partner is archived and read-only", ErrorCode.ARCHIVED.value
            )
        )
    if errors:
        return _rejected(errors)
    if "name" in given:
        given["name"] = v.clean_text(given["name"])
        if await _name_taken(session, given["name"], except_id=partner.id):
            return _rejected([_duplicate_name(given["name"])])

    changes: dict[str, dict[str, Any]] = {}
    for key in PARTNER_COLUMNS:
        if key not in given:
            continue
        new = _stored(key, given[key])
        old = getattr(partner, key)
        if new != old:
            changes[key] = {"from": old, "to": new}
            setattr(partner, key, new)
    for key, (attr, model, column) in PARTNER_LISTS.items():
        if key not in given:
            continue
        old_list = sorted(getattr(row, column) for row in getattr(partner, attr))
        new_list = _stored_list(key, given[key])
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
        action=Action.UPDATE_PARTNER.audit_name,
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
    authorize(actor, Action.ARCHIVE_PARTNER)
    await _begin_write(session)
    partner = await _load_partner(session, partner_id)
    if partner is None:
        return _rejected([_partner_not_found(partner_id)])
    if partner.archived_at is not None:
        return _rejected(
            [UserError("partner_id", "the partner is already archived", ErrorCode.ARCHIVED.value)]
        )
    partner.archived_at = _utcnow()
    _audit(
        session,
        actor,
        action=Action.ARCHIVE_PARTNER.audit_name,
        entity_type="Partner",
        entity_id=partner.id,
        summary={"archived_at": partner.archived_at},
    )
    await session.flush()
    return Result(value=partner)
