"""Scoring speed with 10,000 partners: ``python -m recommender.bench [data/reference]``.

Prints the time to rank all partners for one district and to score 514 districts x
10,000 partners with the learned ranker, each next to a numpy floor measured in the same
run: the plain matrix product of the same feature matrices with the weight vector (the
features built untimed). The ranker scores from the state's blocks
(:mod:`recommender.blocks`), built once per data version; their build is timed apart.
The districts are the simulator's (:func:`recommender.simulation.load_reference_districts`);
10,000 partners and their history are random, generated here. Targets (issue 12):
<= 2 ms and <= 100 ms.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from recommender.features import FeatureSpace
from recommender.model import LearnedRanker
from recommender.simulation import load_reference_districts
from recommender.vocab import AREAS, KINDS, SCOPES


def random_partners(districts: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Invent ``n`` partners on random districts for the timing bench (not the simulator)."""
    codes = districts["code"].to_numpy()
    sites = [list(rng.choice(codes, int(rng.integers(1, 9)), replace=False)) for _ in range(n)]
    return pd.DataFrame(
        {
            "name": [f"Bench partner {i}" for i in range(n)],
            "kind": rng.choice(KINDS, n),
            "scope": rng.choice(SCOPES, n),
            "annual_budget_idr": (10 ** rng.uniform(8, 11, n)).astype(np.int64),
            "typical_commitment_months": rng.integers(3, 25, n),
            "areas": [
                list(rng.choice(AREAS, int(rng.integers(1, 4)), replace=False)) for _ in range(n)
            ],
            "district_codes": sites,
            "province_codes": [sorted({c[:2] for c in s}) for s in sites],
        }
    )


def random_history(
    partners: pd.DataFrame, districts: pd.DataFrame, n: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Invent ``n`` random partnerships among ``partners`` for the timing bench."""
    start = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 5 * 365, n), "D")
    dur = rng.integers(1, 30, n)
    return pd.DataFrame(
        {
            "partner_name": rng.choice(partners["name"].to_numpy(), n),
            "district_code": rng.choice(districts["code"].to_numpy(), n),
            "areas": [[a] for a in rng.choice(AREAS, n)],
            "start_date": start.date,
            "end_date": (start + pd.to_timedelta(dur * 30, "D")).date,
            "duration_months": dur,
            "status": rng.choice(["completed", "cancelled"], n, p=[0.8, 0.2]),
        }
    )


def _best_ms(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return 1000 * min(times)


def run(data_dir: Path, n_partners: int = 10_000, seed: int = 0) -> dict[str, float]:
    """Build the bench data, fit a ranker, time both tasks; returns the figures.

    BLAS runs on one thread throughout, floors included: on a shared machine OpenBLAS's
    spinning threads made a 10,000 x 53 product 100x slower than on one thread.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _run(data_dir, n_partners, seed)


def _run(data_dir: Path, n_partners: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    districts = load_reference_districts(data_dir)
    partners = random_partners(districts, n_partners, rng)
    history = random_history(partners, districts, 4000, rng)
    t = time.perf_counter()
    space = FeatureSpace(districts, partners)
    prep = time.perf_counter() - t
    as_of = dt.date(2024, 1, 1)
    ranker = LearnedRanker(negatives=4).fit(space, history, until=as_of)
    t = time.perf_counter()
    state = space.at(history, as_of)
    state_ms = 1000 * (time.perf_counter() - t)
    w = ranker.weights_
    t = time.perf_counter()
    state.blocks.linear(w, ranker.intercept_)  # once per data version (and model)
    blocks_ms = 1000 * (time.perf_counter() - t)

    def rank_one() -> np.ndarray:
        return np.argsort(-ranker.score_district(state, 200))

    one_ms = _best_ms(rank_one, 20)
    x1 = state.district_rows(200)
    floor_one = _best_ms(lambda: x1 @ w, 20)

    all_ms = _best_ms(lambda: ranker.score_matrix(state), 5)
    # floor: the same product over the same chunks of features, features built untimed
    n_d, per = len(space.d_codes), max(100_000 // n_partners, 1)
    floor_all = 0.0
    for lo in range(0, n_d, per):
        dd = np.arange(lo, min(lo + per, n_d))
        x = state.block_features(dd)
        t = time.perf_counter()
        x @ w
        floor_all += time.perf_counter() - t
    floor_all *= 1000
    return {
        "partners": n_partners,
        "prepare_space_ms": 1000 * prep,
        "prepare_state_ms": state_ms,
        "prepare_blocks_ms": blocks_ms,
        "rank_one_district_ms": one_ms,
        "rank_one_floor_ms": floor_one,
        "score_all_ms": all_ms,
        "score_all_floor_ms": floor_all,
    }


def main(argv: list[str] | None = None) -> None:
    """Run the bench on the reference data in ``argv[0]`` (default data/reference) and print it."""
    args = sys.argv[1:] if argv is None else argv
    data_dir = Path(args[0]) if args else Path("data/reference")
    r = run(data_dir)
    print(
        f"partners: {r['partners']:,}; built once per data version: feature space "
        f"{r['prepare_space_ms']:.0f} ms, state {r['prepare_state_ms']:.0f} ms, "
        f"score blocks {r['prepare_blocks_ms']:.0f} ms"
    )
    one, one_floor = r["rank_one_district_ms"], r["rank_one_floor_ms"]
    print(
        f"rank all partners for one district: {one:.2f} ms "
        f"(numpy floor {one_floor:.3f} ms, {one / one_floor:.1f}x the floor; "
        f"target <= 2 ms: {'met' if one <= 2 else 'NOT met'})"
    )
    all_, all_floor = r["score_all_ms"], r["score_all_floor_ms"]
    print(
        f"score 514 districts x {r['partners']:,} partners: {all_:.0f} ms "
        f"(numpy floor {all_floor:.0f} ms, {all_ / all_floor:.2f}x the floor; "
        f"target <= 100 ms: {'met' if all_ <= 100 else 'NOT met'})"
    )
    print(
        "(best of 20 and of 5 runs, BLAS on one thread; the floor is x @ w over the "
        "materialised pair features, built untimed)"
    )


if __name__ == "__main__":
    main()
