"""Partner writes: create, update (only the given fields), archive."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from service.auth import Principal, require
from service.db.models import (
    Partner,
    PartnerArea,
    PartnerDistrict,
    PartnerProvince,
)
from service.domain import validation as v
from service.domain.validation import ErrorCode, UserError
from service.domain.writes.common import (
    REQUIRED_ROLE,
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


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset.UNSET
"""Marks an ``update_partner`` argument that was not given (as opposed to ``None``)."""


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
        districts=[
            PartnerDistrict(district_code=c) for c in v.canonical_district_codes(district_codes)
        ],
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
        new_list = (
            v.canonical_district_codes(given[key])
            if key == "district_codes"
            else _dedupe(given[key])
        )
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
