"""Need on 0-100 and the emphasis weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.emphasis import (
    EMPHASES,
    Emphasis,
    area_need_points,
    district_need_points,
    weights,
)


def test_covered_areas_never_add_points() -> None:
    rng = np.random.default_rng(0)
    areas = (rng.random((30, 10)) < 0.3).astype(float)
    need = rng.normal(size=10)
    open_ = area_need_points(areas, need, np.zeros(10))
    covered = np.zeros(10)
    covered[:4] = 3  # three active partnerships cover four areas
    with_cover = area_need_points(areas, need, covered)
    # relative to the best partner each time; a partner's raw need only drops
    raw_open = areas @ np.maximum(need, 0)
    raw_cov = areas @ (np.maximum(need, 0) * (covered == 0))
    assert (raw_cov <= raw_open + 1e-12).all()
    assert open_.max() == pytest.approx(100) and with_cover.min() >= 0
    only_covered = (areas[:, 4:].sum(axis=1) == 0) & (areas[:, :4].sum(axis=1) > 0)
    assert (with_cover[only_covered] == 0).all()


def test_district_need_points_follow_the_gap() -> None:
    profile = pd.DataFrame(
        {
            "gap_to_target": [0.0, 10.0, 20.0],
            "underdeveloped": [False, False, True],
            "burden": [1.0, 2.0, 3.0],
        }
    )
    pts = district_need_points(profile)
    assert list(np.argsort(pts)) == [0, 1, 2] and pts.min() >= 0 and pts.max() <= 100


def test_weights_add_up_and_unknown_is_an_error() -> None:
    assert set(EMPHASES) == set(Emphasis)
    assert all(sum(weights(e)) == pytest.approx(1.0) for e in Emphasis)
    with pytest.raises(ValueError, match="unknown emphasis"):
        weights("loud")
