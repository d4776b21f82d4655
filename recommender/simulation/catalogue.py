"""Synthetic partners: a catalogue of invented organisations working in real districts.

Part of :mod:`recommender.simulation`; every name ends in ``" (synthetic)"`` and every
description starts with :data:`~recommender.simulation.world.DESCRIPTION_PREFIX`. The
kinds' profiles live in :mod:`~recommender.simulation.profiles`, the names in
:mod:`~recommender.simulation.names`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.simulation.names import fictional_name, name_stems
from recommender.simulation.profiles import CONSUMER, EXTRACTIVE, PROFILES, SECTOR_SITES
from recommender.simulation.world import (
    DESCRIPTION_PREFIX,
    SYNTHETIC_SUFFIX,
    Geo,
    district_geo,
)
from recommender.vocab import AREAS, COMPANY_KINDS, SCOPES


def _site_weights(g: Geo, sector: str) -> np.ndarray:
    provs, style = SECTOR_SITES.get(sector, ((), CONSUMER))
    if style == EXTRACTIVE:
        w = np.sqrt(g.area) * np.where(g.is_kota, 0.05, 1.0)
    else:
        w = g.pop**0.8 * np.where(g.is_kota, 2.0, 1.0)
    if provs:
        w = w * np.where(np.isin(g.prov, provs), 1.0, 0.02 if style == EXTRACTIVE else 0.15)
    return np.asarray(w / w.sum())


def _choose(rng: np.random.Generator, w: np.ndarray, k: int) -> np.ndarray:
    k = min(k, int((w > 0).sum()))
    return rng.choice(len(w), size=k, replace=False, p=w / w.sum())


def generate_catalogue(districts: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    """Invent a catalogue of synthetic partners operating in real districts.

    Parameters
    ----------
    districts : pandas.DataFrame
        One row per district with ``code, province_code, latitude, longitude,
        population, area_km2, underdeveloped, prevalence, prevalence_imputed``;
        ``short_name`` and ``type`` are used when present.
    seed : int
        Seed of the numpy random generator; the same seed gives the same frame.

    Returns
    -------
    pandas.DataFrame
        One row per partner: ``name, kind, sector, scope, headquarters,
        annual_budget_idr, typical_commitment_months, description, website, areas,
        province_codes, district_codes``.
    """
    rng = np.random.default_rng([seed, 1])
    g = district_geo(districts)
    short = districts["short_name"].astype(str).to_numpy() if "short_name" in districts else g.codes
    n_total = sum(p.count for p in PROFILES.values())
    stems = name_stems(rng, n_total)
    pop_w = g.pop**0.7
    prov_codes = np.unique(g.prov)
    prov_pop = np.array([g.pop[g.prov == p].sum() for p in prov_codes])
    big_city = np.where(g.is_kota, g.pop, g.pop * 0.2) ** 1.5
    in_jakarta = np.where(g.prov == "31", big_city, 0.0)

    def jakarta() -> int:
        return int(rng.choice(len(in_jakarta), p=in_jakarta / in_jakarta.sum()))

    rows: list[dict[str, object]] = []
    names: set[str] = set()
    for kind, prof in PROFILES.items():
        area_w = np.array([prof.area_w.get(a, 0.0) for a in AREAS])
        for _ in range(prof.count):
            stem = stems[len(rows)]
            scope = SCOPES[rng.choice(3, p=prof.scope_p)]
            sector = prof.sectors[rng.integers(len(prof.sectors))]
            is_company = kind in COMPANY_KINDS
            if is_company:
                w = _site_weights(g, sector)
                if scope == "national":
                    sites = _choose(rng, w, int(rng.integers(4, 13)))
                else:
                    home = g.prov[rng.choice(len(w), p=w)]
                    wp = np.where(g.prov == home, w, 0.0)
                    k = (
                        int(rng.integers(1, 5))
                        if scope == "provincial"
                        else int(rng.integers(1, 3))
                    )
                    sites = _choose(rng, wp, k)
                hq = jakarta() if scope == "national" and rng.random() < 0.7 else sites[0]
            else:
                if scope == "national":
                    hq = (
                        jakarta()
                        if rng.random() < 0.7
                        else rng.choice(len(g.pop), p=big_city / big_city.sum())
                    )
                    # field offices where stunting is high
                    w = np.exp(0.8 * g.need) * pop_w
                    sites = np.concatenate([[hq], _choose(rng, w, int(rng.integers(2, 9)))])
                elif scope == "provincial":
                    home = prov_codes[rng.choice(len(prov_codes), p=prov_pop / prov_pop.sum())]
                    idx = np.flatnonzero(g.prov == home)
                    hq = idx[np.argmax(big_city[idx])] if rng.random() < 0.7 else rng.choice(idx)
                    w = np.where(g.prov == home, np.exp(0.5 * g.need), 0.0)
                    sites = np.concatenate([[hq], _choose(rng, w, int(rng.integers(1, 5)))])
                else:
                    hq = rng.choice(len(pop_w), p=pop_w / pop_w.sum())
                    near = np.argsort(np.where(g.prov == g.prov[hq], g.dist[hq], np.inf))
                    sites = np.concatenate([[hq], near[1 : 1 + int(rng.integers(0, 3))]])
            sites = np.unique(sites)
            provs = sorted(set(g.prov[sites]))
            if scope == "provincial" and not is_company and rng.random() < 0.2:
                nearest = g.prov[np.argsort(g.dist[hq])]
                provs = sorted(set(provs) | {next(p for p in nearest if p not in provs)})
            n_areas = int(rng.integers(1, 4)) + (kind in ("international_org", "ngo"))
            areas = [AREAS[i] for i in sorted(_choose(rng, area_w, n_areas))]
            scope_budget = {"national": 0.6, "provincial": 0.0, "local": -0.6}[scope]
            budget = 10 ** (prof.budget_log10 + scope_budget + rng.normal(0, 0.35))
            lo, hi = prof.commitment
            name = fictional_name(rng, stem, kind, sector) + SYNTHETIC_SUFFIX
            assert name not in names
            names.add(name)
            rows.append(
                {
                    "name": name,
                    "kind": kind,
                    "sector": sector,
                    "scope": scope,
                    "headquarters": str(short[hq]),
                    "annual_budget_idr": int(round(budget, -6)),
                    "typical_commitment_months": int(rng.integers(lo, hi + 1)),
                    "description": f"{DESCRIPTION_PREFIX} A {scope} {kind.replace('_', ' ')} "
                    f"({sector.replace('_', ' ')}) working on "
                    f"{', '.join(a.replace('_', ' ') for a in areas)}.",
                    "website": None,
                    "areas": areas,
                    "province_codes": provs,
                    "district_codes": [str(c) for c in g.codes[sites]],
                }
            )
    return pd.DataFrame(rows)
