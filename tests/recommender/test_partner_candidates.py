"""The partner rankers compared with the logit: the district-side walk and the rank blend."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from recommender.choice import district_block
from recommender.graph import DistrictWalk
from recommender.partner_candidates import (
    BLENDS,
    TIE_BREAKS,
    blend,
    geography_scores,
    percentile_ranks,
)
from recommender.real_evaluation import _Baselines
from recommender.real_training import PARTNERS, SOURCE_BLOCKED, holds, rank_of
from recommender.record import RealRecord


@pytest.fixture(scope="module")
def record(real_record_frames) -> RealRecord:
    return RealRecord.from_frames(*real_record_frames)


def test_district_walk_runs_without_the_hidden_pairs(record) -> None:
    """Hiding pairs per query gives the scores of a record where they are absent."""
    hs = [h for h in holds(record, PARTNERS, SOURCE_BLOCKED) if len(h.hidden) > 1][:3]
    assert hs, "no source-blocked hold hides more than one pair"
    walk = DistrictWalk(restart=0.4, bandwidth_km=50.0, cooccurrence=0.3)
    full = record.known()
    pairs = [np.column_stack([record.pair_p[h.hidden], record.pair_d[h.hidden]]) for h in hs]
    queries = [(h.query, p) for h, p in zip(hs, pairs, strict=True)]
    batch = walk.partner_scores(record, full, queries)
    for h, row in zip(hs, batch, strict=True):
        alone = walk.partner_scores(record, record.known(h.hidden), [(h.query, np.zeros((0, 2)))])
        np.testing.assert_allclose(row, alone[0], rtol=1e-9, atol=1e-15)
        # the hidden pairs matter: with them visible the scores differ
        seen = walk.partner_scores(record, full, [(h.query, np.zeros((0, 2)))])[0]
        assert not np.allclose(row, seen)
        # a partner known nowhere gets no walk mass
        assert (row[~record.known(h.hidden).any(axis=1)] == 0).all()


def test_geography_scores_rank_as_the_harness_geography(record) -> None:
    """The blend's geography ranks each hold's target where GeographyScorer does."""
    base = _Baselines(record, dt.date(2026, 1, 1))
    full = record.known()
    for h in holds(record, PARTNERS, SOURCE_BLOCKED)[:12]:
        x = district_block(record, record.known(h.hidden), h.query)
        cand = ~full[:, h.query]
        cand[h.target] = True
        harness = base.scores(h.hidden, PARTNERS, h.query)["geography"]
        assert rank_of(geography_scores(x), cand, h.target) == rank_of(harness, cand, h.target)


def test_percentile_ranks_average_ties_and_the_blend_keeps_each_order() -> None:
    cand = np.array([True, True, True, True, False])
    r = percentile_ranks(np.array([1.0, 2.0, 2.0, 3.0, 9.0]), cand)
    np.testing.assert_allclose(r, [0.25, 0.625, 0.625, 1.0, 0.0])
    rng = np.random.default_rng(0)
    s = tuple(rng.normal(size=5) for _ in range(3))
    for i, w in enumerate(((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))):
        assert w in BLENDS
        b = blend(w, s, cand)
        assert (np.argsort(b[cand]) == np.argsort(s[i][cand])).all()
    assert len(BLENDS) == 15 and all(abs(sum(w) - 1.0) < 1e-12 for w in BLENDS)


def test_a_tie_break_reorders_only_geography_ties() -> None:
    """Geography's order is kept between distinct values; within a tie the other ranker
    decides (124 candidates, as many as the real record's, with many ties)."""
    rng = np.random.default_rng(1)
    n = 124
    cand = np.ones(n, bool)
    geo = rng.integers(0, 20, size=n).astype(float)  # coarse: many ties
    other = rng.normal(size=n)
    for w in TIE_BREAKS:
        scores = (other, other, geo)
        b = blend(w, scores, cand)
        hi, lo = geo[:, None] > geo[None, :], b[:, None] > b[None, :]
        assert (lo[hi]).all(), "a higher geography score stays above"
        tied = (geo[:, None] == geo[None, :]) & ~np.eye(n, dtype=bool)
        assert (lo[tied] == (other[:, None] > other[None, :])[tied]).all()
