"""Partners for a district: other rankers than the logit, chosen by nested CV (a diagnostic).

Candidates, all measured on the source-blocked (or leak-free) leave-one-out holds of
:mod:`recommender.real_evaluation`, with the same folds, state rebuilding and bootstrap:

* ``logit``: the conditional logit of :func:`recommender.real_training.fit_partner_model`;
* ``walk``: :meth:`recommender.graph.DistrictWalk.partner_scores`, the random walk
  restarted at the district, spread to nearby districts by the distance kernel (and
  through shared partners), then to the partners known there; the walk runs on the record
  without the hold's hidden pairs (and, source-blocked, the same-source pairs in that
  district), as the harness does for every ranker;
* ``blend``: a weighted sum of the three rankers' percentile ranks among the candidates
  (logit, walk, geography), the weights on a simplex grid (:data:`BLENDS`, which holds
  the pure logit, the pure walk and pure geography too).

Inside each outer training part (the record without the outer test pairs) the training
holds choose: the walk's parameters (:data:`recommender.real_training.WALK_GRID`) by the
walk's own inner criterion, then the blend weights. The logit's scores on the training
holds are held out: four inner folds grouped by district, each logit fitted (with its own
inner choice of prior, feature set and penalty) without that inner fold's pairs. The
criterion is the mean hit@10 of the training holds, ties broken by MRR. Nothing is chosen
on a reported fold. ``python -m service.tools.partner_candidates`` prints the table on the
seed's real record (about 80 s of CPU per variant).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from recommender.choice import CHOICE_COL, GEOGRAPHY_PRIOR, district_block
from recommender.graph import DistrictWalk
from recommender.real_evaluation import _Baselines, _bootstrap
from recommender.real_training import (
    PARTNERS,
    SOURCE_BLOCKED,
    WALK_GRID,
    Hold,
    _folds,
    fit_partner_model,
    hold_metrics,
    holds,
    rank_of,
)
from recommender.record import RealRecord

# (logit, walk, geography) weights of the rank blend, steps of 0.25 (15 points)
BLENDS: tuple[tuple[float, float, float], ...] = tuple(
    (a / 4, b / 4, (4 - a - b) / 4) for a in range(5) for b in range(5 - a)
)
# geography with its ties broken by the logit, or by the walk: a percentile-rank weight of
# 0.001 moves a candidate by at most 0.001, less than one step of geography's percentile
# ranks among ~124 candidates (1/124), so only tied candidates are reordered
TIE_BREAK = 1e-3
TIE_BREAKS: tuple[tuple[float, float, float], ...] = (
    (TIE_BREAK, 0.0, 1.0 - TIE_BREAK),
    (0.0, TIE_BREAK, 1.0 - TIE_BREAK),
)
CANDIDATES = ("logit", "walk", "blend", "geography")


def geography_scores(x: np.ndarray) -> np.ndarray:
    """Return the geography heuristic on :func:`recommender.choice.district_block` rows.

    In the province 2, same island 1, -0.5 x log distance to the nearest known district:
    the same order as :class:`recommender.model.GeographyScorer` on the rebuilt state
    for every candidate (none is on site).
    """
    return np.asarray(sum(v * x[:, CHOICE_COL[f]] for f, v in GEOGRAPHY_PRIOR.items()))


def percentile_ranks(scores: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Rank of each candidate's score divided by the number of candidates (ties averaged)."""
    out = np.zeros(len(scores))
    s = scores[candidates]
    order = np.argsort(s, kind="stable")
    ranks = np.empty(len(s))
    ranks[order] = np.arange(1, len(s) + 1)
    # average the ranks of tied scores
    _, inv = np.unique(s, return_inverse=True)
    ranks = (np.bincount(inv, weights=ranks) / np.bincount(inv))[inv]
    out[candidates] = ranks / max(len(s), 1)
    return out


def blend(
    w: tuple[float, float, float], scores: tuple[np.ndarray, ...], candidates: np.ndarray
) -> np.ndarray:
    """Return the weighted sum of the percentile ranks of ``scores`` (logit, walk, geography)."""
    parts = [wi * percentile_ranks(s, candidates) for wi, s in zip(w, scores, strict=True)]
    return np.asarray(sum(parts))


def criterion(spans: list[tuple[int, int]]) -> tuple[float, float]:
    """(mean hit@10, MRR) of (better, tied) spans: compared as a tuple."""
    m = np.array([hold_metrics(s) for s in spans])
    return float(m[:, 2].mean()), float(m[:, 3].mean())


@dataclass
class Choice:
    """What the training holds of one outer fold chose, and their inner criteria."""

    walk: dict[str, float]
    weights: tuple[float, float, float]
    inner: dict[str, tuple[float, float]]


def _pairs(record: RealRecord, h: Hold) -> np.ndarray:
    return np.column_stack([record.pair_p[h.hidden], record.pair_d[h.hidden]])


