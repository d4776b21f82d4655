"""Pair features: the columns of a partner-district pair, for any pairs or whole blocks.

:func:`assemble` writes every column of :data:`~recommender.features.FEATURES` once, reading
the arrays of a :class:`~recommender.features.FeatureState` through look-ups that either
gather arbitrary pairs (:class:`PairOps`) or slice all partners for some districts
(:class:`BlockOps`), so both give the same numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from recommender.features import COL, DISTRICT_FEATURES, FEATURES, PARTNER_FEATURES
from recommender.vocab import KINDS

if TYPE_CHECKING:
    from recommender.features import FeatureState


def assemble(state: FeatureState, o: PairOps | BlockOps) -> np.ndarray:
    """Build the feature matrix of the pairs ``o`` selects, columns in :data:`FEATURES` order."""
    self = state
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
        o.quota(self.quota_gap) * o.pprov(s.fills_quota),
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


class PairOps:
    """Look-ups for arbitrary pairs (gathers)."""

    def __init__(self, state: FeatureState, p_idx: np.ndarray, d_idx: np.ndarray) -> None:
        self.st, self.pi, self.di = state, p_idx, d_idx
        self.prov = state.space.d_prov[d_idx]
        self.n = len(p_idx)

    def p(self, v: np.ndarray) -> np.ndarray:
        """Per-partner array ``v`` at each selected pair."""
        return np.asarray(v[self.pi])

    def d(self, v: np.ndarray) -> np.ndarray:
        """Per-district array ``v`` at each selected pair."""
        return np.asarray(v[self.di])

    def pd(self, m: np.ndarray) -> np.ndarray:
        """Partners x districts matrix ``m`` at each selected pair."""
        return np.asarray(m[self.pi, self.di])

    def pprov(self, m: np.ndarray) -> np.ndarray:
        """Partners x provinces matrix ``m`` at each pair's partner and province."""
        return np.asarray(m[self.pi, self.prov])

    def quota(self, m: np.ndarray) -> np.ndarray:
        """Provinces x quota categories ``m`` at each pair's province and partner category."""
        return np.asarray(m[self.prov, self.st.space.quota[self.pi]])

    def area_dot(self, m: np.ndarray) -> np.ndarray:
        """Each pair's partner areas dotted with district row of ``m`` (districts x areas)."""
        return np.asarray((self.st.space.areas[self.pi] * m[self.di]).sum(axis=1))


class BlockOps:
    """Look-ups for all partners x some districts (slices and broadcasts), district-major."""

    def __init__(self, state: FeatureState, d_idx: np.ndarray) -> None:
        self.st, self.di = state, d_idx
        self.np_ = len(state.space.p_names)
        self.prov = state.space.d_prov[d_idx]
        self.n = self.np_ * len(d_idx)

    def p(self, v: np.ndarray) -> np.ndarray:
        """Per-partner array ``v`` at each selected pair."""
        reps = (len(self.di),) + (1,) * (v.ndim - 1)
        return np.tile(v, reps)

    def d(self, v: np.ndarray) -> np.ndarray:
        """Per-district array ``v`` at each selected pair."""
        return np.asarray(np.repeat(v[self.di], self.np_, axis=0))

    def pd(self, m: np.ndarray) -> np.ndarray:
        """Partners x districts matrix ``m`` at each selected pair."""
        return np.asarray(m[:, self.di].T.ravel())

    def pprov(self, m: np.ndarray) -> np.ndarray:
        """Partners x provinces matrix ``m`` at each pair's partner and province."""
        return np.asarray(m[:, self.prov].T.ravel())

    def quota(self, m: np.ndarray) -> np.ndarray:
        """Provinces x quota categories ``m`` at each pair's province and partner category."""
        return np.asarray(m[self.prov][:, self.st.space.quota].ravel())

    def area_dot(self, m: np.ndarray) -> np.ndarray:
        """Each pair's partner areas dotted with district row of ``m`` (districts x areas)."""
        return np.asarray((self.st.space.areas @ m[self.di].T.astype(np.float32)).T.ravel())
