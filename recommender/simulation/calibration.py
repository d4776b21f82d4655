"""How the synthetic history compares with the real reported partnerships.

The real record (``data/reference/real_partnerships.csv``: 225 rows of 138 source names,
224 of them with a district code; no outcomes) is too small to train on, but it can say
where partners went. :func:`compare` measures the same statistics on it and on a generated history:

* ``mean_prevalence``: mean stunting prevalence of the partnered districts (one value per
  distinct partner–district pair);
* ``top_tertile_share``: share of those pairs in the third of districts with the highest
  prevalence;
* ``same_province_share``: for partners with two or more districts, the share of pairs of
  their districts in the same province (averaged over partners);
* ``median_pair_km``: the median over partners of the median distance between two of
  their districts.

The real intervals are 95 % percentile bootstrap intervals over real partners. Synthetic
partners have about four times as many districts as real ones, so for the two clustering
statistics each synthetic partner is cut down to a number of districts drawn from the
real partners' counts. ``python -m recommender.simulation.calibration`` prints the table;
docs/synthetic-data.md quotes it. Pure pandas/numpy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from recommender.geography import haversine_km
from recommender.simulation import (
    Rules,
    generate_catalogue,
    generate_history,
    load_reference_districts,
)

STATISTICS = ("mean_prevalence", "top_tertile_share", "same_province_share", "median_pair_km")


def real_pairs(data_dir: Path | str) -> pd.DataFrame:
    """Distinct ``partner_name, district_code`` pairs of the real reported partnerships."""
    r = pd.read_csv(Path(data_dir) / "real_partnerships.csv", dtype=str)
    r = r.dropna(subset=["district_code"])
    return r[["partner_name", "district_code"]].drop_duplicates().reset_index(drop=True)


class _Districts:
    def __init__(self, districts: pd.DataFrame) -> None:
        self.pos = {str(c): i for i, c in enumerate(districts["code"])}
        self.prev = districts["prevalence"].to_numpy(float)
        self.top = self.prev >= np.quantile(self.prev, 2 / 3)
        self.prov = districts["province_code"].astype(str).to_numpy()
        self.lat = districts["latitude"].to_numpy(float)
        self.lon = districts["longitude"].to_numpy(float)

    def sets(self, pairs: pd.DataFrame) -> list[np.ndarray]:
        """Each partner's distinct district positions."""
        idx = pairs["district_code"].astype(str).map(self.pos)
        ok = pairs.assign(_d=idx).dropna(subset=["_d"])
        return [np.unique(g.to_numpy(int)) for _, g in ok.groupby("partner_name")["_d"]]

    def statistics(self, sets: list[np.ndarray], clustered: list[np.ndarray]) -> dict[str, float]:
        d = np.concatenate(sets)
        same, km = [], []
        for ix in clustered:
            if len(ix) < 2:
                continue
            a, b = np.triu_indices(len(ix), 1)
            same.append((self.prov[ix[a]] == self.prov[ix[b]]).mean())
            km.append(
                np.median(
                    haversine_km(self.lat[ix[a]], self.lon[ix[a]], self.lat[ix[b]], self.lon[ix[b]])
                )
            )
        return {
            "mean_prevalence": float(self.prev[d].mean()),
            "top_tertile_share": float(self.top[d].mean()),
            "same_province_share": float(np.mean(same)),
            "median_pair_km": float(np.median(km)),
        }


def compare(
    districts: pd.DataFrame,
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    n_boot: int = 500,
    n_draws: int = 20,
    seed: int = 0,
) -> pd.DataFrame:
    """Compute the calibration statistics of the real pairs (with intervals) and of ``synthetic``.

    Parameters
    ----------
    districts : pandas.DataFrame
        ``code, province_code, latitude, longitude, prevalence`` of all districts.
    real : pandas.DataFrame
        ``partner_name, district_code`` of the real partnerships (:func:`real_pairs`).
    synthetic : pandas.DataFrame
        A generated history (``partner_name, district_code``, one row per partnership).
    n_boot : int
        Bootstrap resamples of real partners for the intervals.
    n_draws : int
        Random cuts of the synthetic partners to real sizes, averaged.
    seed : int
        Seed of the resampling.

    Returns
    -------
    pandas.DataFrame
        Indexed by statistic: ``real, real_lo, real_hi, synthetic, inside``.
    """
    g = _Districts(districts)
    rng = np.random.default_rng(seed)
    real_sets = g.sets(real)
    point = g.statistics(real_sets, real_sets)
    boots = []
    for _ in range(n_boot):
        pick = [real_sets[i] for i in rng.integers(len(real_sets), size=len(real_sets))]
        boots.append(g.statistics(pick, pick))
    lo, hi = (pd.DataFrame(boots).quantile(q) for q in (0.025, 0.975))
    sizes = np.array([len(s) for s in real_sets if len(s) >= 2])
    syn_sets = g.sets(synthetic.drop_duplicates(["partner_name", "district_code"]))
    draws = []
    for _ in range(n_draws):
        cut = [
            rng.choice(s, min(int(rng.choice(sizes)), len(s)), replace=False)
            for s in syn_sets
            if len(s) >= 2
        ]
        draws.append(g.statistics(syn_sets, cut))
    syn = pd.DataFrame(draws).mean()
    out = pd.DataFrame(
        {"real": pd.Series(point), "real_lo": lo, "real_hi": hi, "synthetic": syn}
    ).loc[list(STATISTICS)]
    out["inside"] = (out["synthetic"] >= out["real_lo"]) & (out["synthetic"] <= out["real_hi"])
    return out


def main() -> None:  # pragma: no cover - a report for docs/synthetic-data.md
    """Print the calibration report of the default synthetic world."""
    data = Path(__file__).resolve().parents[2] / "data" / "reference"
    districts = load_reference_districts(data)
    catalogue = generate_catalogue(districts, seed=20221)
    real = real_pairs(data)
    with pd.option_context("display.width", 120):
        for scale in (1.0, Rules().choice_need_scale):
            history = generate_history(
                districts, catalogue, seed=20221, rules=Rules(choice_need_scale=scale)
            )
            print(f"choice_need_scale={scale}")
            print(compare(districts, real, history).round(3).to_string(), end="\n\n")


if __name__ == "__main__":  # pragma: no cover
    main()
