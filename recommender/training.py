"""Training pairs for the learned ranker.

Past partnerships plus sampled non-partnerships, plus planners' verdicts on recommendations
(accepted: positive, rejected: negative).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Protocol, cast

import numpy as np
import pandas as pd

from recommender.features import FEATURES, FeatureSpace
from recommender.outcomes import as_days, lasted

VERDICT_LABELS: dict[str, int] = {"accepted": 1, "rejected": 0}
FEEDBACK_COLUMNS: tuple[str, ...] = ("partner_name", "district_code", "verdict", "created_at")


def label_known(history: pd.DataFrame, at: dt.date) -> np.ndarray:
    """Whether each partnership's success label was known at ``at``.

    It is known once the partnership ended, or once it has run for 6 months.
    """
    cut = np.datetime64(at, "D")
    start, end = as_days(history["start_date"]), as_days(history["end_date"])
    ended = ~np.isnat(end) & (end <= cut)
    six = ~np.isnat(start) & (start + np.timedelta64(183, "D") <= cut)
    return np.asarray(ended | six)


class Positions(Protocol):
    """Partner names and district codes to positions (a FeatureSpace, a RealRecord)."""

    @property
    def p_pos(self) -> Mapping[str, int]:
        """Partner name -> position."""
        ...

    @property
    def d_pos(self) -> Mapping[str, int]:
        """District code -> position."""
        ...


def latest_verdicts(
    feedback: pd.DataFrame | None, space: Positions, *, until: dt.date | None = None
) -> pd.DataFrame:
    """Each partner-district pair's latest verdict given on or before ``until``.

    Rows whose partner or district is not in ``space`` (e.g. archived partners) or whose
    verdict is neither accepted nor rejected are dropped. Adds ``_p``, ``_d`` (positions),
    ``_y`` (label) and ``_day`` (the verdict's date).
    """
    if feedback is None or feedback.empty:
        return pd.DataFrame(columns=[*FEEDBACK_COLUMNS, "_p", "_d", "_y", "_day"])
    f = feedback.loc[:, list(FEEDBACK_COLUMNS)].copy()
    f["_p"] = f["partner_name"].map(space.p_pos)
    f["_d"] = f["district_code"].astype(str).map(space.d_pos)
    f["_y"] = f["verdict"].map(VERDICT_LABELS)
    at = pd.to_datetime(f["created_at"], errors="coerce", utc=True)
    f["_day"] = at.dt.tz_localize(None).dt.normalize()
    ok = f["_p"].notna() & f["_d"].notna() & f["_y"].notna() & f["_day"].notna()
    if until is not None:  # a verdict is known the moment it is given: same day counts
        ok &= f["_day"] <= pd.Timestamp(until)
    f = f[ok].assign(_at=at[ok]).sort_values("_at", kind="stable")
    return f.drop_duplicates(["_p", "_d"], keep="last").drop(columns="_at")


def feedback_pairs(
    space: FeatureSpace,
    history: pd.DataFrame,
    feedback: pd.DataFrame | None,
    *,
    until: dt.date | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Planners' verdicts as labelled pairs: accepted 1, rejected 0.

    Features are computed as of the day of the verdict (so a pair never sees a
    partnership proposed because of it); only each pair's latest verdict counts.

    Parameters
    ----------
    space : FeatureSpace
    history : pandas.DataFrame
        Partnerships (for the features as of each verdict's day).
    feedback : pandas.DataFrame or None
        ``partner_name, district_code, verdict, created_at``.
    until : datetime.date, optional
        Ignore verdicts given after this day.

    Returns
    -------
    x : numpy.ndarray
        float32 feature matrix (possibly with zero rows).
    y : numpy.ndarray
        0/1 labels.
    """
    f = latest_verdicts(feedback, space, until=until)
    if f.empty:
        return np.zeros((0, len(FEATURES)), np.float32), np.zeros(0, int)
    xs, ys = [], []
    for day, g in f.groupby("_day"):
        state = space.at(history, cast(pd.Timestamp, day).date())
        xs.append(state.pair_features(g["_p"].to_numpy(int), g["_d"].to_numpy(int)))
        ys.append(g["_y"].to_numpy(int))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(int)


def training_pairs(
    space: FeatureSpace,
    history: pd.DataFrame,
    *,
    until: dt.date | None = None,
    negatives: int = 6,
    seed: int = 0,
    feedback: pd.DataFrame | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix and labels for partnerships started before ``until``.

    For every year, features are computed as of 1 January of that year (so a pair never
    sees its own outcome). Positives: partnerships of that year that lasted >= 6 months
    and were not cancelled; their label must be known at ``until``. Negatives: the
    year's failed partnerships, plus ``negatives`` sampled non-partnerships per
    partnership: half keep the partner and draw a district (half of those near its
    sites, half uniformly), half keep the district and draw a partner (half weighted by
    recent activity, half uniformly). ``feedback`` (planners' verdicts, see
    :func:`feedback_pairs`) adds one pair per verdicted partner-district pair.

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
        state = space.at(history, dt.date(int(cast(int, year)), 1, 1))
        p = g["_p"].to_numpy(int)
        d = g["_d"].to_numpy(int)
        taken = set(zip(p.tolist(), d.tolist(), strict=True))
        k = negatives // 2
        # same partner, another district: near its sites or anywhere
        pn = np.repeat(p, k)
        near_w = np.exp(-space.near_km[pn] / 300.0)
        near = (
            near_w.cumsum(axis=1) / near_w.sum(axis=1, keepdims=True) > rng.random(len(pn))[:, None]
        ).argmax(axis=1)
        dn = np.where(rng.random(len(pn)) < 0.5, near, rng.integers(n_d, size=len(pn)))
        # same district, another partner: active ones or anyone
        dm = np.repeat(d, negatives - k)
        act = state.recent + 1.0
        pm = np.where(
            rng.random(len(dm)) < 0.5,
            rng.choice(n_p, len(dm), p=act / act.sum()),
            rng.integers(n_p, size=len(dm)),
        )
        neg_p, neg_d = np.concatenate([pn, pm]), np.concatenate([dn, dm])
        keep = np.array(
            [(a, b) not in taken for a, b in zip(neg_p.tolist(), neg_d.tolist(), strict=True)], bool
        )
        all_p = np.concatenate([p, neg_p[keep]])
        all_d = np.concatenate([d, neg_d[keep]])
        xs.append(state.pair_features(all_p, all_d))
        ys.append(np.concatenate([g["_y"].to_numpy(float), np.zeros(int(keep.sum()))]))
    fx, fy = feedback_pairs(space, history, feedback, until=until)
    if len(fy):
        xs.append(fx)
        ys.append(fy.astype(float))
    return np.concatenate(xs), np.concatenate(ys).astype(int)
