"""Leave-one-out holds on the real record and the models' parameter choice.

A *hold* hides one known pair (and, source-blocked, the other partners' pairs in that
district reported by the same source) for one query: a district ranking partners, or a
partner ranking districts. The training functions build what a model may see for a
set of removed pairs and choose parameters on training data only (the inner loop of
:func:`recommender.real_evaluation.evaluate_real`'s nested cross-validation, and the
fit of :class:`recommender.real_model.RealRanker`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.choice import FEATURE_SETS, PRIORS, ConditionalLogit, district_block
from recommender.graph import DistrictWalk
from recommender.record import RealRecord
from recommender.training import VERDICT_LABELS, latest_verdicts

PARTNERS = "partners_for_district"
DISTRICTS = "districts_for_partner"
LEAK_FREE = "leak_free"
SOURCE_BLOCKED = "source_blocked"
ALPHAS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0)
# the conditional logit's grid: every prior, feature set and penalty (inner CV chooses)
LOGIT_GRID: tuple[tuple[str, str, float], ...] = tuple(
    (prior, f, a) for prior in PRIORS for f in FEATURE_SETS for a in ALPHAS
)
WALK_GRID: tuple[dict[str, float], ...] = tuple(
    {"restart": r, "bandwidth_km": b, "cooccurrence": c}
    for r in (0.25, 0.4, 0.6)
    for b in (25.0, 50.0, 100.0)
    for c in (0.0, 0.3, 0.6)
)
BASELINES = ("geography", "popularity", "transparent")


@dataclass(frozen=True)
class Hold:
    """One hidden pair: its query, target, the pairs hidden with it and its cluster."""

    pair: int
    query: int
    target: int
    hidden: np.ndarray
    cold: bool


def holds(record: RealRecord, direction: str, variant: str) -> list[Hold]:
    """Every hold of ``direction`` (cold ones included, flagged)."""
    full = record.known()
    n_d_of_p = full.sum(axis=1)
    n_p_of_d = full.sum(axis=0)
    out = []
    for k in range(record.n_pairs):
        p, d = int(record.pair_p[k]), int(record.pair_d[k])
        hidden = record.blocked(k) if variant == SOURCE_BLOCKED else np.array([k])
        cold = bool(n_d_of_p[p] < 2)
        if direction == PARTNERS and n_p_of_d[d] >= 2:
            out.append(Hold(k, d, p, hidden, cold))
        elif direction == DISTRICTS:
            out.append(Hold(k, p, d, hidden, cold))
    return out


def rank_of(scores: np.ndarray, candidates: np.ndarray, target: int) -> tuple[int, int]:
    """Where ``target`` falls among ``candidates``: (how many score higher, how many tie).

    The tie count includes the target itself, so its rank is anywhere from
    ``better + 1`` to ``better + tied``; :func:`hold_metrics` takes the expectation over
    a random order of the tied ones. (Counting ties against the target would penalise a
    coarse scorer such as geography, whose candidates often share a nearest district,
    more than a fine-grained one.)
    """
    s = np.where(candidates, scores, -np.inf)
    return int((s > s[target]).sum()), int((s == s[target]).sum())


def hold_metrics(span: tuple[int, int]) -> tuple[float, float, float, float, float]:
    """Return the expected hit@1, hit@5, hit@10, reciprocal rank and NDCG@10 of one hold.

    ``span`` is :func:`rank_of`'s (better, tied): the target's rank is uniform over
    ``better + 1 .. better + tied`` (ties broken at random).
    """
    better, tied = int(span[0]), max(int(span[1]), 1)
    r = np.arange(better + 1, better + tied + 1, dtype=float)
    ndcg = np.where(r <= 10, 1.0 / np.log2(r + 1), 0.0)
    hit = [float(np.clip((k - better) / tied, 0.0, 1.0)) for k in (1, 5, 10)]
    return hit[0], hit[1], hit[2], float((1.0 / r).mean()), float(ndcg.mean())


def _folds(clusters: np.ndarray, n_folds: int, seed: int) -> Iterator[np.ndarray]:
    """Boolean masks over ``clusters``' unique values, grouped (one cluster, one fold)."""
    uniq = np.unique(clusters)
    perm = np.random.default_rng(seed).permutation(uniq)
    for f in range(n_folds):
        yield np.isin(clusters, perm[f::n_folds])


