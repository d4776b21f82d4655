"""The within-reach footprint rule: who reaches which district, and what it keeps."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.real_evaluation import reach_table
from recommender.real_model import REACH_KM, districts_within_reach, partners_within_reach
from recommender.record import RealRecord
from recommender.vocab import KINDS


@pytest.fixture(scope="module")
def record(real_record_frames) -> RealRecord:
    return RealRecord.from_frames(*real_record_frames)


def _expected(record: RealRecord, known: np.ndarray, p: int, d: int) -> bool:
    """The rule written out for one pair, from the record's own columns."""
    own = np.flatnonzero(known[p])
    if not len(own):
        return True
    provinces = set(record.d_prov[own].tolist())
    if len(provinces) >= 2 or KINDS[record.kind[p]] == "international_org":
        return True
    if record.d_prov[d] in provinces:
        return True
    return bool(record.dist[d, own].min() <= REACH_KM)


def test_the_rule_pair_by_pair_and_both_directions_agree(record: RealRecord):
    known = record.known()
    rng = np.random.default_rng(3)
    by_partner = np.stack(
        [districts_within_reach(record, known, p) for p in range(record.n_partners)]
    )
    for d in rng.choice(record.n_districts, 60, replace=False):
        got = partners_within_reach(record, known, int(d))
        assert got.tolist() == by_partner[:, d].tolist()
        for p in range(record.n_partners):
            assert bool(got[p]) == _expected(record, known, p, int(d)), (p, d)
    # the rule is not vacuous on the real record: both answers occur
    assert by_partner.any() and not by_partner.all()


def test_one_province_partners_beyond_the_radius_are_out_and_national_ones_in(record: RealRecord):
    known = record.known()
    n_prov = np.array([len(set(record.d_prov[row].tolist())) for row in known])
    local = next(
        p
        for p in range(record.n_partners)
        if n_prov[p] == 1 and KINDS[record.kind[p]] != "international_org"
    )
    national = next(p for p in range(record.n_partners) if n_prov[p] >= 2)
    home = record.d_prov[known[local]][0]
    far = int(
        np.flatnonzero(
            (record.d_prov != home) & (record.dist[known[local]].min(axis=0) > REACH_KM)
        )[0]
    )
    assert not partners_within_reach(record, known, far)[local]
    assert partners_within_reach(record, known, far)[national]
    assert districts_within_reach(record, known, national).all()
    home_districts = np.flatnonzero(record.d_prov == home)
    assert districts_within_reach(record, known, local)[home_districts].all()


def test_reach_table_keeps_nine_in_ten_real_pairs_at_the_served_radius(record: RealRecord):
    """The documented property of REACH_KM: it keeps at least 9 in 10 of the held-out
    real pairs within reach and still rules out most candidate pairs; wider radii keep
    more and rule out fewer."""
    t = reach_table(record)
    assert t.loc[REACH_KM, "kept"] >= 0.9
    assert t.loc[REACH_KM, "ruled_out"] > 0.5
    assert t["kept"].is_monotonic_increasing and t["ruled_out"].is_monotonic_decreasing
    # kept, recomputed by hand for the served radius
    kept = []
    for k in range(record.n_pairs):
        p, d = int(record.pair_p[k]), int(record.pair_d[k])
        hidden = record.known(np.array([k]))
        if hidden[p].any():
            kept.append(_expected(record, hidden, p, d))
    assert t.loc[REACH_KM, "pairs"] == len(kept)
    assert t.loc[REACH_KM, "kept"] == pytest.approx(np.mean(kept))
