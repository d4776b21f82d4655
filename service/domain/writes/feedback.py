"""Recommendation feedback: a planner's verdict on one recommended partner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from service.auth import Principal
from service.db.models import Partner, RecommendationFeedback
from service.domain import validation as v
from service.domain.actions import Action, authorize
from service.domain.validation import UserError
from service.domain.writes.common import (
    MODEL_VERSION_MAX,
    REASON_MAX,
    Result,
    _audit,
    _begin_write,
    _clean_optional,
    _district_code_errors,
    _partner_not_found,
    _rejected,
    _utcnow,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


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
    authorize(actor, Action.RECORD_RECOMMENDATION_FEEDBACK)
    await _begin_write(session)
    errors: list[UserError] = []
    errors += v.verdict(verdict)
    errors += v.free_text(reason, field="reason", max_length=REASON_MAX)
    errors += v.free_text(model_version, field="model_version", max_length=MODEL_VERSION_MAX)
    errors += await _district_code_errors(session, district_code)
    if (
        not isinstance(partner_id, int)
        or isinstance(partner_id, bool)
        or (await session.scalar(select(Partner.id).where(Partner.id == partner_id))) is None
    ):
        errors.append(_partner_not_found(partner_id))
    if errors:
        return _rejected(errors)
    district_code = v.canonical_district_codes([district_code])[0]  # "5302" -> "53.02"
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
        action=Action.RECORD_RECOMMENDATION_FEEDBACK.audit_name,
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
