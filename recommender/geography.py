"""Geography of Indonesia's districts: distances, remoteness, island groups, area needs.

One home for these rules; :mod:`recommender.features` and the synthetic-world simulator
(:mod:`recommender.simulation`) both use them. Pure numpy.
"""

from __future__ import annotations

import numpy as np

from recommender.vocab import AREAS, ISLAND_GROUPS

EARTH_RADIUS_KM = 6371.0


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km between broadcastable arrays of degrees."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def remoteness_km(
    province_codes: np.ndarray, population: np.ndarray, lat: np.ndarray, lon: np.ndarray
) -> np.ndarray:
    """Distance of each district to the most populous district of its province.

    A proxy for the distance to the provincial centre: the reference data has no capitals.
    """
    remote = np.zeros(len(province_codes))
    for p in np.unique(province_codes):
        idx = np.flatnonzero(province_codes == p)
        centre = idx[np.argmax(population[idx])]
        remote[idx] = haversine_km(lat[idx], lon[idx], lat[centre], lon[centre])
    return remote


def island_code(province_code: str) -> str:
    """First digit of the Kemendagri province code; Kepulauan Riau (21) is Sumatera ("1")."""
    return "1" if province_code[0] == "2" else province_code[0]


def island_group(province_code: str) -> str:
    """Name of the island group of a province (``"Sumatera"``, ``"Jawa"``, ...)."""
    return ISLAND_GROUPS[island_code(province_code)]


def area_need_matrix(
    *,
    need: np.ndarray,
    underdeveloped: np.ndarray,
    remoteness: np.ndarray,
    density: np.ndarray,
    burden: np.ndarray,
    imputed: np.ndarray,
) -> np.ndarray:
    """How much each district needs each intervention area (districts x areas, ~z units).

    A documented heuristic from observable facts only (docs/recommender.md): food,
    foster-parent, parenting and campaign needs grow with the prevalence (``need``, a z
    score); WASH, health, economic empowerment with underdevelopment and remoteness; food
    security in rural (sparse) districts; data and capacity building where the district has
    no published figure (``imputed``); funding with the burden. ``remoteness``, ``density``
    and ``burden`` are z scores of the log remoteness, density and burden.
    """
    gap, und, rem, den, bur, imp = need, underdeveloped, remoteness, density, burden, imputed
    cols = {
        "food_supplementation": 0.9 * gap,
        "wash": 0.7 * und - 0.5 * den,
        "parenting_early_childhood": 0.5 * gap + 0.3 * den,
        "behaviour_change_campaign": 0.6 * gap + 0.2 * den,
        "health_services": 0.8 * und + 0.5 * rem,
        "foster_parent_sponsorship": 0.7 * gap + 0.4 * und,
        "economic_empowerment": 0.9 * und - 0.2 * den,
        "food_security_agriculture": -0.6 * den + 0.4 * gap,
        "capacity_building_data": 1.2 * imp - 0.3,
        "funding": 0.7 * bur,
    }
    return np.column_stack([cols[a] for a in AREAS])
