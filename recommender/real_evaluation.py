"""Honest evaluation on the real record: leave-one-out in both directions, nested CV.

Partners for a district: every district with at least two known partners hides one of
them at a time and ranks every real partner not known there. Districts for a partner:
every partner with at least two known districts hides one at a time and ranks every
district it is not known in. For each hold the whole feature state is rebuilt
**without** the hidden pair: the partner's footprint, provinces, scope, distance to its
nearest known district, the district's covered/active counts and every track-record
count (:meth:`recommender.record.RealRecord.known`). The source-blocked variant also
hides the other partners' pairs in that district reported by the same source (one press
release naming several partners would otherwise give the answer away). Partners with
one known district are *cold*: hiding it leaves nothing to go on, so they are reported
apart.

The learned models' parameters are chosen by nested cross-validation: outer folds
(grouped by district, or by partner) report; within the outer training part, the record
without the outer test pairs is all the models see, and an inner choice (grouped folds
for the conditional logit's penalty, the training holds for the walk's parameters)
picks the parameters. Nothing is tuned on a reported fold.

Metrics per hold: hit@1/5/10, reciprocal rank, NDCG@10 (one relevant item); 95 %
intervals by a bootstrap over the query clusters (districts or partners), and paired
bootstrap intervals of the gains of the learned model over each baseline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from recommender.choice import district_block
from recommender.emphasis import EMPHASES, area_need_points, district_need_points, weights
from recommender.features import FeatureSpace, FeatureState
from recommender.graph import DistrictWalk
from recommender.model import GeographyScorer, PopularityScorer, TransparentScorer, _Scorer
from recommender.real_model import (
    REACH_KM,
    SUITABLE_SCORE,
    districts_within_reach,
    national,
    partners_within_reach,
)
from recommender.real_training import (
    DISTRICTS,
    LEAK_FREE,
    PARTNERS,
    SOURCE_BLOCKED,
    Hold,
    _folds,
    choose_walk,
    fit_partner_model,
    hold_metrics,
    holds,
    rank_of,
    walk_ranks,
)
from recommender.record import RealRecord

BASELINES = ("geography", "popularity", "transparent")
MODEL = {PARTNERS: "learned", DISTRICTS: "walk"}
METRICS = ("hit@1", "hit@5", "hit@10", "mrr", "ndcg@10")


class _Baselines:
    """Geography, popularity and transparent scores on a feature state rebuilt per hold."""

    def __init__(self, record: RealRecord, as_of: dt.date) -> None:
        self.record, self.as_of = record, as_of
        space = FeatureSpace(record.districts, record.partner_frame(record.known()))
        self.need_points = district_need_points(space.profile)
        self.prevalence = space.profile["prevalence"].to_numpy(float)
        self.scorers: dict[str, _Scorer] = {
            "geography": GeographyScorer().fit(space, None, until=as_of),
            "popularity": PopularityScorer("national"),
            "transparent": TransparentScorer().fit(space, None, until=as_of),
        }

    def state(self, hidden: np.ndarray) -> FeatureState:
        r = self.record
        space = FeatureSpace(r.districts, r.partner_frame(r.known(hidden)))
        return space.at(r.history_frame(hidden), self.as_of)

    def scores(
        self, hidden: np.ndarray, direction: str, query: int, st: FeatureState | None = None
    ) -> dict[str, np.ndarray]:
        st = self.state(hidden) if st is None else st
        if direction == PARTNERS:
            return {n: sc.score_district(st, query) for n, sc in self.scorers.items()}
        return {n: sc.score_partner(st, query) for n, sc in self.scorers.items()}


@dataclass
class RealEvaluation:
    """Levels and paired gains on the real record, with the parameters chosen per fold."""

    table: pd.DataFrame
    gains: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    chosen: dict[str, list[Any]] = field(default_factory=dict)
    emphasis: pd.DataFrame = field(default_factory=pd.DataFrame)
    reach: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_string(self) -> str:
        """Render the tables as plain text."""

        def fmt(t: pd.DataFrame) -> str:
            with pd.option_context("display.width", 220, "display.max_columns", 40):
                return t.to_string(float_format=lambda v: f"{v:.3f}")

        parts = [
            *self.notes,
            fmt(self.table),
            "",
            "Paired gains of the learned models (learned, walk) over each baseline:",
        ]
        parts.append(fmt(self.gains))
        if len(self.emphasis):
            parts += [
                "",
                "Fit versus need (source-blocked, warm holds): hit@10 of the hidden pair "
                "and the mean stunting prevalence of the top 10 recommended districts, over "
                "every candidate and as served (only candidates within reach):",
                fmt(self.emphasis),
            ]
        if len(self.reach):
            parts += [
                "",
                "Within reach (partners for a district): the footprint rule at each radius "
                f"(served: {REACH_KM:.0f} km); kept = held-out pairs of partners with another "
                "known district that the rule keeps within reach, leave-one-out; "
                "ruled_out = candidate pairs it leaves out:",
                fmt(self.reach),
            ]
        return "\n".join(parts)

    def value(self, direction: str, variant: str, scorer: str, metric: str) -> float:
        """One level from the table (warm holds)."""
        # pandas-stubs types neither a MultiIndex row key nor the cell it selects
        return float(self.table.loc[(direction, variant, "warm", scorer), metric])  # type: ignore[arg-type]

    def gain(self, direction: str, variant: str, baseline: str, metric: str) -> tuple[float, ...]:
        """(mean, lo, hi) of the paired gain of the learned model over ``baseline``."""
        r = self.gains.loc[(direction, variant, baseline)]  # type: ignore[index]
        return float(r[f"{metric}_gain"]), float(r[f"{metric}_lo"]), float(r[f"{metric}_hi"])


def _bootstrap(
    values: dict[str, np.ndarray], clusters: np.ndarray, n_boot: int, seed: int
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Cluster-bootstrap means per scorer: (n_boot, n_metrics) each, and the resample."""
    uniq, inv = np.unique(clusters, return_inverse=True)
    idx = np.random.default_rng(seed).integers(len(uniq), size=(n_boot, len(uniq)))
    counts = np.bincount(inv, minlength=len(uniq)).astype(float)
    n = counts[idx].sum(axis=1)
    out = {}
    for name, v in values.items():
        sums = np.stack(
            [np.bincount(inv, weights=v[:, j], minlength=len(uniq)) for j in range(v.shape[1])],
            axis=1,
        )
        out[name] = sums[idx].sum(axis=1) / n[:, None]
    return out, idx


