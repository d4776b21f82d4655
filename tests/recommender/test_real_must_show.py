"""Issue 11's must-show on the real record, measured as `mitra evaluate` measures it."""

from __future__ import annotations

import datetime as dt

import pytest

from recommender.real_evaluation import DISTRICTS, PARTNERS, SOURCE_BLOCKED, evaluate_real


@pytest.fixture(scope="module")
def blocked(real_record_frames):
    """The source-blocked evaluation with the command's folds, resamples and seed."""
    return evaluate_real(*real_record_frames, as_of=dt.date(2026, 1, 1), variants=(SOURCE_BLOCKED,))


def test_walk_beats_geography_on_mrr_and_is_level_at_hit10(blocked) -> None:
    gain, lo, hi = blocked.gain(DISTRICTS, SOURCE_BLOCKED, "geography", "mrr")
    assert lo > 0 < gain, (gain, lo, hi)
    walk = blocked.value(DISTRICTS, SOURCE_BLOCKED, "walk", "hit@10")
    geo = blocked.value(DISTRICTS, SOURCE_BLOCKED, "geography", "hit@10")
    assert walk >= geo, (walk, geo)


def test_learned_partner_ranker_hit10_gain_over_geography_is_above_0(blocked) -> None:
    """Issue 11's must-show: the paired hit@10 gain's 95 % interval lies above 0."""
    gain, lo, hi = blocked.gain(PARTNERS, SOURCE_BLOCKED, "geography", "hit@10")
    assert lo > 0 < gain, (gain, lo, hi)


def test_learned_partner_ranker_beats_popularity(blocked) -> None:
    """What the learned ranker does show: it beats the popularity baseline at hit@10."""
    gain, lo, _ = blocked.gain(PARTNERS, SOURCE_BLOCKED, "popularity", "hit@10")
    assert lo > 0 < gain


def test_models_beat_popularity_and_the_transparent_scorer_for_districts(blocked) -> None:
    for b in ("popularity", "transparent"):
        assert blocked.gain(DISTRICTS, SOURCE_BLOCKED, b, "mrr")[1] > 0


def test_the_emphasis_tradeoff_is_measured(blocked) -> None:
    """FIT finds the most real pairs; NEED recommends higher-prevalence districts."""
    t = blocked.emphasis
    fit, need = t.loc[(DISTRICTS, "FIT")], t.loc[(DISTRICTS, "NEED")]
    assert fit["hit@10"] >= t.loc[(DISTRICTS, "BALANCED"), "hit@10"] >= need["hit@10"]
    assert need["mean_prevalence_top10"] > fit["mean_prevalence_top10"]
    assert t.loc[(PARTNERS, "FIT"), "hit@10"] == blocked.value(
        PARTNERS, SOURCE_BLOCKED, "learned", "hit@10"
    )
    # as served (only candidates within reach): a filter can only lose the target or
    # lift it, and NEED stays the high-prevalence end
    assert need["mean_prevalence_top10_served"] > fit["mean_prevalence_top10_served"]
    for direction in (PARTNERS, DISTRICTS):
        for e in ("FIT", "BALANCED", "NEED"):
            row = t.loc[(direction, e)]
            assert 0 < row["hit@10_served"] <= 1


def test_the_served_columns_count_a_target_out_of_reach_as_a_miss(real_record_frames) -> None:
    """hit@10 as served, by hand on a tiny case: the target out of reach is a miss even
    when it ranks first; within reach, a far distractor no longer counts above it."""
    import numpy as np

    from recommender.real_evaluation import emphasis_tradeoff
    from recommender.real_model import districts_within_reach
    from recommender.real_training import holds
    from recommender.record import RealRecord

    record = RealRecord.from_frames(*real_record_frames)
    warm = [h for h in holds(record, DISTRICTS, SOURCE_BLOCKED) if not h.cold]
    out_h = next(
        h
        for h in warm
        if not districts_within_reach(record, record.known(h.hidden), h.query)[h.target]
    )
    in_h = next(
        h
        for h in warm
        if districts_within_reach(record, record.known(h.hidden), h.query)[h.target]
        and not districts_within_reach(record, record.known(h.hidden), h.query).all()
    )
    n = record.n_districts
    prevalence = np.zeros(n)
    for h, want in ((out_h, 0.0), (in_h, 1.0)):
        reach = districts_within_reach(record, record.known(h.hidden), h.query)
        fit = np.zeros((1, n))
        fit[0, ~reach] = 100.0  # every district out of reach ranks above the target
        fit[0, h.target] = 50.0 if reach[h.target] else 200.0
        rows = emphasis_tradeoff(record, DISTRICTS, [h], fit, np.zeros((1, n)), prevalence)
        fit_row = next(r for r in rows if r["emphasis"] == "FIT")
        assert fit_row["hit@10_served"] == want, (h, fit_row)
        if want:  # over every candidate the far ones outrank it
            assert fit_row["hit@10"] < 1.0
