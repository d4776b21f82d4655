"""Scorers of partner–district pairs, all with one interface.

``fit(space, history, *, until=None) -> self``; ``score_pairs(state, p_idx, d_idx)``,
``score_district(state, d)`` (every partner for one district), ``score_partner(state, p)``
(every district for one partner) return higher-is-better arrays; ``explain(state, p, d)``
returns :class:`~recommender.explain.Reason` objects (linear scorers only).

:class:`TransparentScorer` is a documented weighted sum that needs no history;
:class:`LearnedRanker` is a scikit-learn pipeline (scaling + logistic regression)
trained on past partnerships, compiled to one weight vector for fast scoring.
The others are evaluation baselines.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from recommender.explain import Reason, linear_reasons
from recommender.features import COL, FEATURE_VERSION, FEATURES, FeatureSpace, FeatureState

if TYPE_CHECKING:
    import pandas as pd

BINARY = tuple(
    f
    for f in FEATURES
    if f.startswith(("kind_", "scope_"))
    or f
    in (
        "prevalence_imputed",
        "trend_known",
        "underdeveloped",
        "budget_known",
        "on_site",
        "in_province",
        "same_island",
        "worked_before",
        "active_now",
        "company_on_site",
        "company_in_province",
        "media_in_province",
        "natural_resource_company",
        "natural_resource_on_site",
    )
)
NUMERIC = tuple(f for f in FEATURES if f not in BINARY)

TRANSPARENT_WEIGHTS: dict[str, float] = {
    # presence: where the partner already is
    "on_site": 2.0,
    "in_province": 1.2,
    "same_island": 0.4,
    "log_near_km": -0.5,
    "log_sites_in_province": 0.3,
    # need: the gap to the 14 % target, underdevelopment
    "gap_to_target": 0.06,
    "underdeveloped": 0.4,
    # focus: the partner's areas where the district needs them and nobody covers them
    "area_need_fit": 0.8,
    "uncovered_share": 0.4,
    # track record, capacity, continuity, the province's campaign quota
    "track_share": 1.5,
    "capacity": 0.15,
    "worked_before": 0.8,
    "quota_gap": 0.5,
}


class _Scorer(BaseEstimator):  # type: ignore[misc]
    name = "scorer"

    def fit(
        self,
        space: FeatureSpace,
        history: pd.DataFrame | None = None,
        *,
        until: dt.date | None = None,
    ) -> _Scorer:
        return self

    def score_pairs(self, state: FeatureState, p_idx: np.ndarray, d_idx: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def score_district(self, state: FeatureState, d: int) -> np.ndarray:
        """Scores of every partner for district position ``d``."""
        n_p = len(state.space.p_names)
        return self.score_pairs(state, np.arange(n_p), np.full(n_p, d))

    def score_partner(self, state: FeatureState, p: int) -> np.ndarray:
        """Scores of every district for partner position ``p``."""
        n_d = len(state.space.d_codes)
        return self.score_pairs(state, np.full(n_d, p), np.arange(n_d))


class _LinearScorer(_Scorer):
    """Score = features @ weights_ + intercept_; explanations are exact decompositions."""

    def score_pairs(self, state: FeatureState, p_idx: np.ndarray, d_idx: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "weights_")
        return np.asarray(state.pair_features(p_idx, d_idx) @ self.weights_ + self.intercept_)

    def score_district(self, state: FeatureState, d: int) -> np.ndarray:
        """Scores of every partner for district position ``d`` (float64).

        From the state's blocks (:mod:`recommender.blocks`): the same numbers as
        ``score_pairs`` up to the float32 rounding of the features, without building them.
        """
        check_is_fitted(self, "weights_")
        return np.asarray(state.blocks.scores(self.weights_, self.intercept_, d, d + 1)[0])

    def score_matrix(
        self, state: FeatureState, d_idx: np.ndarray | None = None, chunk: int = 320_000
    ) -> np.ndarray:
        """Scores of every partner for every district in ``d_idx`` (districts x partners).

        float32, ``chunk`` pairs at a time, from the state's blocks like :meth:`score_district`.
        """
        check_is_fitted(self, "weights_")
        s = state.space
        d_idx = np.arange(len(s.d_codes)) if d_idx is None else np.asarray(d_idx)
        rows = max(chunk // max(len(s.p_names), 1), 1)
        return state.blocks.score_matrix(self.weights_, self.intercept_, d_idx, rows)

    def explain(
        self,
        state: FeatureState,
        p: int,
        d: int,
        *,
        keep: int | None = None,
        x: np.ndarray | None = None,
    ) -> list[Reason]:
        """Factors of the score of partner ``p`` for district ``d``, largest first.

        Contributions are relative to ``reference_`` (an average candidate pair). With
        ``keep``: the ``keep`` largest and the most negative one (see ``linear_reasons``).
        ``x``: the pair's row of ``state.pair_features`` when the caller built it.
        """
        check_is_fitted(self, "weights_")
        return linear_reasons(state, p, d, self.weights_, self.reference_, keep=keep, x=x)


def _reference(state: FeatureState, n: int = 4000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    s = state.space
    x = state.pair_features(
        rng.integers(len(s.p_names), size=n), rng.integers(len(s.d_codes), size=n)
    )
    return np.asarray(x.mean(axis=0), dtype=float)


class TransparentScorer(_LinearScorer):
    """A documented weighted sum of pair features; works with no history.

    Parameters
    ----------
    weights : dict of str to float, optional
        Feature weights; defaults to :data:`TRANSPARENT_WEIGHTS` (docs/recommender.md).
    """

    name = "transparent"

    def __init__(self, weights: dict[str, float] | None = None) -> None:
        self.weights = weights

    def fit(
        self,
        space: FeatureSpace,
        history: pd.DataFrame | None = None,
        *,
        until: dt.date | None = None,
    ) -> TransparentScorer:
        """Fix the weights (nothing is learned) and the reference pair; return ``self``."""
        w = np.zeros(len(FEATURES))
        for f, v in (self.weights or TRANSPARENT_WEIGHTS).items():
            w[COL[f]] = v
        self.weights_ = w.astype(np.float32)
        self.intercept_ = 0.0
        self.reference_ = _reference(space.at(history, until or dt.date.today()))
        return self


class GeographyScorer(TransparentScorer):
    """Baseline: presence only (site > province > island, minus distance)."""

    name = "geography"

    def __init__(self, weights: dict[str, float] | None = None) -> None:
        self.weights = weights or {
            "on_site": 3.0,
            "in_province": 2.0,
            "same_island": 1.0,
            "log_near_km": -0.5,
        }


class LearnedRanker(_LinearScorer):
    """Logistic regression on scaled pair features, trained on past partnerships.

    The label is 1 for partnerships that lasted at least 6 months and were not
    cancelled, 0 for the others and for sampled plausible non-partnerships (see
    :func:`recommender.training.training_pairs`). After fitting, the pipeline is
    compiled into ``weights_``/``intercept_`` over the raw features so scoring is one
    matrix product; ``pipeline_.decision_function`` gives the same numbers.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    negatives : int
        Sampled non-partnerships per partnership.
    seed : int
        Seed of the negative sampling.
    """

    name = "learned"

    def __init__(self, C: float = 1.0, negatives: int = 20, seed: int = 0) -> None:
        self.C = C
        self.negatives = negatives
        self.seed = seed

    def make_pipeline(self) -> Pipeline:
        """Build the unfitted preprocessing + classifier pipeline."""
        pre = ColumnTransformer(
            [
                ("numeric", StandardScaler(), [COL[f] for f in NUMERIC]),
                ("binary", "passthrough", [COL[f] for f in BINARY]),
            ]
        )
        return Pipeline(
            [("features", pre), ("classifier", LogisticRegression(C=self.C, max_iter=5000))]
        )

    def fit(
        self,
        space: FeatureSpace,
        history: pd.DataFrame | None = None,
        *,
        until: dt.date | None = None,
        feedback: pd.DataFrame | None = None,
    ) -> LearnedRanker:
        """Fit on ``history`` (and planners' verdicts in ``feedback``, if given).

        ``feedback`` has ``partner_name, district_code, verdict, created_at``: each
        pair's latest verdict becomes one more training pair, accepted 1, rejected 0
        (:func:`recommender.training.feedback_pairs`).
        """
        from recommender.training import latest_verdicts, training_pairs

        if history is None:
            raise ValueError("LearnedRanker needs a history")
        x, y = training_pairs(
            space, history, until=until, negatives=self.negatives, seed=self.seed, feedback=feedback
        )
        self.pipeline_ = self.make_pipeline().fit(x, y)
        self.features_ = list(FEATURES)
        self.feature_version_ = FEATURE_VERSION
        self.n_train_ = len(y)
        self.n_feedback_ = len(latest_verdicts(feedback, space, until=until))
        self.positive_rate_ = float(y.mean())
        scaler = self.pipeline_.named_steps["features"].named_transformers_["numeric"]
        coef = self.pipeline_.named_steps["classifier"].coef_[0]
        w = np.zeros(len(FEATURES))
        num_idx = [COL[f] for f in NUMERIC]
        k = len(num_idx)
        w[num_idx] = coef[:k] / scaler.scale_
        w[[COL[f] for f in BINARY]] = coef[k:]
        self.weights_ = w.astype(np.float32)
        self.intercept_ = float(
            self.pipeline_.named_steps["classifier"].intercept_[0]
            - (coef[:k] * scaler.mean_ / scaler.scale_).sum()
        )
        self.reference_ = x.mean(axis=0).astype(float)
        return self


class PopularityScorer(_Scorer):
    """Baseline: how many partnerships the partner (and the district) had before.

    Parameters
    ----------
    level : {"national", "province"}
        ``province`` ranks first by the partner's partnerships in the district's province.
    """

    def __init__(self, level: str = "national") -> None:
        self.level = level

    @property
    def name(self) -> str:  # type: ignore[override]
        """Name of the baseline in evaluation tables."""
        return f"popularity_{self.level}"

    def score_pairs(self, state: FeatureState, p_idx: np.ndarray, d_idx: np.ndarray) -> np.ndarray:
        """Score pairs by the partner's and the district's partnership counts."""
        base = np.log1p(state.total[p_idx]) + np.log1p(state.d_total[d_idx])
        if self.level == "province":
            base = base + 10.0 * np.log1p(state.prov_track[p_idx, state.space.d_prov[d_idx]])
        return np.asarray(base)


class RandomScorer(_Scorer):
    """Baseline: a fixed random score per pair.

    Parameters
    ----------
    seed : int
        Seed of the scores.
    """

    name = "random"

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def score_pairs(self, state: FeatureState, p_idx: np.ndarray, d_idx: np.ndarray) -> np.ndarray:
        """Score pairs by a fixed hash of the pair: a reproducible random baseline."""
        key = (
            p_idx.astype(np.uint64) * np.uint64(2654435761)
            + d_idx.astype(np.uint64) * np.uint64(40503)
            + np.uint64(self.seed)
        )
        return ((key * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(11)).astype(float)
