"""The block scorer (recommender.blocks) against the pair features it never builds."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from recommender.features import FEATURES, FeatureSpace, FeatureState
from recommender.model import LearnedRanker, TransparentScorer

AS_OF = dt.date(2024, 1, 1)


@pytest.fixture(scope="module")
def space(rec_districts, rec_catalogue) -> FeatureSpace:
    return FeatureSpace(rec_districts, rec_catalogue)


@pytest.fixture(scope="module")
def state(space, rec_history) -> FeatureState:
    return space.at(rec_history, AS_OF)


def _reference(state: FeatureState, w: np.ndarray, b: float, d: int) -> tuple[np.ndarray, ...]:
    """``pair_features @ w + b`` in float64, and the size of its terms (for a tolerance)."""
    x = state.district_rows(d).astype(float)
    w = w.astype(float)
    return x @ w + b, np.abs(x) @ np.abs(w) + abs(b)


def _weights(seed: int) -> tuple[np.ndarray, float]:
    """Random weights on every column, so that each column's decomposition is exercised."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=len(FEATURES)).astype(np.float32), float(rng.normal())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_block_scores_equal_pair_features_times_weights(state, seed: int) -> None:
    w, b = _weights(seed)
    assert np.count_nonzero(w) == len(FEATURES)
    # districts with sites, history and none of it; first and last rows
    for d in (0, 57, 200, 313, len(state.space.d_codes) - 1):
        ref, size = _reference(state, w, b, d)
        fast = state.blocks.scores(w, b, d, d + 1)[0]
        assert fast.shape == ref.shape
        # the features are float32: they carry ~6e-8 relative rounding, the fast path none
        assert (np.abs(fast - ref) <= 1e-6 * size).all(), float(np.max(np.abs(fast - ref) / size))


def test_block_rankings_equal_pair_feature_rankings(state) -> None:
    w, b = _weights(3)
    for d in (12, 200, 480):
        ref, size = _reference(state, w, b, d)
        fast = state.blocks.scores(w, b, d, d + 1)[0]
        order = np.argsort(-fast, kind="stable")
        # in the fast order, the reference scores never go up by more than float32 rounding:
        # the same ranking, ties within rounding aside
        steps = np.diff(ref[order])
        assert (steps <= 1e-6 * np.maximum(size[order][1:], size[order][:-1])).all()
        # and the top ten are the same partners in the same order (no near-ties there)
        top = np.argsort(-ref, kind="stable")[:10]
        assert np.diff(ref[top]).max() < 0
        assert list(order[:10]) == list(top)


@pytest.mark.parametrize("make", ["learned", "transparent"])
def test_scorers_score_from_blocks(space, state, rec_history, make: str) -> None:
    sc = (
        LearnedRanker(negatives=4).fit(space, rec_history, until=AS_OF)
        if make == "learned"
        else TransparentScorer().fit(space, rec_history, until=AS_OF)
    )
    d_idx = np.array([3, 4, 5, 100, 7, 513])  # runs and jumps
    m = sc.score_matrix(state, d_idx, chunk=2 * len(space.p_names))
    assert m.shape == (len(d_idx), len(space.p_names)) and m.dtype == np.float32
    for row, d in zip(m, d_idx, strict=True):
        ref, size = _reference(state, sc.weights_, sc.intercept_, int(d))
        one = sc.score_district(state, int(d))
        assert (np.abs(one - ref) <= 1e-6 * size).all()
        np.testing.assert_allclose(row, one.astype(np.float32), rtol=1e-6, atol=1e-6)
        # score_pairs still builds the features: the same scores
        pairs = sc.score_pairs(state, np.arange(len(space.p_names)), np.full(len(space.p_names), d))
        assert (np.abs(pairs - ref) <= 1e-5 * size).all()


def test_blocks_are_built_once_per_state_and_weights(space, rec_history, state) -> None:
    assert state.blocks is state.blocks
    assert state.space.blocks is space.blocks
    w, b = _weights(4)
    assert state.blocks.linear(w, b) is state.blocks.linear(w.copy(), b)
    assert state.blocks.linear(w, b + 1.0) is not state.blocks.linear(w, b)
    # another state (another date, another history) has blocks of its own
    other = space.at(rec_history, dt.date(2021, 1, 1))
    assert other.blocks is not state.blocks and other.blocks.space is state.blocks.space
    d = 200
    ref, size = _reference(other, w, b, d)
    assert (np.abs(other.blocks.scores(w, b, d, d + 1)[0] - ref) <= 1e-6 * size).all()
