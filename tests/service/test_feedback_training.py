"""Planner feedback and API-recorded outcomes become training data on the next retrain."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender.record import RealRecord
from service.auth import Principal, Role
from service.db.models import AuditLog, Partner, RecommendationFeedback
from service.domain import feedback_data, model_admin
from service.domain.recommender_data import load_frames
from service.settings import Settings

ADMIN = Principal.local("feedback-test", Role.ADMIN)


def _verdicts(session: Session, n: int, verdict: str) -> None:
    partners = session.scalars(
        select(Partner.id).where(Partner.archived_at.is_(None)).order_by(Partner.id).limit(n)
    ).all()
    for i, pid in enumerate(partners):
        session.add(
            RecommendationFeedback(
                district_code="53.02",
                partner_id=pid,
                verdict=verdict if i % 3 else "rejected",
                actor="planner",
                created_at=dt.datetime.now(dt.UTC),
            )
        )
    session.flush()


def test_retrain_after_feedback_changes_hash_and_metrics(session: Session, settings: Settings):
    before = model_admin.train(session, settings, actor=ADMIN, activate=False, n_boot=20).value
    assert before is not None
    assert before.metrics["training"]["feedback_verdicts"] == 0
    _verdicts(session, 12, "accepted")
    after = model_admin.train(session, settings, actor=ADMIN, activate=False, n_boot=20).value
    assert after is not None
    assert after.data_hash != before.data_hash
    assert after.metrics != before.metrics
    t = after.metrics["training"]
    assert (t["feedback_verdicts"], t["feedback_accepted"], t["feedback_rejected"]) == (12, 8, 4)
    assert t["feedback_pairs"] == 12
    assert t["training_pairs"] == before.metrics["training"]["training_pairs"] + 12
    assert after.card["training_data"]["feedback_verdicts"] == 12
    # the real-record logit learns from the accepted verdicts on real partners too: each
    # is one more choice, unless the partner is already known in 53.02
    frames = load_frames(session)
    record = RealRecord.from_frames(frames.districts, frames.partners, frames.history)
    d = list(record.d_codes).index("53.02")
    accepted = [
        list(record.p_names).index(name)
        for name in session.scalars(
            select(Partner.name)
            .join(RecommendationFeedback, RecommendationFeedback.partner_id == Partner.id)
            .where(RecommendationFeedback.verdict == "accepted", Partner.synthetic.is_(False))
        )
    ]
    expected = sum(1 for p in accepted if not record.known()[p, d])
    assert expected > 0
    real_before, real_after = (m.metrics["real_model"][0]["training"] for m in (before, after))
    assert "0 from accepted recommendations" in real_before
    assert f", {expected} from accepted recommendations" in real_after
    actions = session.scalars(
        select(AuditLog.action).where(AuditLog.entity_id.in_([before.version, after.version]))
    ).all()
    assert sorted(actions) == ["trainModel", "trainModel"]


def test_activate_unknown_version_is_a_user_error(session: Session):
    result = model_admin.activate(session, actor=ADMIN, version="no-such-version")
    assert result.value is None
    assert [(e.field, e.code) for e in result.user_errors] == [("version", "NOT_FOUND")]


def test_feedback_frame_skips_archived_partners(session: Session):
    _verdicts(session, 3, "accepted")
    frames = load_frames(session)
    fb = feedback_data.load_feedback(session, frames.partners)
    assert len(fb) == 3
    assert list(fb.columns[:4]) == ["partner_name", "district_code", "verdict", "created_at"]
    archived = fb["partner_id"].iloc[0]
    fb2 = feedback_data.load_feedback(session, frames.partners[frames.partners["id"] != archived])
    assert len(fb2) == 2


def test_outcome_without_stated_duration_gets_its_span():
    h = pd.DataFrame(
        {
            "start_date": [dt.date(2025, 1, 15), dt.date(2025, 1, 1), None],
            "end_date": [dt.date(2025, 9, 15), dt.date(2025, 3, 1), None],
            "duration_months": [None, 12.0, None],
            "status": ["completed", "cancelled", "proposed"],
        }
    )
    out = feedback_data.effective_durations(h)
    assert out["duration_months"].tolist()[:2] == [8.0, 12.0]
    assert pd.isna(out["duration_months"].iloc[2])
