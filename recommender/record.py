"""The real record as a partner x district graph, and what can be derived from a footprint.

The real record is every partner-district pair that actually happened: partnerships
reported in public sources (``status == "reported"``) and partnerships recorded through
the API once they are past ``proposed`` (active, completed; a cancelled or merely
proposed one is not evidence that the partner works there). Generated (synthetic)
partners and partnerships are never part of it.

:class:`RealRecord` holds the static part (districts, real partners, the known pairs
and their sources); every derived quantity (footprint, scope, distance to the nearest
known district, ...) is computed from a boolean ``known`` matrix, so an evaluation can
hide a pair and recompute everything without it (:meth:`RealRecord.known`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.features import FAR_KM
from recommender.geography import haversine_km, island_group
from recommender.vocab import KINDS

REAL_STATUSES = ("reported", "active", "completed")


def real_history(partners: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of ``history`` that belong to the real record (see the module docstring).

    ``partners`` and ``history`` may carry a ``synthetic`` flag; rows flagged synthetic,
    or of a synthetic partner, are dropped.
    """
    h = history
    if "synthetic" in h:
        h = h[~h["synthetic"].fillna(False).astype(bool)]
    if "synthetic" in partners:
        real = set(partners.loc[~partners["synthetic"].fillna(False).astype(bool), "name"])
        h = h[h["partner_name"].isin(real)]
    return h[h["status"].astype(str).isin(REAL_STATUSES)]


def footprint_scope(kind: str, n_provinces: int, n_districts: int) -> str:
    """Return the seed's rule for a real partner's scope, from its known footprint.

    ``national`` for international organisations or two or more provinces,
    ``provincial`` for two or more districts of one province, else ``local``.
    """
    if kind == "international_org" or n_provinces >= 2:
        return "national"
    return "provincial" if n_districts >= 2 else "local"


def _filled(d: pd.DataFrame, column: str) -> np.ndarray:
    """Return a numeric district column, its median where missing (zeros when absent)."""
    if column not in d:
        return np.zeros(len(d))
    x = pd.to_numeric(d[column], errors="coerce").astype(float)
    return np.asarray(x.fillna(x.median() if x.notna().any() else 0.0).to_numpy())