def walk_scores(record: RealRecord, walk: DistrictWalk, hs: list[Hold]) -> np.ndarray:
    """Return the walk's scores of every district for each hold (its own pairs hidden)."""
    if not hs:
        return np.zeros((0, record.n_districts))
    queries = [
        (h.query, np.column_stack([record.pair_p[h.hidden], record.pair_d[h.hidden]])) for h in hs
    ]
    return walk.batch_scores(record, record.known(), queries)


def emphasis_tradeoff(
    record: RealRecord,
    direction: str,
    hs: list[Hold],
    fit: np.ndarray,
    need: np.ndarray,
    prevalence: np.ndarray,
) -> list[dict[str, Any]]:
    """hit@10 of each emphasis, and (districts) the mean prevalence of its top 10.

    Each twice: over every candidate (the ranking), and as served, over the candidates
    within reach of the hold's rebuilt record (a target out of reach is a miss, as the
    service would not show it; partners also need a fit of at least SUITABLE_SCORE).
    """
    full = record.known()
    reach = np.zeros((len(hs), fit.shape[1]), bool)
    for i, h in enumerate(hs):
        known = record.known(h.hidden)
        if direction == PARTNERS:
            reach[i] = partners_within_reach(record, known, h.query) & (fit[i] >= SUITABLE_SCORE)
        else:
            reach[i] = districts_within_reach(record, known, h.query)
    out = []
    for emphasis in EMPHASES:
        w_fit, w_need = weights(emphasis)
        hits: list[float] = []
        served: list[float] = []
        prev: list[float] = []
        prev_served: list[float] = []
        for i, h in enumerate(hs):
            s = w_fit * fit[i] + w_need * need[i]
            cand = ~(full[:, h.query] if direction == PARTNERS else full[h.query])
            cand[h.target] = True
            hits.append(hold_metrics(rank_of(s, cand, h.target))[2])
            shown = cand & reach[i]
            served.append(hold_metrics(rank_of(s, shown, h.target))[2] if shown[h.target] else 0.0)
            if direction == DISTRICTS:
                for mask, into in ((cand, prev), (shown, prev_served)):
                    top = np.argsort(-np.where(mask, s, -np.inf), kind="stable")[:10]
                    top = top[mask[top]]
                    into.append(float(prevalence[top].mean()) if len(top) else np.nan)
        out.append(
            {
                "direction": direction,
                "emphasis": str(emphasis).upper(),
                "holds": len(hs),
                "hit@10": float(np.mean(hits)) if hits else np.nan,
                "mean_prevalence_top10": float(np.mean(prev)) if prev else np.nan,
                "hit@10_served": float(np.mean(served)) if served else np.nan,
                "mean_prevalence_top10_served": (
                    float(np.nanmean(prev_served)) if prev_served else np.nan
                ),
            }
        )
    return out


REACH_RADII = (0.0, 100.0, 200.0, 300.0, 500.0)


