"""Planners' verdicts become training pairs: accepted 1, rejected 0, latest verdict wins."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from recommender.features import FEATURES, FeatureSpace
from recommender.model import LearnedRanker
from recommender.training import feedback_pairs, latest_verdicts, training_pairs

UNTIL = dt.date(2024, 1, 1)


@pytest.fixture(scope="module")
def space(rec_districts, rec_catalogue) -> FeatureSpace:
    return FeatureSpace(rec_districts, rec_catalogue)


def _feedback(space: FeatureSpace, rows: list[tuple[int, int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "partner_name": space.p_names[p],
                "district_code": space.d_codes[d],
                "verdict": v,
                "created_at": pd.Timestamp(at, tz="UTC"),
            }
            for p, d, v, at in rows
        ]
    )


def test_latest_verdict_per_pair_and_only_up_to_until(space) -> None:
    fb = _feedback(
        space,
        [
            (0, 0, "accepted", "2023-05-01"),
            (0, 0, "rejected", "2023-06-01"),  # rejected wins
            (1, 2, "accepted", "2023-12-31"),
            (2, 3, "accepted", "2024-01-01"),  # the same day as until: known
            (3, 4, "accepted", "2024-01-02"),  # after until: ignored
        ],
    )
    fb.loc[len(fb)] = {
        "partner_name": "nobody",
        "district_code": space.d_codes[0],
        "verdict": "accepted",
        "created_at": pd.Timestamp("2023-01-01", tz="UTC"),
    }
    v = latest_verdicts(fb, space, until=UNTIL)
    assert sorted(
        zip(v["_p"].astype(int), v["_d"].astype(int), v["_y"].astype(int), strict=True)
    ) == [(0, 0, 0), (1, 2, 1), (2, 3, 1)]


def test_feedback_pairs_shapes_and_empty(space, rec_history) -> None:
    x, y = feedback_pairs(space, rec_history, None)
    assert x.shape == (0, len(FEATURES)) and len(y) == 0
    fb = _feedback(space, [(0, 0, "accepted", "2023-05-01"), (5, 9, "rejected", "2023-09-01")])
    x, y = feedback_pairs(space, rec_history, fb, until=UNTIL)
    assert x.shape == (2, len(FEATURES))
    assert sorted(y.tolist()) == [0, 1]


def test_feedback_adds_pairs_and_moves_the_model(space, rec_history) -> None:
    x0, y0 = training_pairs(space, rec_history, until=UNTIL, negatives=4)
    p = int(np.argmax(space.kind == 0))
    fb = _feedback(space, [(p, d, "accepted", "2023-10-01") for d in range(40)])
    x1, y1 = training_pairs(space, rec_history, until=UNTIL, negatives=4, feedback=fb)
    assert len(y1) == len(y0) + 40 and y1[-40:].sum() == 40
    np.testing.assert_array_equal(x1[: len(y0)], x0)
    base = LearnedRanker(negatives=4).fit(space, rec_history, until=UNTIL)
    with_fb = LearnedRanker(negatives=4).fit(space, rec_history, until=UNTIL, feedback=fb)
    assert base.n_feedback_ == 0 and with_fb.n_feedback_ == 40
    assert not np.allclose(base.weights_, with_fb.weights_)
