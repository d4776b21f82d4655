"""Synthetic time split: a regression check of the training pipeline, not evidence.

:func:`evaluate` trains every scorer on the generated history before the latest year and
ranks the latest year's successful partnerships in both directions (partners for a
district, districts for a partner), returning an :class:`Evaluation` (a table and a
printable string). It checks that the pipeline still learns what the generator put in;
it says nothing about real partners. The evidence about real partners is the real-record
leave-one-out in :mod:`recommender.real_evaluation`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from recommender.features import FeatureSpace
from recommender.model import (
    GeographyScorer,
    LearnedRanker,
    PopularityScorer,
    RandomScorer,
    TransparentScorer,
)
from recommender.outcomes import lasted
from recommender.scorer import Scorer

K = 10


def default_scorers(seed: int = 0) -> list[Scorer]:
    """Baselines and models in report order (the learned ranker last)."""
    return [
        RandomScorer(seed),
        PopularityScorer("national"),
        PopularityScorer("province"),
        GeographyScorer(),
        TransparentScorer(),
        LearnedRanker(seed=seed),
    ]


def ranks_of(scores: np.ndarray, relevant: np.ndarray) -> np.ndarray:
    """1-based ranks of the ``relevant`` positions (ties broken pessimistically)."""
    s = scores[relevant]
    return np.asarray((scores[None, :] >= s[:, None]).sum(axis=1))


def query_metrics(scores: np.ndarray, relevant: np.ndarray, k: int = K) -> tuple[float, ...]:
    """NDCG@k, Recall@k and AP@k of one ranked list with binary relevance."""
    r = np.sort(ranks_of(scores, relevant))
    hit = r[r <= k]
    dcg = (1.0 / np.log2(hit + 1)).sum()
    idcg = (1.0 / np.log2(np.arange(1, min(len(r), k) + 1) + 1)).sum()
    ap = (np.arange(1, len(hit) + 1) / hit).sum() / min(len(r), k)
    return float(dcg / idcg), float(len(hit) / len(r)), float(ap)


def exposure(top: np.ndarray, n_items: int) -> tuple[float, float, float]:
    """Coverage, Gini and top-10 share of how often items appear in the top lists."""
    counts = np.bincount(top.ravel(), minlength=n_items).astype(float)
    cov = float((counts > 0).mean())
    c = np.sort(counts)
    n = len(c)
    gini = float((2 * np.arange(1, n + 1) - n - 1) @ c / (n * c.sum())) if c.sum() else 0.0
    top10 = float(np.sort(counts)[::-1][:10].sum() / counts.sum()) if counts.sum() else 0.0
    return cov, gini, top10


@dataclass
class Evaluation:
    """An evaluation table and the facts needed to read it."""

    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def to_string(self) -> str:
        """Render the table and notes as plain text."""
        with pd.option_context("display.width", 200, "display.max_columns", 30):
            body = self.table.to_string(float_format=lambda v: f"{v:.3f}")
        return "\n".join([*self.notes, body])


def _bootstrap(
    per_query: dict[str, np.ndarray], n_boot: int, rng: np.random.Generator, model: str = "learned"
) -> dict[str, tuple[float, float, float, float]]:
    """Percentile intervals of each mean, and of the paired difference ``model - scorer``."""
    n = len(next(iter(per_query.values())))
    idx = rng.integers(n, size=(n_boot, n))  # paired: the same resamples for every scorer
    ref = per_query.get(model)
    out = {}
    for name, v in per_query.items():
        lo, hi = np.percentile(v[idx].mean(axis=1), [2.5, 97.5])
        dlo = dhi = np.nan
        if ref is not None and name != model:
            dlo, dhi = np.percentile((ref - v)[idx].mean(axis=1), [2.5, 97.5])
        out[name] = (float(lo), float(hi), float(dlo), float(dhi))
    return out


def evaluate(
    districts: pd.DataFrame,
    partners: pd.DataFrame,
    history: pd.DataFrame,
    *,
    test_year: int | None = None,
    scorers: list[Scorer] | None = None,
    k: int = K,
    n_boot: int = 1000,
    seed: int = 0,
) -> Evaluation:
    """Time-split evaluation of every scorer in both directions.

    Parameters
    ----------
    districts, partners, history : pandas.DataFrame
        Frames as described in :mod:`recommender.features`.
    test_year : int, optional
        Year whose partnerships are held out; defaults to the latest start year.
    scorers : list, optional
        Defaults to :func:`default_scorers`.
    k : int
        Cut-off of the ranking metrics.
    n_boot : int
        Bootstrap resamples (over queries) for the 95 % intervals.
    seed : int
        Seed of the bootstrap and of the scorers.

    Returns
    -------
    Evaluation
        One row per direction and scorer: NDCG@k with its interval, Recall@k, MAP@k,
        ROC AUC over all candidate pairs, success AUC among the held-out partnerships,
        catalogue coverage, Gini and top-10 share of exposure.
    """
    start = pd.to_datetime(history["start_date"], errors="coerce")
    test_year = int(test_year or start.dt.year.max())
    cutoff = dt.date(test_year, 1, 1)
    space = FeatureSpace(districts, partners)
    train = history[start < pd.Timestamp(cutoff)]
    state = space.at(train, cutoff)
    test = history[start.dt.year == test_year].copy()
    test["_p"] = test["partner_name"].map(space.p_pos)
    test["_d"] = test["district_code"].astype(str).map(space.d_pos)
    test["_y"] = lasted(test)
    test = test.dropna(subset=["_p", "_d"])
    pos = test[test["_y"] == 1]
    rel = {(int(a), int(b)) for a, b in zip(pos["_p"], pos["_d"], strict=True)}
    scorers = scorers if scorers is not None else default_scorers(seed)
    for sc in scorers:
        sc.fit(space, train, until=cutoff)
    rows, per_dir = [], {}
    n_p, n_d = len(space.p_names), len(space.d_codes)
    for direction, queries, n_items in (
        ("partners_for_district", sorted({d for _, d in rel}), n_p),
        ("districts_for_partner", sorted({p for p, _ in rel}), n_d),
    ):
        per_query: dict[str, np.ndarray] = {}
        for sc in scorers:
            m = np.zeros((len(queries), 3))
            top = np.zeros((len(queries), k), int)
            all_s, all_y = [], []
            for i, q in enumerate(queries):
                if direction == "partners_for_district":
                    s = sc.score_district(state, q)
                    y = np.array([(p, q) in rel for p in range(n_p)])
                else:
                    s = sc.score_partner(state, q)
                    y = np.array([(q, d) in rel for d in range(n_d)])
                m[i] = query_metrics(s, y, k)
                top[i] = np.argsort(-s, kind="stable")[:k]
                all_s.append(s)
                all_y.append(y)
            cov, gini, top10 = exposure(top, n_items)
            tp = test["_p"].to_numpy(int)
            td = test["_d"].to_numpy(int)
            lab = test["_y"].to_numpy(float)
            known = ~np.isnan(lab)
            succ = sc.score_pairs(state, tp[known], td[known])
            per_query[sc.name] = m[:, 0]
            rows.append(
                {
                    "direction": direction,
                    "scorer": sc.name,
                    "queries": len(queries),
                    f"ndcg@{k}": m[:, 0].mean(),
                    f"recall@{k}": m[:, 1].mean(),
                    f"map@{k}": m[:, 2].mean(),
                    "roc_auc": roc_auc_score(np.concatenate(all_y), np.concatenate(all_s)),
                    "success_auc": roc_auc_score(lab[known], succ),
                    "coverage": cov,
                    "gini": gini,
                    "top10_share": top10,
                }
            )
        per_dir[direction] = _bootstrap(per_query, n_boot, np.random.default_rng(seed))
    table = pd.DataFrame(rows)
    ci = [per_dir[r["direction"]][r["scorer"]] for r in rows]
    table.insert(4, "ndcg_lo", [c[0] for c in ci])
    table.insert(5, "ndcg_hi", [c[1] for c in ci])
    table.insert(6, "gain_lo", [c[2] for c in ci])
    table.insert(7, "gain_hi", [c[3] for c in ci])
    notes = [
        f"Train: partnerships started before {cutoff}; test: {test_year} "
        f"({len(test)} partnerships, {len(rel)} successful pairs). "
        f"Relevant = lasted >= 6 months and not cancelled. 95% intervals: "
        f"{n_boot} paired bootstrap resamples of queries; gain_lo/gain_hi: interval of "
        f"the paired NDCG difference learned - scorer."
    ]
    for direction in per_dir:
        notes.append(
            f"{direction}: learned beats every baseline with non-overlapping "
            f"intervals: {beats_baselines(table, direction)}"
        )
    return Evaluation(table.set_index(["direction", "scorer"]), notes)


def beats_baselines(table: pd.DataFrame, direction: str, model: str = "learned") -> bool:
    """Whether ``model``'s NDCG interval lies above every other scorer's in ``direction``."""
    t = table.reset_index() if "direction" not in table.columns else table
    t = t[t["direction"] == direction].set_index("scorer")
    if model not in t.index:
        return False
    lo = t.loc[model, "ndcg_lo"]
    return bool((t.drop(index=model)["ndcg_hi"] < lo).all())
