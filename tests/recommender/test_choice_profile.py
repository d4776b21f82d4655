"""The profile features of the real-record logit: how much a district looks like the
districts a partner is known in, computed by hand, and the reason that states them."""

from __future__ import annotations

import numpy as np
import pytest

from recommender import real_explain
from recommender.choice import CHOICE_COL, district_block
from recommender.record import RealRecord


@pytest.fixture(scope="module")
def record(real_record_frames) -> RealRecord:
    return RealRecord.from_frames(*real_record_frames)


def test_profile_features_by_hand(record: RealRecord):
    known = record.known()
    rng = np.random.default_rng(11)
    warm = np.flatnonzero(known.sum(axis=1) >= 2)
    for d in rng.choice(record.n_districts, 12, replace=False):
        x = district_block(record, known, int(d))
        for p in range(record.n_partners):
            own = np.flatnonzero(known[p])
            row = x[p]
            if not len(own):
                assert (
                    row[CHOICE_COL["type_match"] : CHOICE_COL["underdeveloped_match"] + 1].tolist()
                    == [0.0] * 4
                )
                continue
            same_type = np.mean(record.kota[own] == record.kota[d])
            same_ud = np.mean(record.underdeveloped[own] == record.underdeveloped[d])
            pop = abs(np.mean(record.log_pop[own]) - record.log_pop[d])
            prev = abs(np.mean(record.prevalence[own]) - record.prevalence[d])
            assert row[CHOICE_COL["type_match"]] == pytest.approx(same_type - 0.5)
            assert row[CHOICE_COL["underdeveloped_match"]] == pytest.approx(same_ud - 0.5)
            assert row[CHOICE_COL["population_similarity"]] == pytest.approx(np.exp(-pop))
            assert row[CHOICE_COL["prevalence_similarity"]] == pytest.approx(np.exp(-prev / 10))
    assert len(warm)  # partners with several districts were checked


def test_profile_reason_states_the_numbers_the_features_use(record: RealRecord):
    known = record.known()
    p = int(np.argmax(known.sum(axis=1)))  # the partner known in the most districts
    own = np.flatnonzero(known[p])
    d = int(np.flatnonzero(~known[p])[0])
    en = real_explain.profile(record, known, p, d, "en")
    id_ = real_explain.profile(record, known, p, d, "id")
    same = int((record.kota[own] == record.kota[d]).sum())
    assert f"{same} of {len(own)} are" in en
    assert f"{same} dari {len(own)} adalah" in id_
    assert f"mean prevalence {record.prevalence[own].mean():.1f}%" in en
    assert f"({record.prevalence[d]:.1f}% here)" in en
    nobody = int(np.flatnonzero(~known.any(axis=1))[0]) if (~known.any(axis=1)).any() else None
    if nobody is not None:
        assert real_explain.profile(record, known, nobody, d, "en").startswith("No known district")
