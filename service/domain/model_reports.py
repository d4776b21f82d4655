"""What a model version reports about itself: its evaluation and its model card.

* :func:`run_evaluation` evaluates on the real record (the evidence) and on the synthetic
  time split (a regression check of the pipeline): an :class:`EvaluationReport`, stored
  as ``ModelVersion.metrics`` and printed by :func:`report_text`.
* :func:`real_model_summary` and :func:`model_card` write what a version was trained on
  and ``ModelVersion.card``: intended use, training data, features, metrics, limitations.

Training, registering, activating and loading versions is :mod:`service.domain.model_registry`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from recommender.evaluation import Evaluation, evaluate
from recommender.features import FEATURE_VERSION, FEATURES
from recommender.outcomes import lasted
from recommender.real_evaluation import RealEvaluation, evaluate_real
from recommender.real_model import RealRanker
from service.domain.recommender_data import RecommenderFrames

if TYPE_CHECKING:
    pass

log = logging.getLogger("mitra.models")


MIN_TEST_PARTNERSHIPS = 50  # a test year needs this many partnerships with a known outcome


@dataclass(frozen=True)
class EvaluationReport:
    """The real-record evaluation (the evidence) and the synthetic time split (a check).

    ``real`` is None when the database has no real record (or it was not asked for).
    """

    test_year: int
    time_split: Evaluation
    real: RealEvaluation | None = None

    def to_string(self) -> str:
        """Render the evaluation tables as plain text."""
        parts = []
        if self.real is not None:
            parts += [
                "== Real record (the evidence about real partners) ==",
                self.real.to_string(),
                "",
            ]
        parts += [
            "== Synthetic time split: a regression check of the training pipeline on the "
            "generated world, not evidence about real partners ==",
            self.time_split.to_string(),
        ]
        return "\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        """Convert the evaluation to JSON-ready records (NaN as null)."""
        out: dict[str, Any] = {
            "test_year": self.test_year,
            "time_split": _records(self.time_split.table),
            "notes": list(self.time_split.notes),
        }
        if self.real is not None:
            out["real_record"] = _records(self.real.table)
            out["real_record_gains"] = _records(self.real.gains)
            out["real_record_notes"] = list(self.real.notes)
        return out


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    def plain(v: Any) -> Any:
        if isinstance(v, float) and np.isnan(v):
            return None
        if isinstance(v, (float, np.floating)):
            return float(v)
        return int(v) if isinstance(v, np.integer) else v

    return [
        {str(k): plain(v) for k, v in row.items()} for row in table.reset_index().to_dict("records")
    ]


def report_text(metrics: dict[str, Any]) -> str:
    """Return the stored evaluation (``ModelVersion.metrics``) as printable tables."""
    lines: list[str] = []
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        if metrics.get("real_model"):
            lines += ["Real-record rankers (chosen by cross-validation on the real record):"]
            lines.append(pd.DataFrame(metrics["real_model"]).to_string(index=False))
            lines.append("")
        if metrics.get("time_split"):
            lines += [
                "Synthetic time split (a regression check of the training pipeline, not "
                "evidence about real partners; the real-record table is `mitra evaluate`):",
                *metrics.get("notes", []),
            ]
            t = pd.DataFrame(metrics["time_split"]).set_index(["direction", "scorer"])
            lines.append(t.to_string(float_format=lambda v: f"{v:.3f}"))
    return "\n".join(lines)


def evaluation_year(history: pd.DataFrame) -> int:
    """Return the latest start year with at least :data:`MIN_TEST_PARTNERSHIPS` known outcomes."""
    years = pd.to_datetime(history["start_date"], errors="coerce").dt.year
    known = years[lasted(history).notna()].value_counts()
    ok = known[known >= MIN_TEST_PARTNERSHIPS]
    if ok.empty:
        raise ValueError("not enough partnerships with a known outcome to evaluate")
    return int(ok.index.max())


def run_evaluation(
    frames: RecommenderFrames, *, n_boot: int = 1000, seed: int = 0, real: bool = True
) -> EvaluationReport:
    """Evaluate on the real record and on the synthetic time split.

    The real record (when ``real`` and there is one) is the evidence; the synthetic time
    split on the latest year with outcomes is a pipeline regression check.
    """
    year = evaluation_year(frames.history)
    ev = evaluate(
        frames.districts, frames.partners, frames.history, test_year=year, n_boot=n_boot, seed=seed
    )
    real_eval = None
    if real and (~frames.history["synthetic"]).any():
        real_eval = evaluate_real(
            frames.districts, frames.partners, frames.history, n_boot=n_boot, seed=seed
        )
    return EvaluationReport(year, ev, real_eval)


def real_model_summary(real: RealRanker | None) -> list[dict[str, Any]]:
    """Report what the real-record rankers were trained on and which parameters CV chose."""
    if real is None:
        return []
    walk = real.walk_
    verdicts = int(getattr(real, "n_verdict_choices_", 0))  # older artifacts: none
    return [
        {
            "direction": "partners_for_district",
            "model": "conditional logit",
            "parameters": f"features {real.partner_model_.features}, "
            f"prior {real.partner_model_.prior}, L2 penalty {real.partner_model_.alpha:g}",
            "training": f"{real.n_choices_} choices ({real.n_choices_ - verdicts} from "
            f"{real.n_pairs_} real pairs, {verdicts} from accepted recommendations)",
            "share_real": 1.0,
        },
        {
            "direction": "districts_for_partner",
            "model": "random walk with restart",
            "parameters": f"restart {walk.restart:g}, exp(-km/{walk.bandwidth_km:g}), "
            f"co-occurrence {walk.cooccurrence:g}",
            "training": f"{real.n_pairs_} real pairs "
            f"(training-hold MRR {real.walk_train_mrr_:.3f})",
            "share_real": 1.0,
        },
    ]


def model_card(
    frames: RecommenderFrames,
    window: str,
    n_train: int,
    report: EvaluationReport | None,
    training: dict[str, Any] | None = None,
    real: RealRanker | None = None,
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
        "real_model": real_model_summary(real),
        "feature_version": FEATURE_VERSION,
        "metrics": learned,
        "evaluation": None
        if report is None
        else {"test_year": report.test_year, "notes": report.time_split.notes},
        "known_limitations": [
            "Real partners are ranked by the real-record rankers (real_model), trained on "
            "real pairs only (share of real training data 100 %; the generated history "
            "is not used for them). The learned ranker (time-split metrics) is trained "
            "on a mostly synthetic history (docs/synthetic-data.md) and serves only the "
            "demo world: its metrics describe the generator's assumptions.",
            "The evidence about real partners is the real-record leave-one-out of "
            "`mitra evaluate` (docs/recommender.md), not the time split.",
            "Districts without a published figure carry their province's prevalence "
            "(imputed) and are ranked on it.",
            "Real partners have no budgets and no outcomes; their track record is the prior.",
            "The real record is small and press-release-biased; a partner with no known "
            "district yet is ranked by the transparent scorer.",
            "Partners for a district: in the source-blocked real-record test the "
            "conditional logit is level with the geography heuristic at hit@10 (no "
            "significant gain); it ranks like a refined geography, not beyond it.",
            "Planner feedback (accepted/rejected) enters training as labelled pairs; it is "
            "scarce, judges the previous model's suggestions (a feedback loop) and is not "
            "in the time-split evaluation, which ends before it was given.",
        ],
    }
