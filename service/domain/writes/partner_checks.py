"""What a partner write must satisfy: field rules, known codes, a name not yet taken."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from service.db.models import District, Partner, Province
from service.domain import validation as v
from service.domain.validation import ErrorCode, UserError
from service.domain.writes.common import DESCRIPTION_MAX, SHORT_TEXT_MAX, _dedupe, _existing

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


async def _name_taken(session: AsyncSession, name: str, *, except_id: int | None = None) -> bool:
    stmt = select(Partner.id).where(func.lower(Partner.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(Partner.id != except_id)
    return (await session.scalar(stmt.limit(1))) is not None


def _duplicate_name(name: str) -> UserError:
    return UserError("name", f"a partner named {name!r} already exists", ErrorCode.DUPLICATE.value)


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
    for key, kind, column in (
        ("province_codes", "province", Province.code),
        ("district_codes", "district", District.code),
    ):
        if key in values:
            shape = v.code_list(values[key], field=key, kind=kind)
            errors += shape
            if not shape and values[key]:
                given = _dedupe(values[key])
                stored = v.canonical_district_codes(given) if kind == "district" else given
                known = await _existing(session, column, stored)
                errors += v.code_list(given, field=key, kind=kind, known=known)
    for key, limit in (
        ("sector", 60),
        ("headquarters", SHORT_TEXT_MAX),
        ("description", DESCRIPTION_MAX),
    ):
        if key in values:
            errors += v.free_text(values[key], field=key, max_length=limit)
    if "annual_budget_idr" in values:
        errors += v.budget_idr(values["annual_budget_idr"], field="annual_budget_idr")
    if "typical_commitment_months" in values:
        errors += v.commitment_months(
            values["typical_commitment_months"], field="typical_commitment_months"
        )
    if "website" in values:
        errors += v.website(values["website"])
    return errors
