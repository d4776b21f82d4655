"""District need profiles, partner profiles and partner–district pair features.

Input frames (the service builds them from the database; tests from CSVs):

``districts``
    ``code, province_code, province_name, name, latitude, longitude, population,
    area_km2, underdeveloped, prevalence, prevalence_imputed`` and optionally
    ``prevalence_survey`` (e.g. "SSGI 2022"), ``prevalence_2021`` and ``type``.
``partners``
    ``name`` (unique key), ``kind, scope, annual_budget_idr, typical_commitment_months,
    areas, province_codes, district_codes`` (lists) and optionally ``sector`` (free text;
    natural-resource companies are flagged, see :func:`recommender.vocab.natural_resource_sector`).
``history``
    ``partner_name, district_code, areas, start_date, end_date, duration_months, status``.

:class:`FeatureSpace` holds what does not change with time (geography, partner
profile); :meth:`FeatureSpace.at` adds what the history says as of a date
(coverage, track record, who already works where) and returns a :class:`FeatureState`
whose :meth:`FeatureState.pair_features` builds the pair matrix for any index arrays,
vectorised with numpy. See ``docs/recommender.md`` for every feature.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from recommender.geography import area_need_matrix, haversine_km, island_code, remoteness_km
from recommender.vocab import (
    AREAS,
    KINDS,
    MIN_COMMITMENT_MONTHS,
    QUOTA_TARGETS,
    STUNTING_TARGET_PCT,
    natural_resource_sector,
    quota_category,
)

QUOTAS = tuple(QUOTA_TARGETS)
FAR_KM = 3000.0  # distance used when a partner has no known site
PRIOR_SUCCESS = 0.6  # prior share of partnerships lasting >= 6 months (smoothing)
PRIOR_WEIGHT = 2.0

DISTRICT_FEATURES = (
    "prevalence",
    "gap_to_target",
    "prevalence_imputed",
    "trend",
    "trend_known",
    "log_burden",
    "underdeveloped",
    "log_remoteness_km",
    "log_active_partners",
)
PARTNER_FEATURES = (
    *(f"kind_{k}" for k in KINDS),
    "scope_national",
    "scope_local",
    "log_budget",
    "budget_known",
    "commitment_months",
    "log_track_n",
    "track_share",
    "log_recent_activity",
    "log_total",
    "log_n_sites",
    "log_reach",
    "natural_resource_company",
)
PAIR_FEATURES = (
    "on_site",
    "in_province",
    "same_island",
    "log_near_km",
    "log_sites_in_province",
    "area_need_fit",
    "uncovered_share",
    "capacity",
    "worked_before",
    "active_now",
    "quota_gap",
    "log_province_track",
    # interactions a linear model cannot form by itself
    "company_on_site",
    "company_in_province",
    "media_in_province",
    "local_log_near_km",
    "national_log_near_km",
    "nonprofit_gap",
    "company_gap",
    "near_100km",
    "company_near_100km",
    "local_near_100km",
    "national_near_100km",
    "province_share",
    "log_district_track",
    "natural_resource_on_site",
)
# Bump when a feature's meaning changes without its name changing: a model trained on an
# older version is refused at load (recommender.registry) and retrained by ``mitra setup``.
# (A model trained on another list of features is refused too, without a bump.)
# 1: first version. 2: quota_gap counts campaign commitments (commitments_known), not
# partners with any active partnership.
FEATURE_VERSION = 2

FEATURES: tuple[str, ...] = (*DISTRICT_FEATURES, *PARTNER_FEATURES, *PAIR_FEATURES)
COL = {f: i for i, f in enumerate(FEATURES)}


def _z(x: np.ndarray) -> np.ndarray:
    sd = float(np.nanstd(x))
    return (x - np.nanmean(x)) / (sd if sd > 0 else 1.0)


def lasted(history: pd.DataFrame) -> pd.Series:
    """Success label: lasted at least 6 months and not cancelled (NaN when unknown).

    Proposed partnerships and rows without a duration (e.g. real "reported" ones whose
    source gives none) have no label.
    """
    dur = pd.to_numeric(history["duration_months"], errors="coerce")
    ok = (dur >= MIN_COMMITMENT_MONTHS) & (history["status"] != "cancelled")
    out = ok.astype(float)
    out[dur.isna() & (history["status"] != "cancelled")] = np.nan
    out[history["status"] == "proposed"] = np.nan
    return out


def commitments_known(
    status: np.ndarray,
    duration_months: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    cut: np.datetime64,
) -> np.ndarray:
    """Which partnerships were campaign commitments as far as was known at ``cut``.

    The campaign (``service.domain.campaign``) counts active, completed and reported
    partnerships of at least 6 months. At a past ``cut`` the final status and duration of
    a partnership still running then are not known yet, so:

    * reported (real, no dates of their own): a stated duration of 6 months or more;
    * ended by ``cut``: completed (or active) and at least 6 months long;
    * still running at ``cut`` and still active today: its planned duration (a plan is
      known from the signing) is at least 6 months;
    * still running at ``cut`` but ended since (completed or cancelled later): it had
      already run 6 months at ``cut``.

    Proposed partnerships and partnerships starting after ``cut`` never count. With
    ``cut`` = today this is the campaign's rule.
    """
    dur = pd.to_numeric(pd.Series(duration_months), errors="coerce").to_numpy(float)
    long = np.nan_to_num(dur, nan=0.0) >= MIN_COMMITMENT_MONTHS
    finished = np.isin(status, ["completed", "cancelled"])
    # a finished partnership without an end date: only its final status is known
    ended = np.where(np.isnat(end), finished, end <= cut)
    ran_six = start + np.timedelta64(183, "D") <= cut
    running = np.where(status == "active", long, finished & ran_six)
    known = np.where(
        status == "reported",
        long,
        np.where(ended, np.isin(status, ["active", "completed"]) & long, running),
    )
    return known & ((start < cut) | (status == "reported"))


def _dates(s: pd.Series) -> np.ndarray:
    return pd.to_datetime(s, errors="coerce").to_numpy("datetime64[D]")


def district_need_profile(districts: pd.DataFrame) -> pd.DataFrame:
    """Static need profile of each district (prevalence, gap, trend, burden, remoteness).

    Remoteness is the great-circle distance to the most populous district of the same
    province (a proxy for the provincial centre: the reference data has no capitals).
    """
    d = districts.reset_index(drop=True)
    pop = d["population"].astype(float).fillna(d["population"].median()).to_numpy()
    prev = d["prevalence"].astype(float).to_numpy()
    lat, lon = d["latitude"].to_numpy(float), d["longitude"].to_numpy(float)
    prov = d["province_code"].astype(str).to_numpy()
    remote = remoteness_km(prov, pop, lat, lon)
    p21 = (
        d["prevalence_2021"].astype(float).to_numpy()
        if "prevalence_2021" in d
        else np.full(len(d), np.nan)
    )
    imputed = d["prevalence_imputed"].fillna(True).to_numpy(bool)
    trend_known = ~np.isnan(p21) & ~imputed
    area = d["area_km2"].astype(float).fillna(d["area_km2"].median()).to_numpy()
    return pd.DataFrame(
        {
            "code": d["code"].astype(str),
            "prevalence": prev,
            "gap_to_target": np.maximum(prev - STUNTING_TARGET_PCT, 0.0),
            "prevalence_imputed": imputed,
            "trend": np.where(trend_known, prev - np.nan_to_num(p21), 0.0),
            "trend_known": trend_known,
            "burden": prev / 100.0 * pop,
            "underdeveloped": d["underdeveloped"].fillna(False).to_numpy(bool),
            "remoteness_km": remote,
            "log_density": np.log(pop / np.maximum(area, 1.0)),
        }
    )


def area_needs(profile: pd.DataFrame) -> np.ndarray:
    """How much each district needs each intervention area (districts x areas, ~z units).

    The coefficients are :func:`recommender.geography.area_need_matrix`'s; the need driver
    here is the gap to the 14 % target.
    """
    return area_need_matrix(
        need=_z(profile["gap_to_target"].to_numpy(float)),
        underdeveloped=profile["underdeveloped"].to_numpy(float),
        remoteness=_z(np.log1p(profile["remoteness_km"].to_numpy(float))),
        density=_z(profile["log_density"].to_numpy(float)),
        burden=_z(np.log(profile["burden"].to_numpy(float))),
        imputed=profile["prevalence_imputed"].to_numpy(float),
    )


class FeatureSpace:
    """Static arrays for a set of districts and partners.

    Parameters
    ----------
    districts : pandas.DataFrame
        See the module docstring.
    partners : pandas.DataFrame
        See the module docstring; ``name`` must be unique.
    """

    def __init__(self, districts: pd.DataFrame, partners: pd.DataFrame) -> None:
        self.districts = districts.reset_index(drop=True)
        self.partners = partners.reset_index(drop=True)
        d, p = self.districts, self.partners
        self.d_codes = d["code"].astype(str).to_numpy()
        self.d_pos = {c: i for i, c in enumerate(self.d_codes)}
        self.p_names = p["name"].astype(str).to_numpy()
        self.p_pos = {n: i for i, n in enumerate(self.p_names)}
        if len(self.p_pos) != len(p):
            raise ValueError("partner names must be unique")
        self.profile = district_need_profile(d)
        self.need = area_needs(self.profile)
        prov = d["province_code"].astype(str).to_numpy()
        self.prov_codes, self.d_prov = np.unique(prov, return_inverse=True)
        self.prov_pos = {c: i for i, c in enumerate(self.prov_codes)}
        isl = np.array([island_code(c) for c in prov])
        self.isl_codes, self.d_isl = np.unique(isl, return_inverse=True)
        lat, lon = d["latitude"].to_numpy(float), d["longitude"].to_numpy(float)
        self.dist = haversine_km(lat[:, None], lon[:, None], lat[None], lon[None]).astype(
            np.float32
        )
        n_p, n_d = len(p), len(d)
        self.kind = np.array([KINDS.index(k) for k in p["kind"]])
        self.quota = np.array([QUOTAS.index(quota_category(k)) for k in p["kind"]])
        self.scope = p["scope"].astype(str).to_numpy()
        self.sector = (p["sector"] if "sector" in p else pd.Series([None] * len(p))).to_numpy()
        company = self.quota == QUOTAS.index("company")  # companies and state-owned ones
        self.natural_resource = company & np.array(
            [natural_resource_sector(x) for x in self.sector], bool
        )
        budget = pd.to_numeric(p["annual_budget_idr"], errors="coerce").to_numpy(float)
        self.budget_known = ~np.isnan(budget)
        log_b = np.log(np.where(self.budget_known, np.maximum(budget, 1.0), np.nan))
        self.log_budget = np.where(
            self.budget_known, log_b, np.nanmedian(log_b) if self.budget_known.any() else 20.0
        )
        commit = pd.to_numeric(p["typical_commitment_months"], errors="coerce").to_numpy(float)
        self.commitment = np.where(np.isnan(commit), 12.0, commit)
        self.areas = np.zeros((n_p, len(AREAS)), np.float32)
        site_p: list[int] = []
        site_d: list[int] = []
        prov_p: list[int] = []
        prov_i: list[int] = []
        for i, (ar, dcs, pcs) in enumerate(
            zip(p["areas"], p["district_codes"], p["province_codes"], strict=True)
        ):
            self.areas[i, [AREAS.index(a) for a in (ar if ar is not None else ())]] = 1.0
            for c in dcs if dcs is not None else ():
                if c in self.d_pos:
                    site_p.append(i)
                    site_d.append(self.d_pos[c])
            for c in pcs if pcs is not None else ():
                if c in self.prov_pos:
                    prov_p.append(i)
                    prov_i.append(self.prov_pos[c])
        self.site = np.zeros((n_p, n_d), bool)
        self.site[site_p, site_d] = True
        in_prov = np.zeros((n_p, len(self.prov_codes)), bool)
        in_prov[prov_p, prov_i] = True
        in_prov[site_p, self.d_prov[site_d]] = True
        self.sites_in_prov = np.zeros((n_p, len(self.prov_codes)), np.int16)
        np.add.at(self.sites_in_prov, (np.array(site_p, int), self.d_prov[site_d]), 1)
        self.inprov = in_prov[:, self.d_prov]
        isl_p = np.zeros((n_p, len(self.isl_codes)), bool)
        isl_p[:, :] = (
            in_prov.astype(np.int16)
            @ (self.prov_isl()[:, None] == np.arange(len(self.isl_codes))[None]).astype(np.int16)
        ) > 0
        self.island = isl_p[:, self.d_isl]
        self.n_sites = self.site.sum(axis=1)
        self.near_km = self._near_km(np.array(site_p, int), np.array(site_d, int), in_prov)
        # how spread out the partner is: effective number of districts within ~200 km
        self.log_reach = np.log(np.exp(-self.near_km / 200.0).sum(axis=1) + 1e-3)

    def prov_isl(self) -> np.ndarray:
        """Island-group index of each province."""
        out = np.zeros(len(self.prov_codes), int)
        out[self.d_prov] = self.d_isl
        return out

    def _near_km(self, site_p: np.ndarray, site_d: np.ndarray, in_prov: np.ndarray) -> np.ndarray:
        """Distance from each district to the partner's nearest site (P x D, float32).

        Partners without district sites are measured from all districts of their
        provinces; partners with neither get :data:`FAR_KM` everywhere.
        """
        n_p, n_d = len(self.p_names), len(self.d_codes)
        out = np.full((n_p, n_d), FAR_KM, np.float32)
        no_site = np.setdiff1d(np.flatnonzero(in_prov.any(axis=1)), site_p)
        if len(no_site):
            pp, dd = np.nonzero(self.inprov[no_site])
            site_p = np.concatenate([site_p, no_site[pp]])
            site_d = np.concatenate([site_d, dd])
        if len(site_p) == 0:
            return out
        order = np.argsort(site_p, kind="stable")
        sp, sd = site_p[order], site_d[order]
        starts = np.flatnonzero(np.r_[True, sp[1:] != sp[:-1]])
        for lo in range(0, len(starts), 2000):  # chunks keep memory bounded
            st = starts[lo : lo + 2000]
            end = starts[lo + 2000] if lo + 2000 < len(starts) else len(sp)
            rows = self.dist[sd[st[0] : end]]
            out[sp[st]] = np.minimum.reduceat(rows, st - st[0], axis=0)
        return out

    def at(self, history: pd.DataFrame | None, as_of: dt.date) -> FeatureState:
        """The dynamic part of the features as of ``as_of`` (history strictly before it)."""
        return FeatureState(self, history, as_of)


class FeatureState:
    """History-dependent arrays as of a date; builds pair feature matrices.

    Only partnerships that started before ``as_of`` are used, and a partnership's
    outcome counts towards a track record only once it is known (it ended, or it has
    run for 6 months).
    """

    def __init__(self, space: FeatureSpace, history: pd.DataFrame | None, as_of: dt.date) -> None:
        self.space = s = space
        self.as_of = as_of
        n_p, n_d = len(s.p_names), len(s.d_codes)
        cut = np.datetime64(as_of, "D")
        h = (
            history
            if history is not None
            else pd.DataFrame(
                columns=[
                    "partner_name",
                    "district_code",
                    "areas",
                    "start_date",
                    "end_date",
                    "duration_months",
                    "status",
                ]
            )
        )
        pi = h["partner_name"].map(s.p_pos).to_numpy(float)
        di = h["district_code"].astype(str).map(s.d_pos).to_numpy(float)
        start, end = _dates(h["start_date"]), _dates(h["end_date"])
        label = lasted(h).to_numpy(float)
        status = h["status"].astype(str).to_numpy()
        # real "reported" rows may lack dates: treat them as started long ago, still active
        start = np.where(np.isnat(start), np.datetime64("2000-01-01"), start)
        keep = ~np.isnan(pi) & ~np.isnan(di) & (start < cut) & (status != "proposed")
        pi, di = pi[keep].astype(int), di[keep].astype(int)
        start, end, label, status = start[keep], end[keep], label[keep], status[keep]
        self.hist_p, self.hist_d = pi, di
        active = np.isnat(end) | (end > cut)
        six = start + np.timedelta64(183, "D")
        known = ~np.isnan(label) & ((~np.isnat(end) & (end <= cut)) | (six <= cut))
        self.track_n = np.bincount(pi[known], minlength=n_p).astype(float)
        self.track_succ = np.bincount(pi[known], weights=label[known], minlength=n_p)
        self.track_share = (self.track_succ + PRIOR_SUCCESS * PRIOR_WEIGHT) / (
            self.track_n + PRIOR_WEIGHT
        )
        recent = start >= cut - np.timedelta64(730, "D")
        self.recent = np.bincount(pi[recent], minlength=n_p).astype(float)
        self.total = np.bincount(pi, minlength=n_p).astype(float)
        self.d_total = np.bincount(di, minlength=n_d).astype(float)
        self.pd_count = np.zeros((n_p, n_d), np.float32)
        np.add.at(self.pd_count, (pi, di), 1.0)
        self.worked = self.pd_count > 0
        self.active_pd = np.zeros((n_p, n_d), bool)
        self.active_pd[pi[active], di[active]] = True
        self.prov_track = np.zeros((n_p, len(s.prov_codes)), np.float32)
        np.add.at(self.prov_track, (pi, s.d_prov[di]), 1.0)
        self.coverage = np.zeros((n_d, len(AREAS)), np.float32)
        areas = h["areas"].to_numpy()[keep]
        for k in np.flatnonzero(active):
            for a in areas[k] if areas[k] is not None else ():
                if a in AREAS:
                    self.coverage[di[k], AREAS.index(a)] += 1.0
        self.n_active_d = np.bincount(di[active], minlength=n_d).astype(float)
        # campaign quota: distinct partners with a commitment in the province, per quota
        # category (service.domain.campaign), as far as it was known at ``as_of``
        committed = commitments_known(
            status, h["duration_months"].to_numpy()[keep], start, end, cut
        )
        filled = np.zeros((len(s.prov_codes), len(QUOTAS)))
        ap = np.unique(np.column_stack([pi[committed], s.d_prov[di[committed]]]), axis=0)
        if len(ap):
            np.add.at(filled, (ap[:, 1], s.quota[ap[:, 0]]), 1.0)
        targets = np.array([QUOTA_TARGETS[q] for q in QUOTAS], float)
        self.quota_filled = filled
        self.quota_gap = np.maximum(targets - filled, 0.0) / targets
        self._partner_block = self._partner_columns()
        self._district_block = self._district_columns()

    def _district_columns(self) -> np.ndarray:
        pr = self.space.profile
        return np.column_stack(
            [
                pr["prevalence"],
                pr["gap_to_target"],
                pr["prevalence_imputed"],
                pr["trend"],
                pr["trend_known"],
                np.log(pr["burden"]),
                pr["underdeveloped"],
                np.log1p(pr["remoteness_km"]),
                np.log1p(self.n_active_d),
            ]
        ).astype(np.float32)

    def _partner_columns(self) -> np.ndarray:
        s = self.space
        onehot = (s.kind[:, None] == np.arange(len(KINDS))[None]).astype(float)
        return np.column_stack(
            [
                onehot,
                s.scope == "national",
                s.scope == "local",
                s.log_budget,
                s.budget_known,
                s.commitment,
                np.log1p(self.track_n),
                self.track_share,
                np.log1p(self.recent),
                np.log1p(self.total),
                np.log1p(s.n_sites),
                s.log_reach,
                s.natural_resource,
            ]
        ).astype(np.float32)

    def pair_features(self, p_idx: np.ndarray, d_idx: np.ndarray) -> np.ndarray:
        """Feature matrix (n, len(FEATURES)) for pairs ``(p_idx[i], d_idx[i])``.

        Parameters
        ----------
        p_idx, d_idx : numpy.ndarray
            Integer positions into the space's partners and districts, same length.

        Returns
        -------
        numpy.ndarray
            float32 matrix, columns in the order of :data:`FEATURES`.
        """
        return self._fill(_PairOps(self, np.asarray(p_idx), np.asarray(d_idx)))

    def block_features(self, d_idx: np.ndarray) -> np.ndarray:
        """Features of every partner for each district in ``d_idx``, district-major.

        Row ``i * n_partners + p`` is the pair (p, d_idx[i]); the same numbers as
        :meth:`pair_features` with tiled indices, built by slicing instead of gathering.
        """
        return self._fill(_BlockOps(self, np.asarray(d_idx)))

    def _fill(self, o: _PairOps | _BlockOps) -> np.ndarray:
        s = self.space
        x = np.empty((o.n, len(FEATURES)), np.float32, order="F")  # filled by column
        nd, npf = len(DISTRICT_FEATURES), len(PARTNER_FEATURES)
        x[:, :nd] = o.d(self._district_block)
        x[:, nd : nd + npf] = o.p(self._partner_block)
        j = nd + npf
        on_site = o.pd(s.site)
        in_prov = o.pd(s.inprov)
        near_km = o.pd(s.near_km)
        log_near = np.log1p(near_km)
        n_areas = o.p(np.maximum(s.areas.sum(axis=1), 1.0))
        need_fit = o.area_dot(s.need - 0.5 * np.log1p(self.coverage)) / n_areas
        uncovered = o.area_dot((self.coverage == 0).astype(np.float32)) / n_areas
        kind = o.p(s.kind)
        company = kind <= 1
        media = kind == KINDS.index("media")
        local = o.p(s.scope == "local")
        national = o.p(s.scope == "national")
        gap = x[:, COL["gap_to_target"]]
        prov_track = o.pprov(self.prov_track)
        near = np.minimum(near_km, 1500.0) / 100.0
        cols = (
            on_site,
            in_prov,
            o.pd(s.island),
            log_near,
            np.log1p(o.pprov(s.sites_in_prov)),
            need_fit,
            uncovered,
            o.p(s.log_budget) - x[:, COL["log_burden"]],
            o.pd(self.worked),
            o.pd(self.active_pd),
            o.quota(self.quota_gap),
            np.log1p(prov_track),
            company & on_site,
            company & in_prov,
            media & in_prov,
            local * log_near,
            national * log_near,
            ~company * gap,
            company * gap,
            near,
            company * near,
            local * near,
            national * near,
            prov_track / np.maximum(o.p(self.total), 1.0),
            np.log1p(o.pd(self.pd_count)),
            o.p(s.natural_resource) & on_site,
        )
        for k, c in enumerate(cols):
            x[:, j + k] = c
        return x

    def district_rows(self, d: int) -> np.ndarray:
        """Features of every partner for district position ``d``."""
        n_p = len(self.space.p_names)
        return self.pair_features(np.arange(n_p), np.full(n_p, d))

    def partner_rows(self, p: int) -> np.ndarray:
        """Features of every district for partner position ``p``."""
        n_d = len(self.space.d_codes)
        return self.pair_features(np.full(n_d, p), np.arange(n_d))


class _PairOps:
    """Look-ups for arbitrary pairs (gathers)."""

    def __init__(self, state: FeatureState, p_idx: np.ndarray, d_idx: np.ndarray) -> None:
        self.st, self.pi, self.di = state, p_idx, d_idx
        self.prov = state.space.d_prov[d_idx]
        self.n = len(p_idx)

    def p(self, v: np.ndarray) -> np.ndarray:
        return v[self.pi]

    def d(self, v: np.ndarray) -> np.ndarray:
        return v[self.di]

    def pd(self, m: np.ndarray) -> np.ndarray:
        return m[self.pi, self.di]

    def pprov(self, m: np.ndarray) -> np.ndarray:
        return m[self.pi, self.prov]

    def quota(self, m: np.ndarray) -> np.ndarray:
        return m[self.prov, self.st.space.quota[self.pi]]

    def area_dot(self, m: np.ndarray) -> np.ndarray:
        return (self.st.space.areas[self.pi] * m[self.di]).sum(axis=1)


class _BlockOps:
    """Look-ups for all partners x some districts (slices and broadcasts), district-major."""

    def __init__(self, state: FeatureState, d_idx: np.ndarray) -> None:
        self.st, self.di = state, d_idx
        self.np_ = len(state.space.p_names)
        self.prov = state.space.d_prov[d_idx]
        self.n = self.np_ * len(d_idx)

    def p(self, v: np.ndarray) -> np.ndarray:
        reps = (len(self.di),) + (1,) * (v.ndim - 1)
        return np.tile(v, reps)

    def d(self, v: np.ndarray) -> np.ndarray:
        return np.repeat(v[self.di], self.np_, axis=0)

    def pd(self, m: np.ndarray) -> np.ndarray:
        return m[:, self.di].T.ravel()

    def pprov(self, m: np.ndarray) -> np.ndarray:
        return m[:, self.prov].T.ravel()

    def quota(self, m: np.ndarray) -> np.ndarray:
        return m[self.prov][:, self.st.space.quota].ravel()

    def area_dot(self, m: np.ndarray) -> np.ndarray:
        return (self.st.space.areas @ m[self.di].T.astype(np.float32)).T.ravel()