def choice_examples(
    record: RealRecord, removed: np.ndarray, variant: str, pairs: np.ndarray | None = None
) -> tuple[list[np.ndarray], list[int], np.ndarray]:
    """Training choices from the record without the pairs in ``removed``.

    Each remaining pair (p, d) whose partner has another known district is one choice
    among the partners not known in ``d``, with features built without that pair (and
    its source-blocked companions).
    Returns candidate blocks, chosen rows and each choice's district.
    """
    base = np.setdiff1d(np.arange(record.n_pairs), removed)
    pairs = base if pairs is None else np.intersect1d(pairs, base)
    visible = record.known(removed)
    groups, chosen, dists = [], [], []
    for k in pairs:
        p, d = int(record.pair_p[k]), int(record.pair_d[k])
        hid = record.blocked(k) if variant == SOURCE_BLOCKED else np.array([k])
        known = record.known(np.union1d(removed, hid))
        if not known[p].any():
            # a cold choice: with its only pair hidden the partner is the one candidate
            # with no known district, which would teach "no footprint -> chosen"
            continue
        cand = ~visible[:, d]
        cand[p] = True
        x, row = _choice(record, known, cand, p, d)
        groups.append(x)
        chosen.append(row)
        dists.append(d)
    return groups, chosen, np.array(dists, int)


def _choice(
    record: RealRecord, known: np.ndarray, candidates: np.ndarray, p: int, d: int
) -> tuple[np.ndarray, int]:
    """Return one choice of partner ``p`` in district ``d``.

    The candidates' features (built from ``known``) and the chosen row among them.
    """
    idx = np.flatnonzero(candidates)
    return district_block(record, known, d)[idx], int(np.searchsorted(idx, p))


def verdict_choices(
    record: RealRecord, accepted: np.ndarray
) -> tuple[list[np.ndarray], list[int], np.ndarray]:
    """Training choices from planners' accepted recommendations: (p, d) position rows.

    An accepted pair is one more choice of ``p`` among the partners not known in ``d``,
    with the record's features as they are (the pair is not in the record: a verdict is
    not a partnership, so it never becomes a known district). Pairs already known, and
    partners with no known district (see :func:`choice_examples`), are skipped.
    """
    known = record.known()
    groups, chosen, dists = [], [], []
    for p, d in np.asarray(accepted, int).reshape(-1, 2):
        if known[p, d] or not known[p].any():
            continue
        x, row = _choice(record, known, ~known[:, d], int(p), int(d))
        groups.append(x)
        chosen.append(row)
        dists.append(int(d))
    return groups, chosen, np.array(dists, int)


def accepted_pairs(record: RealRecord, feedback: pd.DataFrame | None) -> np.ndarray:
    """(partner, district) positions in ``record`` whose latest verdict is ``accepted``.

    ``feedback`` has ``partner_name, district_code, verdict, created_at`` (the planners'
    verdicts); the latest verdict per pair is :func:`recommender.training.latest_verdicts`'s,
    and pairs outside the record (generated partners, unknown codes) are dropped.
    """
    v = latest_verdicts(feedback, record)
    v = v[v["_y"] == VERDICT_LABELS["accepted"]]
    return v[["_p", "_d"]].to_numpy(int).reshape(-1, 2)


