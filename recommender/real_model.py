"""The rankers the service uses for the real record, fitted on all of it.

:class:`RealRanker` bundles the conditional logit (partners for a district) and the
random walk (districts for a partner), with their parameters chosen by cross-validation
on the record (:mod:`recommender.real_evaluation`). Partners' match scores are on 0-100
with factor points that add up to them (:meth:`recommender.choice.ConditionalLogit.points`).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from recommender.choice import ConditionalLogit, district_block
from recommender.graph import DistrictWalk
from recommender.real_training import (
    DISTRICTS,
    SOURCE_BLOCKED,
    choice_examples,
    choose_logit,
    choose_walk,
    holds,
    mean_rr,
    verdict_choices,
    walk_ranks,
)
from recommender.record import RealRecord
from recommender.vocab import KINDS

_INTERNATIONAL = KINDS.index("international_org")

# Below this match score (0-100) no partner is "within reach" of the district: the
# answer says so instead of ranking a far-away partner first (docs/recommender.md).
SUITABLE_SCORE = 20.0
# A partner known only in one province (not an international organisation: the seed's
# footprint rule, recommender.record.footprint_scope, would not call it national) reaches
# the districts of that province and those within this distance of one of its known
# districts; a partner known in two or more provinces reaches every district. On the
# real record this keeps 94 % of the held-out pairs of partners with another known
# district within reach and rules out about three in four candidate pairs
# (docs/recommender.md, "Within reach"; real_evaluation.reach_table measures it).
REACH_KM = 300.0


def national(record: RealRecord, known: np.ndarray) -> np.ndarray:
    """Partners the footprint rule calls national: known in 2+ provinces, or international."""
    onehot = (record.d_prov[:, None] == np.unique(record.d_prov)).astype(np.float32)
    provinces = known.astype(np.float32) @ onehot  # float: a BLAS product, not an int loop
    return np.asarray(((provinces > 0).sum(axis=1) >= 2) | (record.kind == _INTERNATIONAL))


def partners_within_reach(
    record: RealRecord,
    known: np.ndarray,
    d: int,
    reach_km: float = REACH_KM,
    national_: np.ndarray | None = None,
) -> np.ndarray:
    """Whether each partner's known footprint reaches district position ``d``.

    True for a partner known in two or more provinces (or an international
    organisation), known in ``d``'s province, or known within ``reach_km`` of ``d``;
    true also for a partner with no known district (only its match score can judge it).
    ``national_``: :func:`national` of ``known``, when the caller keeps it.
    """
    in_province = known[:, record.d_prov == record.d_prov[d]].any(axis=1)
    near = record.near_km(known, d) <= reach_km
    far_reaching = national(record, known) if national_ is None else national_
    return np.asarray(~known.any(axis=1) | far_reaching | in_province | near)


def districts_within_reach(
    record: RealRecord,
    known: np.ndarray,
    p: int,
    reach_km: float = REACH_KM,
    national_: np.ndarray | None = None,
) -> np.ndarray:
    """Whether partner position ``p``'s known footprint reaches each district (same rule).

    ``national_``: :func:`national` of ``known``, when the caller keeps it.
    """
    own = known[p]
    far_reaching = national(record, known) if national_ is None else national_
    if not own.any() or far_reaching[p]:
        return np.ones(record.n_districts, bool)
    in_province = np.isin(record.d_prov, record.d_prov[own])  # its one province
    return np.asarray(in_province | (record.dist[own].min(axis=0) <= reach_km))


class RealRanker(BaseEstimator):  # type: ignore[misc]
    """Partners for a district (conditional logit) and districts for a partner (walk).

    Parameters
    ----------
    variant : str
        How training choices are built: ``"source_blocked"`` (default; a training pair
        never sees the other partners reported by its own source in its district) or
        ``"leak_free"``.
    """

    def __init__(self, variant: str = SOURCE_BLOCKED) -> None:
        self.variant = variant

    def fit(self, record: RealRecord, accepted: np.ndarray | None = None) -> RealRanker:
        """Choose the parameters by cross-validation on ``record`` and fit on all of it.

        ``accepted``: (partner, district) positions of recommendations planners accepted;
        each is one more training choice for the logit (:func:`verdict_choices`).
        """
        with threadpool_limits(limits=1, user_api="blas"):
            groups, chosen, dists = choice_examples(record, np.zeros(0, int), self.variant)
            more = verdict_choices(record, np.zeros((0, 2), int) if accepted is None else accepted)
            self.n_verdict_choices_ = len(more[0])
            groups, chosen = groups + more[0], chosen + more[1]
            dists = np.concatenate([dists, more[2]])
            prior, features, alpha = choose_logit(groups, chosen, dists)
            self.partner_model_ = ConditionalLogit(alpha, features, prior).fit(groups, chosen)
            warm = [h for h in holds(record, DISTRICTS, self.variant) if not h.cold]
            self.walk_ = DistrictWalk.of(choose_walk(record, warm, np.zeros(0, int)))
            ranks = walk_ranks(record, self.walk_, warm, np.zeros(0, int))
        self.n_choices_ = len(groups)
        self.n_pairs_ = record.n_pairs
        self.walk_train_mrr_ = mean_rr(ranks)
        return self

    def partner_points(
        self, record: RealRecord, known: np.ndarray, d: int
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """0-100 match scores of every partner for ``d`` and each factor's points.

        The factor points of a partner add up to its score.
        """
        check_is_fitted(self, "partner_model_")
        return self.partner_model_.points(district_block(record, known, d))

    def partner_utility_and_fit(
        self, record: RealRecord, known: np.ndarray, d: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return every partner's utility for district position ``d`` and its 0-100 fit.

        The fit is :meth:`partner_points`' score; both come from one candidate block.
        """
        check_is_fitted(self, "partner_model_")
        x = district_block(record, known, d)
        return self.partner_model_.decision_function(x), self.partner_model_.points(x)[0]

    def district_scores(self, record: RealRecord, known: np.ndarray, p: int) -> np.ndarray:
        """Walk scores of every district for partner position ``p`` (zeros when cold)."""
        check_is_fitted(self, "walk_")
        return self.walk_.scores(record, known, p)
