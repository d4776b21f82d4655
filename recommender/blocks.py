"""Linear scores of whole partner x district blocks without building pair features.

A linear scorer's score ``x @ w + b`` over the columns of :data:`~recommender.features.FEATURES`
decomposes by what each column depends on, so the pair matrix of 53 columns is never
materialised:

- district-only and partner-only columns (and the two halves of ``capacity``) add one
  number per district and one per partner (an outer sum);
- columns that depend on the partner and the district's **province** (in the province,
  same island, sites in the province, province track record and share, the quota gap)
  add a partners x provinces table, gathered by each district's province;
- columns of the partner's areas against the district's needs and coverage, and the
  ``*_gap`` interactions, are a rank-9 product (areas and the gap);
- the distance columns (``log_near_km``, ``near_100km`` and their interactions) are two
  districts x partners float32 matrices, each times a per-partner coefficient;
- on-site and history columns (worked before, active now, district track) are sparse:
  only the pairs where they are not zero are added.

The weight-free parts are built once per :class:`~recommender.features.FeatureState`
(:attr:`FeatureState.blocks`; the distance matrices once per space), the weight-dependent
coefficients once per weight vector. Scores are accumulated in float64 and equal
``pair_features(p, d) @ w + b`` up to the float32 rounding of the features themselves
(``tests/recommender/test_blocks.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import ThreadpoolController

from recommender.features import COL, DISTRICT_FEATURES, PARTNER_FEATURES
from recommender.vocab import KINDS

if TYPE_CHECKING:
    from recommender.features import FeatureSpace, FeatureState

_ND, _NP = len(DISTRICT_FEATURES), len(PARTNER_FEATURES)
_CACHED_WEIGHTS = 4  # weight vectors whose coefficients a state keeps
_blas: list[ThreadpoolController] = []  # created on first use (it inspects the loaded libraries)


def _one_blas_thread() -> object:
    """Return a context in which BLAS runs on one thread.

    The products here are small; with OpenBLAS's threads on a busy machine they took 10x
    longer (threads spinning for a core), and the service runs them from worker threads.
    The limit is process-wide: two threads overlapping may leave BLAS on one thread, which
    is what a web worker wants anyway.
    """
    if not _blas:
        _blas.append(ThreadpoolController())
    return _blas[0].limit(limits=1, user_api="blas")


def _by_district(d: np.ndarray, p: np.ndarray, n_d: int) -> tuple[np.ndarray, ...]:
    """Sort pair positions by district; return ``(d, p, indptr)``, rows of ``d`` in ``indptr``."""
    order = np.lexsort((p, d))
    d, p = d[order], p[order]
    return d, p, np.searchsorted(d, np.arange(n_d + 1))


@dataclass(frozen=True)
class SpaceBlocks:
    """Weight-free, history-free parts of a :class:`FeatureSpace`, district-major."""

    log_near: np.ndarray  # D x P float32: log1p(km to the partner's nearest site)
    near: np.ndarray  # D x P float32: min(km, 1500) / 100
    site_d: np.ndarray  # on-site pairs sorted by district
    site_p: np.ndarray
    site_ptr: np.ndarray  # D + 1: the on-site pairs of district d are site_ptr[d]:site_ptr[d+1]
    prov_first: np.ndarray  # one district position per province

    @classmethod
    def of(cls, s: FeatureSpace) -> SpaceBlocks:
        """Build the blocks of ``s`` (the same float32 values as :mod:`recommender.pairs`)."""
        km = np.ascontiguousarray(s.near_km.T)
        log_near = np.log1p(km)
        near = np.minimum(km, 1500.0, out=km)
        near /= 100.0
        pp, dd = np.nonzero(s.site)
        site_d, site_p, ptr = _by_district(dd, pp, len(s.d_codes))
        first = np.zeros(len(s.prov_codes), int)
        first[s.d_prov[::-1]] = np.arange(len(s.d_prov))[::-1]
        return cls(log_near, near, site_d, site_p, ptr, first)


@dataclass(frozen=True)
class LinearBlocks:
    """The coefficients of one weight vector over one state's blocks."""

    by_prov: np.ndarray  # K x P: province-level columns, plus the partner-only part
    left: np.ndarray  # D x (A + 2): district side of the low-rank product
    right: np.ndarray  # P x (A + 2): partner side
    a_log_near: np.ndarray  # P: coefficient of log_near per partner
    a_near: np.ndarray  # P: coefficient of near per partner
    site_val: np.ndarray  # per on-site pair (order of SpaceBlocks.site_*)
    hist_val: np.ndarray  # per history pair (order of StateBlocks.hist_*)