def choose_logit(
    groups: list[np.ndarray], chosen: list[int], clusters: np.ndarray, seed: int = 0
) -> tuple[str, str, float]:
    """Return the (prior, feature set, L2 penalty) with the best inner held-out log-likelihood.

    Four inner folds grouped by ``clusters`` (the choices' districts); every pair of
    :data:`LOGIT_GRID` is fitted on three and scored on the fourth by the mean
    log-probability of the chosen partner (a proper scoring rule: smoother than hit@10
    on a few dozen held-out choices, and it punishes ranking a real partner last).
    Only the choices passed in are used: the caller passes training choices only.
    """
    folds = [f for f in _folds(clusters, 4, seed + 1) if f.any() and (~f).any()]
    best, best_ll = LOGIT_GRID[0], -np.inf
    for prior, features, alpha in LOGIT_GRID:
        ll = []
        for val in folds:
            tr = np.flatnonzero(~val)
            m = ConditionalLogit(alpha, features, prior).fit(
                [groups[i] for i in tr], [chosen[i] for i in tr]
            )
            ll += [m.log_likelihood(groups[i], chosen[i]) for i in np.flatnonzero(val)]
        mean = float(np.mean(ll)) if ll else -np.inf
        if mean > best_ll + 1e-12:
            best, best_ll = (prior, features, alpha), mean
    return best


def fit_partner_model(
    record: RealRecord, variant: str = SOURCE_BLOCKED, removed: np.ndarray | None = None
) -> ConditionalLogit:
    """Return the conditional logit on the record without ``removed``, chosen by inner CV.

    The prior, the feature set and the penalty are chosen (:func:`choose_logit`) on the training
    choices only: the pairs in ``removed`` are neither choices nor visible in features.
    """
    removed = np.zeros(0, int) if removed is None else removed
    groups, chosen, dists = choice_examples(record, removed, variant)
    prior, features, alpha = choose_logit(groups, chosen, dists)
    return ConditionalLogit(alpha, features, prior).fit(groups, chosen)


def walk_ranks(
    record: RealRecord,
    walk: DistrictWalk,
    hs: list[Hold],
    removed: np.ndarray,
    kernel: np.ndarray | None = None,
) -> np.ndarray:
    """(better, tied) of each hold's hidden district under ``walk`` (see :func:`rank_of`).

    The walk runs on the record without ``removed``; one row per hold.
    """
    if not hs:
        return np.zeros((0, 2), int)
    base = record.known(removed)
    queries = [
        (h.query, np.column_stack([record.pair_p[h.hidden], record.pair_d[h.hidden]])) for h in hs
    ]
    s = walk.batch_scores(record, base, queries, kernel)
    full = record.known()
    out = np.zeros((len(hs), 2), int)
    for i, h in enumerate(hs):
        cand = ~full[h.query]
        cand[h.target] = True
        out[i] = rank_of(s[i], cand, h.target)
    return out


def mean_rr(spans: np.ndarray) -> float:
    """Mean expected reciprocal rank of (better, tied) rows (0 when there are none)."""
    if not len(spans):
        return 0.0
    return float(np.mean([hold_metrics((int(b), int(t)))[3] for b, t in spans]))


def choose_walk(record: RealRecord, train: list[Hold], removed: np.ndarray) -> dict[str, float]:
    """Return the walk parameters with the best mean reciprocal rank on the training holds."""
    best, best_mrr = WALK_GRID[0], -1.0
    kernels: dict[float, np.ndarray] = {}
    for params in WALK_GRID:
        w = DistrictWalk.of(params)
        k = kernels.setdefault(params["bandwidth_km"], w.kernel(record))
        mrr = mean_rr(walk_ranks(record, w, train, removed, k))
        if mrr > best_mrr + 1e-12:
            best, best_mrr = params, mrr
    return dict(best)


def fit_walk(record: RealRecord, variant: str = SOURCE_BLOCKED) -> DistrictWalk:
    """Return the walk with parameters chosen on every warm hold of the record."""
    train = [h for h in holds(record, DISTRICTS, variant) if not h.cold]
    return DistrictWalk.of(choose_walk(record, train, np.zeros(0, int)))
