"""Training pairs for the learned ranker: past partnerships plus sampled non-partnerships."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from recommender.features import FeatureSpace, _dates, lasted


def label_known(history: pd.DataFrame, at: dt.date) -> np.ndarray:
    """Whether each partnership's success label was known at ``at``.

    It is known once the partnership ended, or once it has run for 6 months.
    """
    cut = np.datetime64(at, "D")
    start, end = _dates(history["start_date"]), _dates(history["end_date"])
    ended = ~np.isnat(end) & (end <= cut)
    six = ~np.isnat(start) & (start + np.timedelta64(183, "D") <= cut)
    return ended | six


def training_pairs(space: FeatureSpace, history: pd.DataFrame, *,
                   until: dt.date | None = None, negatives: int = 6,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix and labels for partnerships started before ``until``.

    For every year, features are computed as of 1 January of that year (so a pair never
    sees its own outcome). Positives: partnerships of that year that lasted >= 6 months
    and were not cancelled; their label must be known at ``until``. Negatives: the
    year's failed partnerships, plus ``negatives`` sampled non-partnerships per
    partnership: half keep the partner and draw a district (half of those near its
    sites, half uniformly), half keep the district and draw a partner (half weighted by
    recent activity, half uniformly).

    Returns
    -------
    x : numpy.ndarray
        float32 feature matrix.
    y : numpy.ndarray
        0/1 labels.
    """
    rng = np.random.default_rng(seed)
    h = history.copy()
    h["_p"] = h["partner_name"].map(space.p_pos)
    h["_d"] = h["district_code"].astype(str).map(space.d_pos)
    h["_y"] = lasted(h)
    start = pd.to_datetime(h["start_date"], errors="coerce")
    h["_year"] = start.dt.year
    ok = h["_p"].notna() & h["_d"].notna() & h["_y"].notna() & h["_year"].notna()
    if until is not None:
        ok &= (start < pd.Timestamp(until)) & label_known(h, until)
    h = h[ok]
    n_p, n_d = len(space.p_names), len(space.d_codes)
    xs, ys = [], []
    for year, g in h.groupby("_year"):
        state = space.at(history, dt.date(int(year), 1, 1))
        p = g["_p"].to_numpy(int)
        d = g["_d"].to_numpy(int)
        taken = set(zip(p.tolist(), d.tolist(), strict=True))
        k = negatives // 2
        # same partner, another district: near its sites or anywhere
        pn = np.repeat(p, k)
        near_w = np.exp(-space.near_km[pn] / 300.0)
        near = (near_w.cumsum(axis=1) / near_w.sum(axis=1, keepdims=True)
                > rng.random(len(pn))[:, None]).argmax(axis=1)
        dn = np.where(rng.random(len(pn)) < 0.5, near, rng.integers(n_d, size=len(pn)))
        # same district, another partner: active ones or anyone
        dm = np.repeat(d, negatives - k)
        act = state.recent + 1.0
        pm = np.where(rng.random(len(dm)) < 0.5, rng.choice(n_p, len(dm), p=act / act.sum()),
                      rng.integers(n_p, size=len(dm)))
        neg_p, neg_d = np.concatenate([pn, pm]), np.concatenate([dn, dm])
        keep = np.array([(a, b) not in taken for a, b in zip(neg_p.tolist(), neg_d.tolist(),
                                                            strict=True)], bool)
        all_p = np.concatenate([p, neg_p[keep]])
        all_d = np.concatenate([d, neg_d[keep]])
        xs.append(state.pair_features(all_p, all_d))
        ys.append(np.concatenate([g["_y"].to_numpy(float), np.zeros(int(keep.sum()))]))
    return np.concatenate(xs), np.concatenate(ys).astype(int)
