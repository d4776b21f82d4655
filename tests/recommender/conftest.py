"""Frames for recommender tests, built from data/reference and the synthetic generator."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from recommender.simulation import generate_catalogue, generate_history, load_reference_districts

DATA = Path(__file__).resolve().parents[2] / "data" / "reference"
SEED = 20221


@pytest.fixture(scope="session")
def rec_districts() -> pd.DataFrame:
    d = load_reference_districts(DATA)
    prov = pd.read_csv(DATA / "provinces.csv", dtype={"province_code": str})
    d["province_name"] = d["province_code"].map(prov.set_index("province_code")["name"])
    d["prevalence_survey"] = d["prevalence_imputed"].map(
        {True: "SSGI 2022, province", False: "SSGI 2022"}
    )
    return d


@pytest.fixture(scope="session")
def rec_catalogue(rec_districts: pd.DataFrame) -> pd.DataFrame:
    return generate_catalogue(rec_districts, seed=SEED)


@pytest.fixture(scope="session")
def rec_history(rec_districts: pd.DataFrame, rec_catalogue: pd.DataFrame) -> pd.DataFrame:
    return generate_history(rec_districts, rec_catalogue, seed=SEED)


@pytest.fixture(scope="session")
def real_record_frames(
    rec_districts: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Districts, real partners and real partnerships (with sources) as the seed loads them."""
    from service.seed.partners import real_partner_frames

    p, h = real_partner_frames(rec_districts, DATA)
    return rec_districts, p, h
