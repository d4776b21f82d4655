"""District need: the static need profile of each district and its need per intervention area."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.geography import area_need_matrix, remoteness_km
from recommender.vocab import STUNTING_TARGET_PCT


def _z(x: np.ndarray) -> np.ndarray:
    sd = float(np.nanstd(x))
    return np.asarray((x - np.nanmean(x)) / (sd if sd > 0 else 1.0))


def district_need_profile(districts: pd.DataFrame) -> pd.DataFrame:
    """Build the static need profile of each district (prevalence, gap, trend, burden, remoteness).

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