def reach_table(record: RealRecord, radii: tuple[float, ...] = REACH_RADII) -> pd.DataFrame:
    """How the within-reach footprint rule (:func:`partners_within_reach`) fares by radius.

    ``kept``: of the pairs whose partner has another known district, the share the rule
    keeps within reach with the pair hidden (what a planner would have been shown
    before that partnership); ``ruled_out``: of the candidate pairs of the full record
    (a partner not known in the district), the share the rule leaves out.
    """
    full = record.known()
    kept: list[list[bool]] = [[] for _ in radii]
    for k in range(record.n_pairs):
        p, d = int(record.pair_p[k]), int(record.pair_d[k])
        known = record.known(np.array([k]))
        if not known[p].any():
            continue
        far = national(record, known)
        for j, r in enumerate(radii):
            kept[j].append(bool(partners_within_reach(record, known, d, r, far)[p]))
    far = national(record, full)
    out = np.zeros((len(radii), full.shape[1]))
    for d in range(record.n_districts):
        cand = ~full[:, d]
        for j, r in enumerate(radii):
            reach = partners_within_reach(record, full, d, r, far)
            out[j, d] = (~reach & cand).sum() / cand.sum()
    weights = (~full).sum(axis=0)
    return pd.DataFrame(
        {
            "radius_km": list(radii),
            "pairs": [len(k) for k in kept],
            "kept": [float(np.mean(k)) if k else np.nan for k in kept],
            "ruled_out": [float(np.average(o, weights=weights)) for o in out],
        }
    ).set_index("radius_km")


def evaluate_real(
    districts: pd.DataFrame,
    partners: pd.DataFrame,
    history: pd.DataFrame,
    *,
    as_of: dt.date | None = None,
    n_folds: int = 5,
    n_boot: int = 1000,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    directions: tuple[str, ...] = (PARTNERS, DISTRICTS),
    variants: tuple[str, ...] = (LEAK_FREE, SOURCE_BLOCKED),
) -> RealEvaluation:
    """Leave-one-out on the real record in both directions and both variants.

    Parameters
    ----------
    districts, partners, history : pandas.DataFrame
        Frames as in :mod:`recommender.features`; ``history`` with ``source_url``.
        Synthetic rows are ignored (:func:`recommender.record.real_history`).
    as_of : datetime.date, optional
        Date of the rebuilt feature states (today by default).
    n_folds : int
        Outer folds of the nested cross-validation.
    n_boot : int
        Bootstrap resamples of the query clusters.
    seed : int
        Seed of the folds and the bootstrap.
    progress : callable, optional
        Called with a line after each direction and variant.
    directions, variants : tuple of str
        What to evaluate (all by default).
    """
    # many small matrix products: one BLAS thread is far faster on a shared 2-core machine
    with threadpool_limits(limits=1, user_api="blas"):
        return _evaluate_real(
            districts,
            partners,
            history,
            as_of,
            n_folds,
            n_boot,
            seed,
            progress,
            directions,
            variants,
        )


