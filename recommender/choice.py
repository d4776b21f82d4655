"""Partners for a district, learned from the real record: a conditional logit.

Each known pair (p, d) of the real record is one choice: district ``d`` "chose" ``p``
among every real partner not known there. The features of the candidates are built
from the record **without** that pair (and, source-blocked, without the other partners'
pairs in ``d`` reported by the same source), so the model learns what predicts a new
partnership, not what restates a known one. :class:`ConditionalLogit` maximises the
softmax likelihood of the chosen partner with an L2 penalty; the fit is compiled to one
weight vector over the raw features, so a score is ``x @ weights_`` and its reasons are
an exact decomposition.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import minimize
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from recommender.record import RealRecord
from recommender.vocab import KINDS

REACH_KM = 50.0

CHOICE_FEATURES: tuple[str, ...] = (
    "log_sites_in_province",
    "in_province",
    "same_island",
    "log_near_km",
    "within_reach",
    "log_known_districts",
    "log_districts_within_100km",
    "log_shared_partners",
    "type_match",
    "population_similarity",
    "prevalence_similarity",
    "underdeveloped_match",
    *(f"kind_{k}" for k in KINDS),
    *(f"kind_{k}_x_kota" for k in KINDS),
    *(f"kind_{k}_x_log_population" for k in KINDS),
)
CHOICE_COL = {f: i for i, f in enumerate(CHOICE_FEATURES)}

# Which choice features make up each explained factor (recommender.explain's factors).
CHOICE_FACTORS: dict[str, tuple[str, ...]] = {
    "presence": (
        "log_sites_in_province",
        "in_province",
        "same_island",
        "log_near_km",
        "within_reach",
    ),
    "track_record": ("log_known_districts", "log_districts_within_100km"),
    "continuity": ("log_shared_partners",),
    "profile": (
        "type_match",
        "population_similarity",
        "prevalence_similarity",
        "underdeveloped_match",
    ),
    "kind": tuple(f for f in CHOICE_FEATURES if f.startswith("kind_")),
}
FACTOR_INDEX = {f: np.array([CHOICE_COL[c] for c in cols]) for f, cols in CHOICE_FACTORS.items()}
assert sorted(c for cols in CHOICE_FACTORS.values() for c in cols) == sorted(CHOICE_FEATURES)

_PRESENCE = CHOICE_FACTORS["presence"]
_TRACK = CHOICE_FACTORS["track_record"]
_KIND = tuple(f for f in CHOICE_FEATURES if f.startswith("kind_") and "_x_log_population" not in f)
# Nested candidate feature sets, from geography alone to every feature. Which one a model
# uses is a parameter chosen by the inner cross-validation (recommender.real_training),
# like its penalty: with ~140 real choices the richer sets can overfit, and only held-out
# choices can say whether they do.
FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "presence": _PRESENCE,
    "presence+track": (*_PRESENCE, *_TRACK),
    "presence+track+kind": (*_PRESENCE, *_TRACK, *_KIND),
    "presence+track+kind+shared": (*_PRESENCE, *_TRACK, *_KIND, "log_shared_partners"),
    "presence+track+kind+profile": (*_PRESENCE, *_TRACK, *_KIND, *CHOICE_FACTORS["profile"]),
    "all": CHOICE_FEATURES,
}
# The geography heuristic's weights (recommender.model.GeographyScorer: in the province,
# on the island, minus log distance; a candidate is never on site) on the choice features.
# With ``prior="geography"`` the logit shrinks towards a fitted multiple of them instead
# of towards 0: with little data it ranks like geography, and it departs from geography
# as far as the held-out choices support (the penalty is chosen by the inner CV).
GEOGRAPHY_PRIOR: dict[str, float] = {"in_province": 2.0, "same_island": 1.0, "log_near_km": -0.5}
PRIORS = ("none", "geography")


def district_block(record: RealRecord, known: np.ndarray, d: int) -> np.ndarray:
    """Choice features of every partner for district position ``d`` given ``known``."""
    n_p = record.n_partners
    prov = record.d_prov == record.d_prov[d]
    isl = record.d_isl == record.d_isl[d]
    in_prov_n = known[:, prov].sum(axis=1)
    near = record.near_km(known, d)
    total = known.sum(axis=1)
    here = known[:, d]
    # districts each candidate shares with the partners already known in d (not itself)
    k = known.astype(float)
    co = k @ k[here].sum(axis=0) - np.where(here, total, 0)
    onehot = (record.kind[:, None] == np.arange(len(KINDS))[None]).astype(float)
    x = np.empty((n_p, len(CHOICE_FEATURES)))
    x[:, 0] = np.log1p(in_prov_n)
    x[:, 1] = in_prov_n > 0
    x[:, 2] = known[:, isl].any(axis=1)
    x[:, 3] = np.log1p(near)
    x[:, 4] = np.exp(-near / REACH_KM)
    x[:, 5] = np.log1p(total)
    x[:, 6] = np.log1p((known & (record.dist[d] <= 100.0)[None, :]).sum(axis=1))
    x[:, 7] = np.log1p(co)
    # how much d looks like the districts the candidate is known in (0 with none known)
    n = np.maximum(total, 1).astype(float)
    has = total > 0
    same_type = (known & (record.kota == record.kota[d])[None, :]).sum(axis=1) / n
    x[:, 8] = np.where(has, same_type - 0.5, 0.0)
    mean_pop = (k @ record.log_pop) / n
    x[:, 9] = np.where(has, np.exp(-np.abs(mean_pop - record.log_pop[d])), 0.0)
    mean_prev = (k @ record.prevalence) / n
    x[:, 10] = np.where(has, np.exp(-np.abs(mean_prev - record.prevalence[d]) / 10.0), 0.0)
    same_ud = (known & (record.underdeveloped == record.underdeveloped[d])[None, :]).sum(axis=1) / n
    x[:, 11] = np.where(has, same_ud - 0.5, 0.0)
    j = 12
    x[:, j : j + len(KINDS)] = onehot
    x[:, j + len(KINDS) : j + 2 * len(KINDS)] = onehot * float(record.kota[d])
    x[:, j + 2 * len(KINDS) :] = onehot * (record.log_pop[d] - 12.5)
    return x


class ConditionalLogit(BaseEstimator):  # type: ignore[misc]
    """Multinomial (conditional) logit over candidate sets, L2-penalised.

    Parameters
    ----------
    alpha : float
        L2 penalty on the standardised coefficients.
    features : str
        Name of the feature set in :data:`FEATURE_SETS`; the other features get weight 0.
    prior : {"none", "geography"}
        What the penalty shrinks towards: 0, or the best multiple of
        :data:`GEOGRAPHY_PRIOR` on the training choices.

    Attributes
    ----------
    weights_ : numpy.ndarray
        Coefficients over all of :data:`CHOICE_FEATURES` (raw scale, standardisation
        folded in; 0 outside the feature set).
    """

    def __init__(self, alpha: float = 1.0, features: str = "all", prior: str = "none") -> None:
        self.alpha = alpha
        self.features = features
        self.prior = prior

    def fit(self, groups: Sequence[np.ndarray], chosen: Sequence[int]) -> ConditionalLogit:
        """Fit on candidate sets ``groups[i]`` (n_i x f) whose row ``chosen[i]`` was chosen."""
        x = np.concatenate(groups)
        use = np.isin(CHOICE_FEATURES, FEATURE_SETS[self.features])
        mean, sd = x.mean(axis=0), x.std(axis=0)
        # an unused feature is a constant to the model: its standardised column is 0
        sd = np.where((sd > 1e-9) & use, sd, np.inf)
        zs = [(g - mean) / sd for g in groups]
        pos = np.stack([z[c] for z, c in zip(zs, chosen, strict=True)])
        sizes = np.array([len(z) for z in zs])
        z_all = np.concatenate(zs)
        starts = np.r_[0, np.cumsum(sizes)[:-1]]
        pos_sum = pos.sum(axis=0)

        def nll(w: np.ndarray) -> tuple[float, np.ndarray]:
            u = z_all @ w
            top = np.maximum.reduceat(u, starts)
            lse = top + np.log(np.add.reduceat(np.exp(u - np.repeat(top, sizes)), starts))
            prob = np.exp(u - np.repeat(lse, sizes))
            return float(lse.sum() - pos_sum @ w), prob @ z_all - pos_sum

        center = np.zeros(x.shape[1])
        if self.prior == "geography":
            raw = np.zeros(x.shape[1])
            for f, v in GEOGRAPHY_PRIOR.items():
                raw[CHOICE_COL[f]] = v
            direction = raw * np.where(np.isfinite(sd), sd, 0.0)  # raw weights, standardised

            def along(c: np.ndarray) -> tuple[float, np.ndarray]:
                f, g = nll(c[0] * direction)
                return f, np.array([g @ direction])

            scale = minimize(along, np.ones(1), jac=True, method="L-BFGS-B", bounds=[(0, None)])
            center = scale.x[0] * direction
        elif self.prior != "none":
            raise ValueError(f"unknown prior {self.prior!r}")

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            f, g = nll(w)
            dw = w - center
            return f + 0.5 * self.alpha * float(dw @ dw), g + self.alpha * dw

        res = minimize(loss, center, jac=True, method="L-BFGS-B")
        self.coef_ = np.where(np.isfinite(sd), res.x, 0.0)
        self.weights_ = self.coef_ / sd
        self.n_groups_ = len(groups)
        # the 0-100 point scale (see points): per factor, its least favourable utility
        # among the training candidates, and the best total above those
        self.lo_, self.hi_ = x.min(axis=0), x.max(axis=0)
        g = self._factor_utilities(x)
        self.worst_ = g.min(axis=0)
        self.span_ = float(max((g - self.worst_).sum(axis=1).max(), 1e-9))
        return self

    def _factor_utilities(self, x: np.ndarray) -> np.ndarray:
        w = self.weights_
        return np.column_stack([x[:, idx] @ w[idx] for idx in FACTOR_INDEX.values()])

    def points(self, x: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """0-100 match scores of the rows of ``x`` and each factor's points.

        ``points_F = 100 * (u_F(x) - worst_F) / span`` where ``u_F`` is the part of the
        utility from factor ``F``'s features and ``worst_F`` its least favourable value
        among the training candidates, so every factor's points are >= 0; the score is
        their sum, capped at 100 (scaling the points with it). Features outside the
        training range count as its edge. The order of the scores is the order of the
        utilities of the clipped features.
        """
        check_is_fitted(self, "weights_")
        x = np.clip(x, self.lo_, self.hi_)
        contrib = np.maximum(self._factor_utilities(x) - self.worst_, 0.0) * (100.0 / self.span_)
        total = contrib.sum(axis=1)
        shrink = np.where(total > 100.0, 100.0 / np.maximum(total, 1e-9), 1.0)
        out = {f: contrib[:, i] * shrink for i, f in enumerate(FACTOR_INDEX)}
        return np.minimum(total, 100.0), out

    def factors_used(self) -> tuple[str, ...]:
        """Return the factors with a feature of non-zero weight (the others always score 0)."""
        check_is_fitted(self, "weights_")
        return tuple(f for f, idx in FACTOR_INDEX.items() if np.any(self.weights_[idx] != 0))

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        """Return the utility of each row (higher is more likely chosen)."""
        check_is_fitted(self, "weights_")
        return np.asarray(x @ self.weights_)

    def log_likelihood(self, x: np.ndarray, chosen: int) -> float:
        """Log-probability that row ``chosen`` of the candidate set ``x`` is the one chosen."""
        u = self.decision_function(x)
        top = float(u.max())
        return float(u[chosen] - top - np.log(np.exp(u - top).sum()))
