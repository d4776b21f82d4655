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
def real_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Real partners and their reported partnerships, as the service would pass them."""
    r = pd.read_csv(
        DATA / "real_partnerships.csv", dtype={"district_code": str, "province_code": str}
    )
    r = r.dropna(subset=["district_code"])
    r["areas"] = r["intervention_areas"].fillna("").map(lambda s: [a for a in s.split(";") if a])
    g = r.groupby("partner_name")
    partners = pd.DataFrame(
        {
            "name": list(g.groups),
            "kind": g["partner_kind"].first().to_numpy(),
            "scope": [
                "national" if n > 1 else "provincial"
                for n in g["province_code"].nunique().to_numpy()
            ],
            "annual_budget_idr": None,
            "typical_commitment_months": None,
            "areas": g["areas"].agg(lambda s: sorted({a for x in s for a in x})).to_numpy(),
            "district_codes": g["district_code"].agg(lambda s: sorted(set(s))).to_numpy(),
            "province_codes": g["province_code"].agg(lambda s: sorted(set(s))).to_numpy(),
        }
    )
    history = pd.DataFrame(
        {
            "partner_name": r["partner_name"],
            "district_code": r["district_code"],
            "areas": r["areas"],
            "start_date": pd.to_datetime(
                r["year"].astype("Int64").astype(str) + "-01-01", errors="coerce"
            ).dt.date,
            "end_date": None,
            "duration_months": r["duration_months"],
            "status": "reported",
        }
    )
    return partners, history


@pytest.fixture(scope="session")
def real_record_frames(
    rec_districts: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Districts, real partners and real partnerships (with sources) as the seed loads them."""
    from service.seed.partners import real_partner_rows

    codes = dict(zip(rec_districts["code"], rec_districts["province_code"], strict=True))
    rp = real_partner_rows(codes, DATA)
    p = pd.DataFrame(rp.partners)
    p["areas"] = [sorted(rp.partner_areas[n]) for n in p["name"]]
    p["district_codes"] = [sorted(rp.partner_districts[n]) for n in p["name"]]
    p["province_codes"] = [sorted(rp.partner_provinces[n]) for n in p["name"]]
    h = pd.DataFrame(rp.partnerships)
    h["areas"] = rp.partnership_areas
    h["start_date"] = [
        None if y is None or y != y else pd.Timestamp(int(y), 1, 1).date() for y in h["start_year"]
    ]
    return rec_districts, p, h
