"""What a model version reports about itself: its evaluation and its model card.

* :func:`run_evaluation` evaluates the learned ranker's recipe against the baselines on
  the latest year with known outcomes (time split) and on the real reported
  partnerships (leave one out): an :class:`EvaluationReport`, stored as
  ``ModelVersion.metrics`` and printed by :func:`report_text`.
* :func:`model_card` writes ``ModelVersion.card``: intended use, training data, features,
  metrics and known limitations.

Training, registering, activating and loading versions is :mod:`service.domain.model_registry`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from recommender.evaluation import Evaluation, evaluate, real_leave_one_out
from recommender.features import FEATURE_VERSION, FEATURES, FeatureSpace
from recommender.model import GeographyScorer, LearnedRanker, TransparentScorer
from recommender.outcomes import lasted
from recommender.scorer import Scorer
from service.domain.recommender_data import RecommenderFrames

log = logging.getLogger("mitra.models")

MIN_TEST_PARTNERSHIPS = 50  # a test year needs this many partnerships with a known outcome


@dataclass(frozen=True)
class EvaluationReport:
    """The time-split table and the real-partnership leave-one-out table."""

    test_year: int
    time_split: Evaluation
    real_loo: Evaluation | None

    def to_string(self) -> str:
        """Render the evaluation tables as plain text."""
        parts = [self.time_split.to_string()]
        if self.real_loo is not None:
            parts += ["", self.real_loo.to_string()]
        return "\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        """Convert the evaluation to JSON-ready records (NaN as null)."""

        def records(ev: Evaluation) -> list[dict[str, Any]]:
            t = ev.table.reset_index()
            return [
                {
                    str(k): (
                        None
                        if isinstance(v, float) and np.isnan(v)
                        else (
                            float(v)
                            if isinstance(v, (float, np.floating))
                            else (int(v) if isinstance(v, (np.integer,)) else v)
                        )
                    )
                    for k, v in row.items()
                }
                for row in t.to_dict("records")
            ]

        out: dict[str, Any] = {
            "test_year": self.test_year,
            "time_split": records(self.time_split),
            "notes": list(self.time_split.notes),
        }
        if self.real_loo is not None:
            out["real_leave_one_out"] = records(self.real_loo)
            out["real_leave_one_out_notes"] = list(self.real_loo.notes)
        return out


def report_text(metrics: dict[str, Any]) -> str:
    """Turn the stored evaluation (``ModelVersion.metrics``) into printable tables."""
    lines: list[str] = list(metrics.get("notes", []))
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        for key in ("time_split", "real_leave_one_out"):
            if metrics.get(key):
                if key == "real_leave_one_out":
                    lines += ["", *metrics.get("real_leave_one_out_notes", [])]
                t = pd.DataFrame(metrics[key])
                idx = ["direction", "scorer"] if "direction" in t else ["scorer"]
                lines.append(t.set_index(idx).to_string(float_format=lambda v: f"{v:.3f}"))
    return "\n".join(lines)


def evaluation_year(history: pd.DataFrame) -> int:
    """Find the latest start year with at least :data:`MIN_TEST_PARTNERSHIPS` known outcomes."""
    years = pd.to_datetime(history["start_date"], errors="coerce").dt.year
    known = years[lasted(history).notna()].value_counts()
    ok = known[known >= MIN_TEST_PARTNERSHIPS]
    if ok.empty:
        raise ValueError("not enough partnerships with a known outcome to evaluate")
    return int(ok.index.max())


def run_evaluation(
    frames: RecommenderFrames, *, n_boot: int = 1000, seed: int = 0
) -> EvaluationReport:
    """Time split on the latest year with outcomes, plus real leave-one-out."""
    year = evaluation_year(frames.history)
    ev = evaluate(
        frames.districts, frames.partners, frames.history, test_year=year, n_boot=n_boot, seed=seed
    )
    loo = None
    real = frames.partners[~frames.partners["synthetic"]]
    synth_hist = frames.history[frames.history["synthetic"]]
    real_hist = frames.history[~frames.history["synthetic"]]
    if len(real) and len(real_hist):
        cutoff = dt.date(year, 1, 1)
        space = FeatureSpace(frames.districts, frames.partners)
        train = synth_hist[pd.to_datetime(synth_hist["start_date"]) < pd.Timestamp(cutoff)]
        scorers: list[Scorer] = [GeographyScorer(), TransparentScorer(), LearnedRanker(seed=seed)]
        for sc in scorers:
            sc.fit(space, train, until=cutoff)
        try:
            loo = real_leave_one_out(
                frames.districts, real, real_hist, scorers, as_of=dt.date.today()
            )
        except (KeyError, ValueError) as exc:  # too few real partners with two districts
            log.info("real leave-one-out skipped: %s", exc)
    return EvaluationReport(year, ev, loo)


def model_card(
    frames: RecommenderFrames,
    window: str,
    n_train: int,
    report: EvaluationReport | None,
    training: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write the model card of a version trained on ``frames`` over ``window``."""
    h = frames.history
    learned = {}
    if report is not None:
        t = report.time_split.table.reset_index()
        for _, r in t[t["scorer"] == "learned"].iterrows():
            learned[r["direction"]] = {
                "ndcg@10": round(float(r["ndcg@10"]), 3),
                "ci95": [round(float(r["ndcg_lo"]), 3), round(float(r["ndcg_hi"]), 3)],
            }
    return {
        "intended_use": (
            "Rank candidate partners for an Indonesian district (and districts for a partner) "
            "as a starting point for BKKBN planners; every recommendation comes with reasons "
            "and is reviewed by a person. Not for allocating funds automatically."
        ),
        "training_data": {
            "window": window,
            "partnerships": len(h),
            "training_pairs": n_train,
            "partners": len(frames.partners),
            "districts": len(frames.districts),
            "share_synthetic_partnerships": round(frames.share_synthetic_history, 3),
            "share_synthetic_partners": round(float(frames.partners["synthetic"].mean()), 3),
            "districts_with_imputed_prevalence": int(frames.districts["prevalence_imputed"].sum()),
            **(training or {}),
        },
        "features": list(FEATURES),
        "feature_version": FEATURE_VERSION,
        "metrics": learned,
        "evaluation": None
        if report is None
        else {"test_year": report.test_year, "notes": report.time_split.notes},
        "known_limitations": [
            "Most of the training history is synthetic (docs/synthetic-data.md): metrics "
            "describe the generator's assumptions, not real partner behaviour.",
            "Districts without a published figure carry their province's prevalence "
            "(imputed) and are ranked on it.",
            "Real partners have no budgets and no outcomes; their track record is the prior.",
            "On real reported partnerships, presence (geography) predicts better than the "
            "need terms (see the real leave-one-out table).",
            "Planner feedback (accepted/rejected) enters training as labelled pairs; it is "
            "scarce, judges the previous model's suggestions (a feedback loop) and is not "
            "in the time-split evaluation, which ends before it was given.",
        ],
    }
