"""Synthetic partnership history: who partnered where in 2019-2024, and what lasted.

Part of :mod:`recommender.simulation`; partnerships are generated among synthetic
partners only. The rules are documented in ``docs/synthetic-data.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.simulation.profiles import PROFILES
from recommender.simulation.world import (
    AREA_INDEX,
    HISTORY_YEARS,
    SNAPSHOT_DATE,
    SYNTHETIC_SUFFIX,
    YEAR_WEIGHTS,
    Geo,
    district_geo,
    zscore,
)
from recommender.vocab import AREAS, COMPANY_KINDS, MIN_COMMITMENT_MONTHS


@dataclass(frozen=True)
class Rules:
    """Weights of the generating model; change them only to test or calibrate a rule.

    Attributes
    ----------
    fit_weight : float
        Weight of the district's need in the partnership's areas on the success logit.
    geo_weight : float
        Weight of the partner's presence near the district on the success logit.
    capacity_weight : float
        Weight of partner capacity relative to the district's burden on the success logit.
    kind_weight : float
        Multiplier of the per-kind success effects and of the commitment effect.
    reliability_sd : float
        Spread of the hidden per-partner reliability (learnable from track record).
    intercept : float
        Success logit intercept.
    n_partnerships : int
        Partnerships generated over all years.
    choice_temperature : float
        Divides the choice utility (higher: choices closer to uniform).
    choice_need_scale : float
        Multiplier of the need and focus-fit terms of the choice utility. 0.25 is
        calibrated on the real reported partnerships (:mod:`recommender.simulation.calibration`):
        at 1.0 partnered districts were far more high-prevalence than in the real
        record.
    """

    fit_weight: float = 1.0
    geo_weight: float = 1.0
    capacity_weight: float = 0.5
    kind_weight: float = 1.0
    reliability_sd: float = 0.7
    intercept: float = -0.7
    n_partnerships: int = 2600
    choice_temperature: float = 1.0
    choice_need_scale: float = 0.25


# ---------------------------------------------------------------------------------------
# History

_CANCEL_REASONS = (
    "funding withdrawn by the partner",
    "partner capacity stretched across too many sites",
    "local coordination with the district team broke down",
    "activity not aligned with the district's stunting plan",
    "partner's priorities changed",
)
_SCOPE_RATE = {"national": 2.0, "provincial": 1.0, "local": 0.6}
_SCOPE_KM = {"national": 700.0, "provincial": 200.0, "local": 80.0}


def _partner_arrays(g: Geo, cat: pd.DataFrame) -> dict[str, np.ndarray]:
    pos = {c: i for i, c in enumerate(g.codes)}
    n_p, n_d = len(cat), len(g.codes)
    site = np.zeros((n_p, n_d), bool)
    inprov = np.zeros((n_p, n_d), bool)
    island = np.zeros((n_p, n_d), bool)
    near_km = np.zeros((n_p, n_d))
    areas = np.zeros((n_p, len(AREAS)))
    rows = zip(cat["district_codes"], cat["province_codes"], cat["areas"], strict=True)
    for i, (district_codes, province_codes, partner_areas) in enumerate(rows):
        idx = [pos[c] for c in district_codes if c in pos]
        site[i, idx] = True
        inprov[i] = np.isin(g.prov, list(province_codes))
        island[i] = np.isin(g.island, g.island[idx])
        near_km[i] = g.dist[idx].min(axis=0) if idx else 3000.0
        areas[i, [AREA_INDEX[a] for a in partner_areas]] = 1.0
    return {"site": site, "inprov": inprov, "island": island, "near_km": near_km, "areas": areas}


def _add_months(start: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Vectorised date + months (day clipped to 28), as numpy datetime64[D]."""
    y = start.astype("datetime64[Y]").astype(int) + 1970
    m = start.astype("datetime64[M]").astype(int) % 12
    d = (start - start.astype("datetime64[M]")).astype(int)
    tot = m + months
    first = ((y + tot // 12 - 1970) * 12 + tot % 12).astype("datetime64[M]").astype("datetime64[D]")
    return np.asarray(first + np.minimum(d, 27))


def generate_history(
    districts: pd.DataFrame, catalogue: pd.DataFrame, *, seed: int, rules: Rules | None = None
) -> pd.DataFrame:
    """Simulate 2019–2024 partnerships between synthetic partners and real districts.

    Parameters
    ----------
    districts : pandas.DataFrame
        The frame given to :func:`generate_catalogue`.
    catalogue : pandas.DataFrame
        Output of :func:`generate_catalogue`; rows whose name does not end in
        ``" (synthetic)"`` are ignored, so real partners never get invented history.
    seed : int
        Seed of the numpy random generator.
    rules : Rules, optional
        Generating weights; the default is the documented model.

    Returns
    -------
    pandas.DataFrame
        ``partner_name, district_code, areas, start_date, end_date, duration_months,
        budget_idr, target_beneficiaries, status, outcome``, sorted by start date.
    """
    rules = rules or Rules()
    rng = np.random.default_rng([seed, 2])
    g = district_geo(districts)
    cat = catalogue[catalogue["name"].str.endswith(SYNTHETIC_SUFFIX)].reset_index(drop=True)
    pa = _partner_arrays(g, cat)
    n_p, n_d, n_a = len(cat), len(g.codes), len(AREAS)
    kind = cat["kind"].to_numpy()
    scope = cat["scope"].to_numpy()
    prof = [PROFILES[k] for k in kind]
    is_company = np.isin(kind, COMPANY_KINDS)
    log_budget = np.log(cat["annual_budget_idr"].to_numpy(float))
    commit = cat["typical_commitment_months"].to_numpy(float)
    reliability = rng.normal(0.0, rules.reliability_sd, n_p)
    rate = (
        np.array([p.rate for p in prof])
        * np.array([_SCOPE_RATE[s] for s in scope])
        * np.exp(0.3 * (log_budget - np.median(log_budget)))
        * rng.lognormal(0.0, 0.4, n_p)
    )
    # how many partnerships each partner starts each year
    cells = rate[:, None] * YEAR_WEIGHTS[None, :]
    counts = rng.multinomial(rules.n_partnerships, (cells / cells.sum()).ravel()).reshape(
        cells.shape
    )
    counts = np.minimum(counts, n_d)

    km = np.where(is_company, 150.0, np.array([_SCOPE_KM[s] for s in scope]))
    site_bonus = np.array([p.site_bonus for p in prof])
    prov_bonus = np.where(kind == "media", 3.0, 1.5)
    geo_u = (
        site_bonus[:, None] * pa["site"]
        + prov_bonus[:, None] * pa["inprov"]
        + 0.5 * pa["island"]
        - np.minimum(pa["near_km"] / km[:, None], 6.0)
    )
    local_media = (kind == "media") & (scope != "national")
    geo_u[local_media] -= 3.0 * ~pa["inprov"][local_media]
    need_u = np.array([p.need_weight for p in prof])[:, None] * g.need[None, :]
    hidden = g.area_need + rng.normal(0.0, 0.7, (n_d, n_a))
    n_areas_p = pa["areas"].sum(axis=1)
    coverage = np.zeros((n_d, n_a))
    worked = np.zeros((n_p, n_d), bool)

    ev_p: list[np.ndarray] = []
    ev_d: list[np.ndarray] = []
    ev_y: list[np.ndarray] = []
    ev_fit: list[np.ndarray] = []
    ev_areas: list[list[list[str]]] = []
    for yi, year in enumerate(HISTORY_YEARS):
        need_now = hidden - 0.5 * np.log1p(coverage)
        fit_u = 0.8 * (pa["areas"] @ need_now.T) / n_areas_p[:, None]
        util = (
            geo_u + rules.choice_need_scale * (need_u + fit_u) + 1.0 * worked
        ) / rules.choice_temperature
        ps = np.flatnonzero(counts[:, yi])
        gumbel = rng.gumbel(size=(len(ps), n_d))
        score = util[ps] + gumbel
        y_p, y_d = [], []
        for j, p in enumerate(ps):
            k = counts[p, yi]
            top = np.argpartition(-score[j], k - 1)[:k]
            y_p.append(np.full(k, p))
            y_d.append(top)
        pp, dd = np.concatenate(y_p), np.concatenate(y_d)
        # which of the partner's areas the partnership covers: the most needed ones
        noisy = need_now[dd] + rng.normal(0.0, 0.5, (len(dd), n_a))
        noisy = np.where(pa["areas"][pp] > 0, noisy, -np.inf)
        m = np.minimum(rng.integers(1, 4, len(dd)), n_areas_p[pp].astype(int))
        order = np.argsort(-noisy, axis=1)
        chosen = np.zeros((len(dd), n_a), bool)
        for r in range(3):
            take = m > r
            chosen[np.flatnonzero(take), order[take, r]] = True
        fit = (need_now[dd] * chosen).sum(axis=1) / chosen.sum(axis=1)
        ev_p.append(pp)
        ev_d.append(dd)
        ev_y.append(np.full(len(dd), year))
        ev_fit.append(fit)
        ev_areas.append([[AREAS[a] for a in np.flatnonzero(c)] for c in chosen])
        worked[pp, dd] = True
        coverage *= 0.5
        np.add.at(coverage, (np.repeat(dd, chosen.sum(axis=1)), np.nonzero(chosen)[1]), 1.0)

    p_idx, d_idx = np.concatenate(ev_p), np.concatenate(ev_d)
    years = np.concatenate(ev_y)
    fit = np.concatenate(ev_fit)
    areas_col = [a for chunk in ev_areas for a in chunk]
    n = len(p_idx)

    on_site = pa["site"][p_idx, d_idx]
    in_prov = pa["inprov"][p_idx, d_idx]
    geo = np.where(
        on_site,
        1.0,
        np.where(in_prov, 0.5, -0.5 * np.minimum(pa["near_km"][p_idx, d_idx] / 500.0, 2.0)),
    )
    cap = zscore(log_budget[p_idx] - g.log_burden[d_idx])
    kind_eff = np.array([p.success_effect for p in prof])[p_idx] + 0.04 * (commit[p_idx] - 12.0)
    logit = (
        rules.intercept
        + rules.fit_weight * fit
        + rules.geo_weight * geo
        + rules.capacity_weight * cap
        + rules.kind_weight * kind_eff
        + reliability[p_idx]
    )
    success = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))

    jan1 = np.array([f"{y}-01-01" for y in years], dtype="datetime64[D]")
    start = jan1 + rng.integers(0, 365, n)
    dur_ok = np.clip(
        np.round(commit[p_idx] * rng.lognormal(0.0, 0.35, n)), MIN_COMMITMENT_MONTHS, 48
    )
    duration = np.where(success, dur_ok, rng.integers(1, MIN_COMMITMENT_MONTHS, n)).astype(int)
    end = _add_months(start, duration)
    snapshot = np.datetime64(SNAPSHOT_DATE)
    cancelled = ~success & (rng.random(n) < 0.6)
    ongoing = end > snapshot
    status = np.where(cancelled, "cancelled", np.where(ongoing, "active", "completed"))
    proposed = (start >= np.datetime64("2024-10-01")) & (rng.random(n) < 0.3)
    status = np.where(proposed, "proposed", status)

    per_year = np.maximum(rate / YEAR_WEIGHTS.mean() / len(HISTORY_YEARS), 1.0)
    budget = (
        np.exp(log_budget[p_idx])
        / per_year[p_idx]
        * rng.lognormal(0.0, 0.4, n)
        * np.maximum(duration, 3)
        / 12.0
    )
    budget = np.maximum(np.round(budget, -6), 1_000_000).astype(np.int64)
    unit_cost = rng.lognormal(np.log(2_500_000), 0.5, n)
    benef = np.clip(budget / unit_cost, 20, np.maximum(g.pop[d_idx] * 0.1, 20)).astype(int)

    outcome = np.empty(n, dtype=object)
    reason = rng.integers(len(_CANCEL_REASONS), size=n)
    for i in range(n):
        if status[i] == "cancelled":
            outcome[i] = f"Cancelled after {duration[i]} months: {_CANCEL_REASONS[reason[i]]}."
        elif status[i] == "completed" and success[i]:
            outcome[i] = (
                f"Completed after {duration[i]} months; about {benef[i]:,} beneficiaries reached."
            )
        elif status[i] == "completed":
            outcome[i] = f"One-off activity, ended after {duration[i]} months."
        elif status[i] == "active":
            outcome[i] = f"Ongoing at the data snapshot ({SNAPSHOT_DATE.isoformat()})."
        else:
            outcome[i] = None
    open_ended = np.isin(status, ["active", "proposed"])
    out = pd.DataFrame(
        {
            "partner_name": cat["name"].to_numpy()[p_idx],
            "district_code": g.codes[d_idx],
            "areas": areas_col,
            "start_date": [d.item() for d in start],
            "end_date": [None if o else e.item() for o, e in zip(open_ended, end, strict=True)],
            "duration_months": duration,
            "budget_idr": budget,
            "target_beneficiaries": benef,
            "status": status,
            "outcome": outcome,
        }
    )
    out = out.sort_values(["start_date", "partner_name"], kind="stable").reset_index(drop=True)
    return out