def _evaluate_real(
    districts: pd.DataFrame,
    partners: pd.DataFrame,
    history: pd.DataFrame,
    as_of: dt.date | None,
    n_folds: int,
    n_boot: int,
    seed: int,
    progress: Callable[[str], None] | None,
    directions: tuple[str, ...],
    variants: tuple[str, ...],
) -> RealEvaluation:
    as_of = as_of or dt.date.today()
    record = RealRecord.from_frames(districts, partners, history)
    base = _Baselines(record, as_of)
    full = record.known()
    rows, gain_rows = [], []
    tradeoff: list[dict[str, Any]] = []
    chosen: dict[str, list[Any]] = {}
    for direction in directions:
        model = MODEL[direction]
        for variant in variants:
            hs = holds(record, direction, variant)
            queries = np.array([h.query for h in hs])
            model_rank = np.zeros((len(hs), 2), int)  # (better, tied): see rank_of
            n_items = record.n_partners if direction == PARTNERS else record.n_districts
            fit = np.zeros((len(hs), n_items))  # the model's 0-100 fit points per hold
            need = np.zeros((len(hs), n_items))
            if direction == DISTRICTS:
                need[:] = base.need_points[None, :]
            picks: list[Any] = []
            for fold in _folds(queries, n_folds, seed):
                test = [int(i) for i in np.flatnonzero(fold)]
                removed = np.unique(np.concatenate([hs[i].hidden for i in test]))
                if direction == PARTNERS:
                    m = fit_partner_model(record, variant, removed)
                    picks.append({"prior": m.prior, "features": m.features, "alpha": m.alpha})
                    for i in test:
                        h = hs[i]
                        x = district_block(record, record.known(h.hidden), h.query)
                        cand = ~full[:, h.query]
                        cand[h.target] = True
                        model_rank[i] = rank_of(m.decision_function(x), cand, h.target)
                        fit[i] = m.points(x)[0]
                else:
                    train = [h for j, h in enumerate(hs) if not fold[j] and not h.cold]
                    params = choose_walk(record, train, removed)
                    picks.append(params)
                    walk = DistrictWalk.of(params)
                    tests = [hs[i] for i in test]
                    model_rank[test] = walk_ranks(record, walk, tests, np.zeros(0, int))
                    for i, sc in zip(test, walk_scores(record, walk, tests), strict=True):
                        cand = ~full[hs[i].query]
                        cand[hs[i].target] = True
                        fit[i] = 100.0 * sc / max(float(sc[cand].max()), 1e-300)
            chosen[f"{direction}/{variant}"] = picks
            ranks = {model: model_rank}
            for name in BASELINES:
                ranks[name] = np.zeros((len(hs), 2), int)
            for i, h in enumerate(hs):
                st = base.state(h.hidden)
                sc = base.scores(h.hidden, direction, h.query, st)
                if direction == PARTNERS:
                    sp = st.space
                    need[i] = area_need_points(sp.areas, sp.need[h.query], st.coverage[h.query])
                cand = ~(full[:, h.query] if direction == PARTNERS else full[h.query])
                cand[h.target] = True
                for name in BASELINES:
                    ranks[name][i] = rank_of(sc[name], cand, h.target)
            if progress:
                progress(f"{direction} {variant}: {len(hs)} holds")
            cold = np.array([h.cold for h in hs])
            if variant == SOURCE_BLOCKED:
                warm = [h for h in hs if not h.cold]
                tradeoff += emphasis_tradeoff(
                    record, direction, warm, fit[~cold], need[~cold], base.prevalence
                )
            for group, sel in (("warm", ~cold), ("cold", cold)):
                if not sel.any():
                    continue
                names = [*BASELINES, model]
                if group == "cold" and direction == DISTRICTS:
                    names = list(BASELINES)  # the walk has nothing to start from
                values = {
                    n: np.array([hold_metrics((b, t)) for b, t in ranks[n][sel]]) for n in names
                }
                boot, _ = _bootstrap(values, queries[sel], n_boot, seed)
                for n in names:
                    lo, hi = np.percentile(boot[n], [2.5, 97.5], axis=0)
                    row: dict[str, Any] = {
                        "direction": direction,
                        "variant": variant,
                        "holds": group,
                        "scorer": n,
                        "n": int(sel.sum()),
                        "queries": len(np.unique(queries[sel])),
                    }
                    for j, mname in enumerate(METRICS):
                        row[mname] = float(values[n][:, j].mean())
                        if mname in ("hit@10", "mrr", "ndcg@10"):
                            row[f"{mname}_lo"], row[f"{mname}_hi"] = float(lo[j]), float(hi[j])
                    rows.append(row)
                if group == "warm":
                    for b in BASELINES:
                        d = boot[model] - boot[b]
                        g: dict[str, Any] = {
                            "direction": direction,
                            "variant": variant,
                            "baseline": b,
                        }
                        for j, mname in enumerate(METRICS):
                            if mname not in ("hit@10", "mrr", "ndcg@10"):
                                continue
                            g[f"{mname}_gain"] = float(
                                values[model][:, j].mean() - values[b][:, j].mean()
                            )
                            g[f"{mname}_lo"], g[f"{mname}_hi"] = (
                                float(x) for x in np.percentile(d[:, j], [2.5, 97.5])
                            )
                        gain_rows.append(g)
    table = pd.DataFrame(rows).set_index(["direction", "variant", "holds", "scorer"])
    gains = pd.DataFrame(gain_rows).set_index(["direction", "variant", "baseline"])
    n_warm_p = int((full.sum(axis=1) >= 2).sum())
    notes = [
        f"Real record: {record.n_partners} real partners, {record.n_pairs} known "
        f"partner-district pairs ({n_warm_p} partners with >= 2 districts), "
        "reported in public sources or recorded through the API past PROPOSED. "
        "Leave-one-out with every feature rebuilt without the hidden pair; source_blocked "
        "also hides the other partners' pairs in that district from the same source. "
        f"learned = conditional logit, walk = random walk with restart, both by nested "
        f"{n_folds}-fold CV (outer folds report; parameters chosen inside). 95% intervals: "
        f"{n_boot} bootstrap resamples of {'districts'} (partners_for_district) or "
        "partners (districts_for_partner); cold = the hidden partner has no other known district.",
    ]
    emph = pd.DataFrame(tradeoff)
    if len(emph):
        emph = emph.set_index(["direction", "emphasis"])
    return RealEvaluation(table, gains, notes, chosen, emph, reach_table(record))
