"""District need profiles, partner profiles and partner–district pair features.

Input frames (the service builds them from the database; tests from CSVs):

``districts``
    ``code, province_code, province_name, name, latitude, longitude, population,
    area_km2, underdeveloped, prevalence, prevalence_imputed`` and optionally
    ``prevalence_survey`` (e.g. "SSGI 2022"), ``prevalence_2021`` and ``type``.
``partners``
    ``name`` (unique key), ``kind, scope, annual_budget_idr, typical_commitment_months,
    areas, province_codes, district_codes`` (lists) and optionally ``sector`` (free text;
    natural-resource companies are flagged, see :func:`recommender.vocab.natural_resource_sector`)
    and ``local_media_provinces`` (list: the provinces where a media partner counts as
    local media, the service's rule in ``service.domain.local_media``; without the column
    a media partner is local media where it operates unless its scope is national).
``history``
    ``partner_name, district_code, areas, start_date, end_date, duration_months, status``.

:class:`FeatureSpace` holds what does not change with time (geography, partner
profile); :meth:`FeatureSpace.at` adds what the history says as of a date
(coverage, track record, who already works where) and returns a :class:`FeatureState`
whose :meth:`FeatureState.pair_features` builds the pair matrix for any index arrays,
vectorised with numpy (:mod:`recommender.pairs`). The district need profile is
:mod:`recommender.need`'s, the outcome rules :mod:`recommender.outcomes`'. See
``docs/recommender.md`` for every feature.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

# The feature list is written once, with its factors, in feature_names (re-exported here).
from recommender.feature_names import COL as COL
from recommender.feature_names import DISTRICT_FEATURES as DISTRICT_FEATURES
from recommender.feature_names import FEATURES as FEATURES
from recommender.feature_names import PAIR_FEATURES as PAIR_FEATURES
from recommender.feature_names import PARTNER_FEATURES as PARTNER_FEATURES
from recommender.geography import haversine_km, island_code
from recommender.need import area_needs, district_need_profile
from recommender.outcomes import as_days, commitments_known, lasted
from recommender.vocab import (
    AREAS,
    KINDS,
    QUOTA_TARGETS,
    natural_resource_sector,
    quota_category,
)

if TYPE_CHECKING:
    from recommender.blocks import SpaceBlocks, StateBlocks

QUOTAS = tuple(QUOTA_TARGETS)
FAR_KM = 3000.0  # distance used when a partner has no known site
PRIOR_SUCCESS = 0.6  # prior share of partnerships lasting >= 6 months (smoothing)
PRIOR_WEIGHT = 2.0

# Bump when a feature's meaning changes without its name changing: a model trained on an
# older version is refused at load (recommender.registry) and retrained by ``mitra setup``.
# (A model trained on another list of features is refused too, without a bump.)
# 1: first version. 2: quota_gap counts campaign commitments (commitments_known), not
# partners with any active partnership. 3: the artifact carries the real-record rankers
# (``LearnedRanker.real_``, recommender.real_model) the service ranks real partners with.
# 4: quota_gap counts a media partner towards the local-media quota only where it is
# local media (``local_media_provinces``), not every media partner everywhere.
# 5: the real-record logit's choice features add the profile of the partner's known
# districts (recommender.choice: type, population, prevalence, underdeveloped status).
FEATURE_VERSION = 5


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
        self._columns: dict[str, dict[str, np.ndarray]] = {}
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
        # partners x provinces: does the partner fill its campaign quota there? Media only
        # where they are local media; a national outlet fills no local-media quota.
        media = self.kind == KINDS.index("media")
        if "local_media_provinces" in p:
            local_media = np.array(
                [
                    np.isin(self.prov_codes, list(c) if c is not None else [])
                    for c in p["local_media_provinces"]
                ],
                bool,
            ).reshape(n_p, len(self.prov_codes))
        else:
            local_media = in_prov & (self.scope != "national")[:, None]
        self.fills_quota = ~media[:, None] | local_media
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

    def columns(self, frame: str) -> dict[str, np.ndarray]:
        """Columns of ``districts``, ``partners`` or ``profile`` as numpy arrays, built once.

        Reading cells from these is what the reasons' sentences do, ten rows per request;
        pandas took ~50 us a cell.
        """
        got = self._columns.get(frame)
        if got is None:
            df = {"districts": self.districts, "partners": self.partners}.get(frame, self.profile)
            got = self._columns[frame] = {str(c): df[c].to_numpy() for c in df.columns}
        return got

    @functools.cached_property
    def blocks(self) -> SpaceBlocks:
        """The distance matrices and on-site pairs, district-major (:mod:`recommender.blocks`)."""
        from recommender.blocks import SpaceBlocks

        return SpaceBlocks.of(self)

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
        """Compute the dynamic part of the features as of ``as_of`` (history strictly before it)."""
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
        start, end = as_days(h["start_date"]), as_days(h["end_date"])
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
        # the province's share of the track record: partnerships with a known outcome only,
        # so "k of them in <province>" never exceeds the n it refers to
        self.track_prov = np.zeros((n_p, len(s.prov_codes)), np.float32)
        np.add.at(self.track_prov, (pi[known], s.d_prov[di[known]]), 1.0)
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
        ap = ap[s.fills_quota[ap[:, 0], ap[:, 1]]] if len(ap) else ap
        if len(ap):
            np.add.at(filled, (ap[:, 1], s.quota[ap[:, 0]]), 1.0)
        targets = np.array([QUOTA_TARGETS[q] for q in QUOTAS], float)
        self.quota_filled = filled
        self.quota_gap = np.maximum(targets - filled, 0.0) / targets
        self._partner_block = self._partner_columns()
        self._district_block = self._district_columns()

    @functools.cached_property
    def blocks(self) -> StateBlocks:
        """Linear scores of whole blocks without pair features, built once per state."""
        from recommender.blocks import StateBlocks

        return StateBlocks(self)

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
        from recommender.pairs import PairOps, assemble  # pairs reads this module's columns

        return assemble(self, PairOps(self, np.asarray(p_idx), np.asarray(d_idx)))

    def block_features(self, d_idx: np.ndarray) -> np.ndarray:
        """Features of every partner for each district in ``d_idx``, district-major.

        Row ``i * n_partners + p`` is the pair (p, d_idx[i]); the same numbers as
        :meth:`pair_features` with tiled indices, built by slicing instead of gathering.
        """
        from recommender.pairs import BlockOps, assemble

        return assemble(self, BlockOps(self, np.asarray(d_idx)))

    def district_rows(self, d: int) -> np.ndarray:
        """Features of every partner for district position ``d``."""
        n_p = len(self.space.p_names)
        return self.pair_features(np.arange(n_p), np.full(n_p, d))

    def partner_rows(self, p: int) -> np.ndarray:
        """Features of every district for partner position ``p``."""
        n_d = len(self.space.d_codes)
        return self.pair_features(np.full(n_d, p), np.arange(n_d))