@dataclass(frozen=True)
class RealRecord:
    """Districts, real partners and the partner-district pairs known to have happened.

    Build it with :meth:`from_frames`. Positions follow ``districts`` and ``partners``.

    Attributes
    ----------
    d_codes, d_prov, d_isl : numpy.ndarray
        District codes, province and island-group positions.
    kota : numpy.ndarray
        Whether the district is a city (kota) rather than a regency (kabupaten).
    log_pop : numpy.ndarray
        Log population (median where unknown).
    prevalence, underdeveloped : numpy.ndarray
        Latest stunting prevalence (median where unknown) and the underdeveloped flag.
    dist : numpy.ndarray
        District x district great-circle distances (km).
    p_names, kind : numpy.ndarray
        Partner names and kind positions in :data:`recommender.vocab.KINDS`.
    pair_p, pair_d : numpy.ndarray
        The known pairs (deduplicated), as positions.
    pair_sources : list of frozenset
        The source URLs each pair was reported by (empty when none is recorded).
    """

    districts: pd.DataFrame
    partners: pd.DataFrame
    d_codes: np.ndarray
    d_prov: np.ndarray
    d_isl: np.ndarray
    kota: np.ndarray
    log_pop: np.ndarray
    dist: np.ndarray
    prevalence: np.ndarray
    underdeveloped: np.ndarray
    p_names: np.ndarray
    kind: np.ndarray
    pair_p: np.ndarray
    pair_d: np.ndarray
    pair_sources: tuple[frozenset[str], ...]
    pair_areas: tuple[tuple[str, ...], ...]

    @classmethod
    def from_frames(
        cls, districts: pd.DataFrame, partners: pd.DataFrame, history: pd.DataFrame
    ) -> RealRecord:
        """Return the real record of ``history`` (frames as in :mod:`recommender.features`).

        ``history`` may carry ``source_url`` (for source blocking) and ``synthetic``;
        only real partners become candidates (``partners.synthetic`` when present).
        """
        d = districts.reset_index(drop=True)
        p = partners
        if "synthetic" in p:
            p = p[~p["synthetic"].fillna(False).astype(bool)]
        p = p.reset_index(drop=True)
        h = real_history(p, history)
        d_pos = {c: i for i, c in enumerate(d["code"].astype(str))}
        p_pos = {n: i for i, n in enumerate(p["name"].astype(str))}
        prov = d["province_code"].astype(str).to_numpy()
        _, d_prov = np.unique(prov, return_inverse=True)
        _, d_isl = np.unique([island_group(c) for c in prov], return_inverse=True)
        lat, lon = d["latitude"].to_numpy(float), d["longitude"].to_numpy(float)
        pop = pd.to_numeric(d["population"], errors="coerce").astype(float)
        kota = (
            d["type"].astype(str).str.lower().eq("kota").to_numpy()
            if "type" in d
            else d["name"].astype(str).str.startswith("Kota ").to_numpy()
        )
        sources: dict[tuple[int, int], set[str]] = {}
        areas: dict[tuple[int, int], set[str]] = {}
        urls = h["source_url"] if "source_url" in h else pd.Series([None] * len(h), index=h.index)
        for name, code, url, ar in zip(
            h["partner_name"], h["district_code"].astype(str), urls, h["areas"], strict=True
        ):
            if name not in p_pos or code not in d_pos:
                continue
            key = (p_pos[name], d_pos[code])
            sources.setdefault(key, set())
            areas.setdefault(key, set()).update(ar if ar is not None else ())
            if isinstance(url, str) and url.strip():
                sources[key].add(url.strip())
        keys = sorted(sources)
        return cls(
            districts=d,
            partners=p,
            d_codes=d["code"].astype(str).to_numpy(),
            d_prov=d_prov,
            d_isl=d_isl,
            kota=kota,
            log_pop=np.log(pop.fillna(pop.median()).clip(lower=1.0).to_numpy()),
            dist=haversine_km(lat[:, None], lon[:, None], lat[None], lon[None]),
            prevalence=_filled(d, "prevalence"),
            underdeveloped=_filled(d, "underdeveloped").astype(bool),
            p_names=p["name"].astype(str).to_numpy(),
            kind=np.array([KINDS.index(k) for k in p["kind"]], int),
            pair_p=np.array([k[0] for k in keys], int),
            pair_d=np.array([k[1] for k in keys], int),
            pair_sources=tuple(frozenset(sources[k]) for k in keys),
            pair_areas=tuple(tuple(sorted(areas[k])) for k in keys),
        )

    @functools.cached_property
    def d_names(self) -> np.ndarray:
        """District names, by position (read once: a pandas lookup per reason is slow)."""
        return self.districts["name"].astype(str).to_numpy()

    @functools.cached_property
    def d_province_names(self) -> np.ndarray:
        """Each district's province name, by position."""
        return self.districts["province_name"].astype(str).to_numpy()

    @property
    def n_partners(self) -> int:
        """Number of candidate partners."""
        return len(self.p_names)

    @property
    def n_districts(self) -> int:
        """Number of districts."""
        return len(self.d_codes)

    @property
    def n_pairs(self) -> int:
        """Number of known real partner-district pairs."""
        return len(self.pair_p)

    def known(self, hidden: np.ndarray | None = None) -> np.ndarray:
        """Partner x district matrix of known pairs, without the pairs in ``hidden``.

        ``hidden`` holds pair positions (into ``pair_p``/``pair_d``).
        """
        a = np.zeros((self.n_partners, self.n_districts), bool)
        keep = np.ones(self.n_pairs, bool)
        if hidden is not None and len(hidden):
            keep[np.asarray(hidden, int)] = False
        a[self.pair_p[keep], self.pair_d[keep]] = True
        return a

    def blocked(self, pair: int) -> np.ndarray:
        """Return the pair and its district's other pairs reported by a source it shares."""
        d, src = self.pair_d[pair], self.pair_sources[pair]
        same = [
            k
            for k in np.flatnonzero(self.pair_d == d)
            if k == pair or (src and self.pair_sources[k] & src)
        ]
        return np.array(sorted(same), int)

    @functools.cached_property
    def p_pos(self) -> dict[str, int]:
        """Partner name -> position."""
        return {str(n): i for i, n in enumerate(self.p_names)}

    @functools.cached_property
    def d_pos(self) -> dict[str, int]:
        """District code -> position."""
        return {str(c): i for i, c in enumerate(self.d_codes)}

    def near_km(self, known: np.ndarray, d: int) -> np.ndarray:
        """Distance from district ``d`` to each partner's nearest known district (km)."""
        m = np.where(known, self.dist[d][None, :], np.inf).min(axis=1)
        return np.where(np.isfinite(m), m, FAR_KM)

    def scope(self, known: np.ndarray) -> np.ndarray:
        """Each partner's scope recomputed from the footprint in ``known``."""
        n_d = known.sum(axis=1)
        n_prov = np.array([len(np.unique(self.d_prov[row])) for row in known])
        return np.array(
            [
                footprint_scope(KINDS[k], int(a), int(b))
                for k, a, b in zip(self.kind, n_prov, n_d, strict=True)
            ]
        )

    def partner_frame(self, known: np.ndarray) -> pd.DataFrame:
        """Return the partners frame with every footprint attribute recomputed from ``known``.

        Districts, provinces, scope and intervention areas: a real partner's areas are
        the union of its reported pairs' areas (the seed's rule), so an area that only a
        pair missing from ``known`` reported is dropped; areas a partner declared that no
        pair of it reports (a partner created through the API) are kept.
        """
        p = self.partners.copy()
        prov_code = self.districts["province_code"].astype(str).to_numpy()
        p["district_codes"] = [sorted(self.d_codes[row].tolist()) for row in known]
        p["province_codes"] = [sorted(set(prov_code[row].tolist())) for row in known]
        p["scope"] = self.scope(known)
        reported: list[set[str]] = [set() for _ in range(self.n_partners)]
        kept: list[set[str]] = [set() for _ in range(self.n_partners)]
        for k in range(self.n_pairs):
            pp, dd = int(self.pair_p[k]), int(self.pair_d[k])
            reported[pp].update(self.pair_areas[k])
            if known[pp, dd]:
                kept[pp].update(self.pair_areas[k])
        declared = [set(a) if a is not None else set() for a in p["areas"]]
        p["areas"] = [sorted((d - r) | k) for d, r, k in zip(declared, reported, kept, strict=True)]
        return p

    def history_frame(self, hidden: np.ndarray | None = None) -> pd.DataFrame:
        """Return the known pairs as reported partnerships (no dates), without ``hidden``."""
        keep = np.ones(self.n_pairs, bool)
        if hidden is not None and len(hidden):
            keep[np.asarray(hidden, int)] = False
        idx = np.flatnonzero(keep)
        return pd.DataFrame(
            {
                "partner_name": self.p_names[self.pair_p[idx]],
                "district_code": self.d_codes[self.pair_d[idx]],
                "areas": [list(self.pair_areas[k]) for k in idx],
                "start_date": None,
                "end_date": None,
                "duration_months": np.nan,
                "status": "reported",
            }
        )