def choose(record: RealRecord, variant: str, train: list[Hold], removed: np.ndarray) -> Choice:
    """Choose the walk's parameters and the blend on ``train``, the record without ``removed``."""
    visible = record.known(removed)
    n = len(train)
    logit: list[np.ndarray] = [np.zeros(0)] * n
    geo: list[np.ndarray] = [np.zeros(0)] * n
    cands: list[np.ndarray] = [np.zeros(0, bool)] * n
    for fold in _folds(np.array([h.query for h in train]), 4, 1):
        idx = np.flatnonzero(fold)
        out = np.union1d(removed, np.concatenate([train[i].hidden for i in idx]))
        m = fit_partner_model(record, variant, out)
        for i in idx:
            h = train[i]
            x = district_block(record, record.known(np.union1d(removed, h.hidden)), h.query)
            logit[i], geo[i] = m.decision_function(x), geography_scores(x)
            cands[i] = ~visible[:, h.query]
            cands[i][h.target] = True
    best_walk, walk_crit, walk = WALK_GRID[0], (-1.0, -1.0), np.zeros((n, record.n_partners))
    kernels: dict[float, np.ndarray] = {}
    for params in WALK_GRID:
        w = DistrictWalk.of(params)
        k = kernels.setdefault(params["bandwidth_km"], w.kernel(record))
        sc = w.partner_scores(record, visible, [(h.query, _pairs(record, h)) for h in train], k)
        c = criterion([rank_of(sc[i], cands[i], h.target) for i, h in enumerate(train)])
        if c > walk_crit:
            best_walk, walk_crit, walk = params, c, sc
    inner: dict[str, tuple[float, float]] = {}
    best = BLENDS[0]
    for wts in BLENDS + TIE_BREAKS:
        spans = [
            rank_of(blend(wts, (logit[i], walk[i], geo[i]), cands[i]), cands[i], h.target)
            for i, h in enumerate(train)
        ]
        inner[str(wts)] = criterion(spans)
        if inner[str(wts)] > inner.get(str(best), (-1.0, -1.0)):
            best = wts
    return Choice(dict(best_walk), best, inner)


def compare(
    districts: pd.DataFrame,
    partners: pd.DataFrame,
    history: pd.DataFrame,
    *,
    variant: str = SOURCE_BLOCKED,
    as_of: dt.date | None = None,
    n_folds: int = 5,
    n_boot: int = 1000,
    seed: int = 0,
) -> tuple[pd.DataFrame, list[Choice]]:
    """Levels and paired gains over geography of each candidate, warm holds.

    Same holds, outer folds, candidates and bootstrap as
    :func:`recommender.real_evaluation.evaluate_real` for partners of a district;
    geography is its :class:`recommender.model.GeographyScorer` on the rebuilt state.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        record = RealRecord.from_frames(districts, partners, history)
        base = _Baselines(record, as_of or dt.date.today())
        full = record.known()
        hs = holds(record, PARTNERS, variant)
        queries = np.array([h.query for h in hs])
        ranks = {c: np.zeros((len(hs), 2), int) for c in CANDIDATES}
        choices = []
        for fold in _folds(queries, n_folds, seed):
            test = [int(i) for i in np.flatnonzero(fold)]
            removed = np.unique(np.concatenate([hs[i].hidden for i in test]))
            train = [h for j, h in enumerate(hs) if not fold[j] and not h.cold]
            ch = choose(record, variant, train, removed)
            choices.append(ch)
            m = fit_partner_model(record, variant, removed)
            tests = [hs[i] for i in test]
            walk = DistrictWalk.of(ch.walk).partner_scores(
                record, full, [(h.query, _pairs(record, h)) for h in tests]
            )
            for j, i in enumerate(test):
                h = hs[i]
                x = district_block(record, record.known(h.hidden), h.query)
                c = ~full[:, h.query]
                c[h.target] = True
                lg, geo = m.decision_function(x), geography_scores(x)
                ranks["logit"][i] = rank_of(lg, c, h.target)
                ranks["walk"][i] = rank_of(walk[j], c, h.target)
                ranks["blend"][i] = rank_of(blend(ch.weights, (lg, walk[j], geo), c), c, h.target)
                sc = base.scores(h.hidden, PARTNERS, h.query)["geography"]
                ranks["geography"][i] = rank_of(sc, c, h.target)
    warm = ~np.array([h.cold for h in hs])
    values = {n: np.array([hold_metrics((b, t)) for b, t in r[warm]]) for n, r in ranks.items()}
    boot, _ = _bootstrap(values, queries[warm], n_boot, seed)
    rows = []
    for n in CANDIDATES:
        row: dict[str, object] = {"variant": variant, "ranker": n, "holds": int(warm.sum())}
        for j, metric in ((2, "hit@10"), (3, "mrr")):
            lo, hi = np.percentile(boot[n][:, j], [2.5, 97.5])
            g_lo, g_hi = np.percentile(boot[n][:, j] - boot["geography"][:, j], [2.5, 97.5])
            row[metric] = float(values[n][:, j].mean())
            row[f"{metric}_lo"], row[f"{metric}_hi"] = float(lo), float(hi)
            row[f"{metric}_gain"] = float(values[n][:, j].mean() - values["geography"][:, j].mean())
            row[f"{metric}_gain_lo"], row[f"{metric}_gain_hi"] = float(g_lo), float(g_hi)
        rows.append(row)
    return pd.DataFrame(rows).set_index(["variant", "ranker"]), choices
