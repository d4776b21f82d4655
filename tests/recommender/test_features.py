"""Feature construction: shapes, equivalence of the two paths, no look-ahead, purity."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from recommender.features import COL, FEATURES, FeatureSpace, lasted

PKG = Path(__file__).resolve().parents[2] / "recommender"


def test_recommender_never_imports_service_or_schema() -> None:
    for f in PKG.glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] in ("service", "schema") for n in names), f


def test_lasted_label() -> None:
    h = pd.DataFrame({"duration_months": [8, 3, 12, 9, None],
                      "status": ["completed", "completed", "cancelled", "proposed",
                                 "reported"]})
    assert lasted(h).tolist()[:3] == [1.0, 0.0, 0.0]
    assert lasted(h).iloc[3:].isna().all()


def test_pair_and_block_paths_agree(rec_districts, rec_catalogue, rec_history) -> None:
    st = FeatureSpace(rec_districts, rec_catalogue).at(rec_history, dt.date(2023, 1, 1))
    n_p = len(rec_catalogue)
    dd = np.array([0, 250, 513])
    a = st.block_features(dd)
    b = st.pair_features(np.tile(np.arange(n_p), 3), np.repeat(dd, n_p))
    assert a.shape == (3 * n_p, len(FEATURES))
    np.testing.assert_allclose(a, b, atol=1e-5)
    assert np.isfinite(a).all()


def test_presence_features(rec_districts, rec_catalogue) -> None:
    space = FeatureSpace(rec_districts, rec_catalogue)
    st = space.at(None, dt.date(2024, 1, 1))
    p = 0
    site = space.d_pos[rec_catalogue["district_codes"][p][0]]
    x = st.partner_rows(p)
    assert x[site, COL["on_site"]] == 1 and x[site, COL["log_near_km"]] == 0
    assert x[:, COL["on_site"]].sum() == len(rec_catalogue["district_codes"][p])
    assert (x[:, COL["in_province"]] >= x[:, COL["on_site"]]).all()
    assert x[:, COL["log_track_n"]].max() == 0  # no history: no track record


def test_state_ignores_the_future(rec_districts, rec_catalogue, rec_history) -> None:
    space = FeatureSpace(rec_districts, rec_catalogue)
    as_of = dt.date(2022, 1, 1)
    past = rec_history[pd.to_datetime(rec_history["start_date"]) < pd.Timestamp(as_of)]
    a = space.at(rec_history, as_of).block_features(np.arange(0, 514, 50))
    b = space.at(past, as_of).block_features(np.arange(0, 514, 50))
    np.testing.assert_array_equal(a, b)


def test_track_record_counts_only_known_outcomes(rec_districts, rec_catalogue,
                                                 rec_history) -> None:
    space = FeatureSpace(rec_districts, rec_catalogue)
    st = space.at(rec_history, dt.date(2024, 1, 1))
    assert (st.track_succ <= st.track_n).all()
    assert st.track_n.sum() < st.total.sum()  # late-2023 starts are not known yet
