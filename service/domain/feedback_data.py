"""What planners told the API, as training data for the next model.

* :func:`load_feedback`: ``recommendation_feedback`` rows (accepted / rejected verdicts
  on a recommended partner for a district) as the recommender's ``feedback`` frame
  (``partner_name, district_code, verdict, created_at``); the learned ranker turns each
  pair's latest verdict into a positive or negative training pair
  (:func:`recommender.training.feedback_pairs`).
* Partnership outcomes recorded through the API (``updatePartnershipStatus`` to
  completed or cancelled) are partnership rows already; :func:`effective_durations`
  gives rows without a stated duration the span of their dates, so a completed or
  cancelled partnership proposed without one still gets a label.
* :func:`training_summary`: the counts a model version records about its training data.
* :func:`rejected_pairs`: the (partner, district) pairs whose latest verdict is a
  rejection; recommendations leave them out at once, without waiting for a retrain.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import select

from recommender.outcomes import lasted
from recommender.training import FEEDBACK_COLUMNS
from service.db.models import District, RecommendationFeedback
from service.domain.partnerships import months_between

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm import Session

FB = RecommendationFeedback


def load_feedback(session: Session, partners: pd.DataFrame) -> pd.DataFrame:
    """Every verdict on a partner in ``partners`` (the non-archived ones), oldest first.

    Columns: ``partner_name, district_code, verdict, created_at`` (as the recommender
    expects) plus ``id, partner_id, model_version``.
    """
    rows = session.execute(
        select(
            FB.id, FB.partner_id, FB.district_code, FB.verdict, FB.created_at, FB.model_version
        ).order_by(FB.created_at, FB.id)
    ).all()
    f = pd.DataFrame(
        rows,
        columns=["id", "partner_id", "district_code", "verdict", "created_at", "model_version"],
    )
    names = dict(zip(partners["id"], partners["name"], strict=True))
    f = f[f["partner_id"].isin(names)].reset_index(drop=True)
    f.insert(0, "partner_name", f["partner_id"].map(names).astype(object))
    f["created_at"] = pd.to_datetime(f["created_at"], utc=True)
    return f[[*FEEDBACK_COLUMNS, "id", "partner_id", "model_version"]]


def effective_durations(history: pd.DataFrame) -> pd.DataFrame:
    """``history`` with a missing ``duration_months`` filled from the start and end dates.

    The same rule as :func:`service.domain.partnerships.effective_duration_months`
    (the stated duration, else the span of the dates); stated durations are kept.
    """
    missing = (
        history["duration_months"].isna()
        & history["start_date"].notna()
        & history["end_date"].notna()
    )
    if not missing.any():
        return history
    h = history.copy()
    h.loc[missing, "duration_months"] = [
        float(months_between(pd.Timestamp(s).date(), pd.Timestamp(e).date()))
        for s, e in zip(h.loc[missing, "start_date"], h.loc[missing, "end_date"], strict=True)
    ]
    return h


def training_summary(
    history: pd.DataFrame, feedback: pd.DataFrame, *, training_pairs: int, feedback_pairs: int
) -> dict[str, Any]:
    """Count what a version learned from (kept in its metrics and card)."""
    label = lasted(history)
    synthetic = history["synthetic"] if "synthetic" in history else pd.Series(False)
    return {
        "training_pairs": int(training_pairs),
        "partnerships_with_outcome": int(label.notna().sum()),
        "partnerships_with_outcome_real": int((label.notna() & ~synthetic.astype(bool)).sum()),
        "feedback_verdicts": len(feedback),
        "feedback_accepted": int((feedback["verdict"] == "accepted").sum()),
        "feedback_rejected": int((feedback["verdict"] == "rejected").sum()),
        "feedback_pairs": int(feedback_pairs),
    }


async def rejected_pairs(
    session: AsyncSession,
    *,
    district_codes: Collection[str] | None = None,
    partner_ids: Collection[int] | None = None,
    province_code: str | None = None,
) -> set[tuple[int, str]]:
    """``(partner_id, district_code)`` pairs whose latest verdict is ``rejected``.

    A later ``accepted`` verdict on the same pair lifts the rejection. Each argument
    given narrows the pairs looked at.
    """
    stmt = select(FB.partner_id, FB.district_code, FB.verdict).order_by(FB.created_at, FB.id)
    if district_codes is not None:
        stmt = stmt.where(FB.district_code.in_(list(district_codes)))
    if partner_ids is not None:
        stmt = stmt.where(FB.partner_id.in_(list(partner_ids)))
    if province_code is not None:
        stmt = stmt.join(District, District.code == FB.district_code).where(
            District.province_code == province_code
        )
    latest = {(pid, code): verdict for pid, code, verdict in (await session.execute(stmt)).all()}
    return {pair for pair, verdict in latest.items() if verdict == "rejected"}