class StateBlocks:
    """Weight-free parts of a :class:`FeatureState`; scores any linear weight vector.

    Built by :attr:`FeatureState.blocks`, once per state.
    """

    def __init__(self, state: FeatureState) -> None:
        s = state.space
        self.state = state
        self.space = s.blocks
        self.n_p, self.n_d = len(s.p_names), len(s.d_codes)
        pp, dd = np.nonzero((state.pd_count > 0) | state.active_pd)
        self.hist_d, self.hist_p, self.hist_ptr = _by_district(dd, pp, self.n_d)
        self.hist_worked = state.worked[self.hist_p, self.hist_d].astype(float)
        self.hist_active = state.active_pd[self.hist_p, self.hist_d].astype(float)
        self.hist_log_count = np.log1p(state.pd_count[self.hist_p, self.hist_d]).astype(float)
        self._linear: dict[tuple[bytes, float], LinearBlocks] = {}

    def linear(self, w: np.ndarray, b: float) -> LinearBlocks:
        """Coefficients of weights ``w`` and intercept ``b`` (cached for a few weight vectors)."""
        key = (np.asarray(w, np.float64).tobytes(), float(b))
        got = self._linear.get(key)
        if got is None:
            got = self._coefficients(np.asarray(w, np.float64), float(b))
            if len(self._linear) >= _CACHED_WEIGHTS:
                self._linear.clear()  # rare (a few models per state); safe across threads
            self._linear[key] = got
        return got

    def _coefficients(self, w: np.ndarray, b: float) -> LinearBlocks:
        st, s, sb = self.state, self.state.space, self.space

        def c(name: str) -> float:
            return float(w[COL[name]])

        company = (s.kind <= 1).astype(float)
        media = (s.kind == KINDS.index("media")).astype(float)
        local = (s.scope == "local").astype(float)
        national = (s.scope == "national").astype(float)
        nat_res = s.natural_resource.astype(float)
        # partner-only: its columns, capacity's budget half, the intercept
        dblock = st._district_block.astype(float)
        pblock = st._partner_block.astype(float)
        p_part = pblock @ w[_ND : _ND + _NP] + c("capacity") * s.log_budget + b
        d_part = dblock @ w[:_ND] - c("capacity") * dblock[:, COL["log_burden"]]
        # province-level columns, partners x provinces (read at each province's first district)
        first = sb.prov_first
        in_prov = s.inprov[:, first].astype(float)
        island = s.island[:, first].astype(float)
        prov_track = st.prov_track.astype(float)
        by_prov = (
            (
                c("in_province")
                + c("company_in_province") * company
                + c("media_in_province") * media
            )[:, None]
            * in_prov
            + c("same_island") * island
            + c("log_sites_in_province") * np.log1p(s.sites_in_prov.astype(float))
            + c("log_province_track") * np.log1p(prov_track)
            + c("province_share") * prov_track / np.maximum(st.total, 1.0)[:, None]
            + c("quota_gap") * st.quota_gap.T[s.quota] * s.fills_quota
            + p_part[:, None]
        )
        # low rank: the partner's areas (normalised) against need and coverage, the gap
        n_areas = np.maximum(s.areas.sum(axis=1), 1.0).astype(float)
        area_side = s.areas.astype(float) / n_areas[:, None]
        need_fit = s.need - 0.5 * np.log1p(st.coverage.astype(float))
        uncovered = (st.coverage == 0).astype(float)
        gap = dblock[:, COL["gap_to_target"]]
        gap_coef = c("nonprofit_gap") * (1.0 - company) + c("company_gap") * company
        left = np.column_stack(
            [c("area_need_fit") * need_fit + c("uncovered_share") * uncovered, gap, d_part]
        )
        right = np.column_stack([area_side, gap_coef, np.ones(self.n_p)])
        a_log_near = (
            c("log_near_km") + c("local_log_near_km") * local + c("national_log_near_km") * national
        )
        a_near = (
            c("near_100km")
            + c("company_near_100km") * company
            + c("local_near_100km") * local
            + c("national_near_100km") * national
        )
        on_site = (
            c("on_site") + c("company_on_site") * company + c("natural_resource_on_site") * nat_res
        )
        hist_val = (
            c("worked_before") * self.hist_worked
            + c("active_now") * self.hist_active
            + c("log_district_track") * self.hist_log_count
        )
        return LinearBlocks(
            np.ascontiguousarray(by_prov.T),
            np.ascontiguousarray(left),
            np.ascontiguousarray(right.T),
            a_log_near,
            a_near,
            on_site[sb.site_p],
            hist_val,
        )

    def scores(self, w: np.ndarray, b: float, lo: int, hi: int) -> np.ndarray:
        """Scores ``x @ w + b`` of every partner for districts ``lo:hi`` (float64, rows x P)."""
        with _one_blas_thread():  # type: ignore[attr-defined]
            return self._scores(w, b, lo, hi)

    def _scores(self, w: np.ndarray, b: float, lo: int, hi: int) -> np.ndarray:
        lb, sb, s = self.linear(w, b), self.space, self.state.space
        out: np.ndarray = lb.left[lo:hi] @ lb.right
        out += lb.by_prov[s.d_prov[lo:hi]]
        tmp = np.multiply(sb.log_near[lo:hi], lb.a_log_near)
        out += tmp
        np.multiply(sb.near[lo:hi], lb.a_near, out=tmp)
        out += tmp
        for d, p, ptr, val in (
            (sb.site_d, sb.site_p, sb.site_ptr, lb.site_val),
            (self.hist_d, self.hist_p, self.hist_ptr, lb.hist_val),
        ):
            k = slice(ptr[lo], ptr[hi])
            out[d[k] - lo, p[k]] += val[k]  # pairs are unique: no np.add.at needed
        return out

    def score_matrix(
        self, w: np.ndarray, b: float, d_idx: np.ndarray, rows: int = 32
    ) -> np.ndarray:
        """Scores of every partner for each district in ``d_idx`` (float32, districts x partners).

        Runs of consecutive districts are scored ``rows`` at a time (the chunk stays in cache).
        """
        out = np.empty((len(d_idx), self.n_p), np.float32)
        i = 0
        with _one_blas_thread():  # type: ignore[attr-defined]
            while i < len(d_idx):
                j = i + 1
                while j < len(d_idx) and j - i < rows and d_idx[j] == d_idx[j - 1] + 1:
                    j += 1
                out[i:j] = self._scores(w, b, int(d_idx[i]), int(d_idx[i]) + (j - i))
                i = j
        return out
