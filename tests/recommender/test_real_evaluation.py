"""The real-record evaluation: no leak of the hidden pair, numbers computed from the data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from recommender.choice import CHOICE_COL, district_block
from recommender.real_evaluation import (
    DISTRICTS,
    PARTNERS,
    SOURCE_BLOCKED,
    RealEvaluation,
    _Baselines,
    evaluate_real,
    hold_metrics,
    holds,
    rank_of,
)
from recommender.real_training import _folds, choice_examples, fit_partner_model
from recommender.record import RealRecord, real_history
from recommender.vocab import AREAS

AS_OF = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def record(real_record_frames) -> RealRecord:
    return RealRecord.from_frames(*real_record_frames)


def _warm_pair(record: RealRecord) -> int:
    """A pair whose partner has another district in the same province."""
    full = record.known()
    for k in range(record.n_pairs):
        p, d = record.pair_p[k], record.pair_d[k]
        same = full[p] & (record.d_prov == record.d_prov[d])
        if same.sum() >= 2:
            return k
    raise AssertionError("no partner with two districts in one province")


def _without(frames, record: RealRecord, pairs: np.ndarray):
    """The frames as if the pairs had never been reported."""
    d, p, h = frames
    drop = {(record.p_names[record.pair_p[k]], record.d_codes[record.pair_d[k]]) for k in pairs}
    keep = [(a, b) not in drop for a, b in zip(h["partner_name"], h["district_code"], strict=True)]
    return d, p, h[keep]


def test_record_is_real_pairs_past_proposed(real_record_frames) -> None:
    _d, p, h = real_record_frames
    extra = h.iloc[:2].copy()
    extra["status"] = ["proposed", "active"]
    extra["district_code"] = ["53.02", "53.03"]
    fake = h.iloc[:1].copy()
    fake["synthetic"] = True
    fake["district_code"] = "11.01"
    rows = pd.concat([h, extra, fake])
    r = real_history(p, rows)
    assert "proposed" not in set(r["status"]) and not r["synthetic"].any()
    assert (r["status"] == "active").sum() == 1


def test_hidden_pair_is_absent_from_the_learned_features(real_record_frames, record) -> None:
    k = _warm_pair(record)
    p, d = int(record.pair_p[k]), int(record.pair_d[k])
    hidden = record.blocked(k)
    known = record.known(hidden)
    assert not known[p, d] and record.known()[p, d]
    # the same features as on a record where the pairs were never reported
    other = RealRecord.from_frames(*_without(real_record_frames, record, hidden))
    op = int(np.flatnonzero(other.p_names == record.p_names[p])[0])
    x = district_block(record, known, d)
    y = district_block(other, other.known(), d)
    assert np.allclose(x[p], y[op])
    # and the pair really mattered: with it, the partner is nearer and has more there
    with_it = district_block(record, record.known(), d)[p]
    assert with_it[CHOICE_COL["log_near_km"]] < x[p, CHOICE_COL["log_near_km"]]
    assert with_it[CHOICE_COL["log_sites_in_province"]] > x[p, CHOICE_COL["log_sites_in_province"]]


def test_hidden_pair_is_absent_from_the_baselines_state(record) -> None:
    k = _warm_pair(record)
    p, d = int(record.pair_p[k]), int(record.pair_d[k])
    base = _Baselines(record, AS_OF)
    full = base.state(np.zeros(0, int))
    st = base.state(np.array([k]))
    assert full.space.site[p, d] and not st.space.site[p, d]
    assert not st.worked[p, d] and not st.active_pd[p, d]
    assert st.n_active_d[d] == full.n_active_d[d] - 1
    assert st.total[p] == full.total[p] - 1
    assert st.space.n_sites[p] == full.space.n_sites[p] - 1
    # scope follows the footprint without the pair
    single = next(
        q for q in range(record.n_pairs) if record.known().sum(axis=1)[record.pair_p[q]] == 2
    )
    sp = int(record.pair_p[single])
    st2 = base.state(np.array([single]))
    assert full.space.scope[sp] in ("provincial", "national")
    assert st2.space.n_sites[sp] == 1
    assert st2.space.scope[sp] == ("national" if record.kind[sp] == 7 else "local")


def test_source_blocking_hides_the_same_report_in_that_district(record) -> None:
    shared = [k for k in range(record.n_pairs) if len(record.blocked(k)) > 1]
    assert shared, "the real record has press releases naming several partners"
    k = shared[0]
    b = record.blocked(k)
    assert (record.pair_d[b] == record.pair_d[k]).all()
    assert all(record.pair_sources[j] & record.pair_sources[k] for j in b)
    assert len(set(record.pair_p[b])) == len(b)


def test_holds_follow_the_definitions(record) -> None:
    full = record.known()
    hp = holds(record, PARTNERS, SOURCE_BLOCKED)
    assert all(full[:, h.query].sum() >= 2 for h in hp)
    assert {h.cold for h in hp} == {True, False}
    hd = holds(record, DISTRICTS, SOURCE_BLOCKED)
    assert all(h.cold == (full[h.query].sum() == 1) for h in hd)


def test_evaluation_numbers_are_computed_from_the_data(real_record_frames) -> None:
    """A small real subset: the table equals the ranks recomputed here, and moves with the data."""
    d, p, h = real_record_frames
    sub = h[h["district_code"].str[:2].isin(["31", "32", "33", "34", "35", "36"])]

    def small(history: pd.DataFrame) -> RealEvaluation:
        return evaluate_real(
            d,
            p,
            history,
            as_of=AS_OF,
            n_folds=2,
            n_boot=50,
            directions=(DISTRICTS,),
            variants=(SOURCE_BLOCKED,),
        )

    ev = small(sub)
    record = RealRecord.from_frames(d, p, sub)
    base = _Baselines(record, AS_OF)
    full = record.known()
    warm = [x for x in holds(record, DISTRICTS, SOURCE_BLOCKED) if not x.cold]
    hits = []
    for x in warm:
        s = base.scores(x.hidden, DISTRICTS, x.query)["geography"]
        cand = ~full[x.query]
        cand[x.target] = True
        hits.append(hold_metrics(rank_of(s, cand, x.target)))
    got = ev.table.loc[(DISTRICTS, SOURCE_BLOCKED, "warm", "geography")]
    assert got["n"] == len(warm)
    assert got["hit@10"] == pytest.approx(np.mean([m[2] for m in hits]))
    assert got["mrr"] == pytest.approx(np.mean([m[3] for m in hits]))
    assert got["hit@10_lo"] <= got["hit@10"] <= got["hit@10_hi"]
    # the walk's gain is the difference of the two levels
    g = ev.gain(DISTRICTS, SOURCE_BLOCKED, "geography", "mrr")
    walk = ev.value(DISTRICTS, SOURCE_BLOCKED, "walk", "mrr")
    assert g[0] == pytest.approx(walk - got["mrr"])
    # moving one partner's districts to the other end of the country changes the numbers
    moved = sub.copy()
    first = moved["partner_name"].iloc[0]
    moved.loc[moved["partner_name"] == first, "district_code"] = "94.01"
    assert not small(moved).table.equals(ev.table)


def test_hidden_pair_takes_its_areas_out_of_the_baselines_state(record) -> None:
    """A partner's intervention areas are rebuilt without the hidden pair (they are the
    union of its reported pairs' areas): an area only that pair reported is gone."""
    full = record.known()
    for k in range(record.n_pairs):
        p = int(record.pair_p[k])
        others = [j for j in range(record.n_pairs) if record.pair_p[j] == p and j != k]
        rest = set().union(*(record.pair_areas[j] for j in others)) if others else set()
        only_here = set(record.pair_areas[k]) - rest
        if others and only_here:
            break
    else:
        raise AssertionError("no pair reports an area its partner's other pairs do not")
    base = _Baselines(record, AS_OF)
    a = AREAS.index(sorted(only_here)[0])
    assert base.state(np.zeros(0, int)).space.areas[p, a] == 1
    st = base.state(np.array([k]))
    assert st.space.areas[p, a] == 0
    kept = [AREAS.index(x) for x in rest]
    assert (st.space.areas[p, kept] == 1).all()
    assert full[p].sum() >= 2


def test_ties_are_broken_at_random_in_expectation() -> None:
    """A scorer that ties every candidate is no better than chance, and no worse."""
    flat = np.zeros(40)
    cand = np.ones(40, bool)
    span = rank_of(flat, cand, 7)
    assert span == (0, 40)
    hit1, hit5, hit10, rr, _ = hold_metrics(span)
    assert hit5 == pytest.approx(5 / 40)
    assert hit1 == pytest.approx(1 / 40) and hit10 == pytest.approx(10 / 40)
    assert rr == pytest.approx(np.mean(1 / np.arange(1, 41)))
    # no tie: the plain rank
    s = np.arange(40.0)
    assert rank_of(s, cand, 30) == (9, 1)
    assert hold_metrics((9, 1))[2] == 1.0 and hold_metrics((10, 1))[2] == 0.0


def test_nested_choice_never_sees_the_outer_test_pairs(real_record_frames, record) -> None:
    """The logit chosen and fitted for an outer fold is the one chosen and fitted on a
    record where that fold's pairs were never reported: the held-out pairs play no part
    in the inner cross-validation (and the evaluation reports that same choice)."""
    d, p, h = real_record_frames
    sub = h[h["district_code"].str[:2].isin(["31", "32", "33", "34", "35", "36", "52", "53"])]
    rec = RealRecord.from_frames(d, p, sub)
    hs = holds(rec, PARTNERS, SOURCE_BLOCKED)
    queries = np.array([x.query for x in hs])
    fold = next(_folds(queries, 2, 0))
    removed = np.unique(np.concatenate([hs[i].hidden for i in np.flatnonzero(fold)]))
    inside = fit_partner_model(rec, SOURCE_BLOCKED, removed)
    # no training choice is made in a held-out district (folds are grouped by district)
    groups, _, dists = choice_examples(rec, removed, SOURCE_BLOCKED)
    assert groups and not set(dists.tolist()) & set(rec.pair_d[removed].tolist())
    never = RealRecord.from_frames(*_without((d, p, sub), rec, removed))
    assert never.n_pairs == rec.n_pairs - len(removed)
    outside = fit_partner_model(never, SOURCE_BLOCKED)
    assert (inside.prior, inside.features, inside.alpha) == (
        outside.prior,
        outside.features,
        outside.alpha,
    )
    np.testing.assert_allclose(inside.weights_, outside.weights_, rtol=1e-6, atol=1e-9)
    ev = evaluate_real(
        d,
        p,
        sub,
        as_of=AS_OF,
        n_folds=2,
        n_boot=20,
        directions=(PARTNERS,),
        variants=(SOURCE_BLOCKED,),
    )
    assert ev.chosen[f"{PARTNERS}/{SOURCE_BLOCKED}"][0] == {
        "prior": outside.prior,
        "features": outside.features,
        "alpha": outside.alpha,
    }


def test_accepted_verdicts_are_choices_that_move_the_logit(record) -> None:
    """A planner's accepted recommendation of a real partner is one more training choice
    (the latest verdict per pair counts; known pairs, unknown names and rejections do not),
    and with the same parameters the logit then rates that choice higher."""
    from recommender.choice import ConditionalLogit
    from recommender.real_training import accepted_pairs, verdict_choices

    known = record.known()
    p = int(np.flatnonzero(known.sum(axis=1) >= 2)[0])
    far = np.flatnonzero(~known[p])
    d = int(far[np.argmax(record.dist[far][:, known[p]].min(axis=1))])  # far from its footprint
    name, code = str(record.p_names[p]), str(record.d_codes[d])
    at = pd.Timestamp("2026-11-01", tz="UTC")
    known_d = str(record.d_codes[int(np.flatnonzero(known[p])[0])])
    feedback = pd.DataFrame(
        {
            "partner_name": [name, name, name, "No such partner", name],
            "district_code": [code, code, known_d, code, "99.99"],
            "verdict": ["rejected", "accepted", "accepted", "accepted", "accepted"],
            "created_at": [at, at + pd.Timedelta(days=1), at, at, at],
        }
    )
    pairs = accepted_pairs(record, feedback)
    assert sorted(map(tuple, pairs.tolist())) == sorted(
        [(p, d), (p, list(record.d_codes).index(known_d))]
    )
    groups, chosen, dists = verdict_choices(record, pairs)
    assert len(groups) == 1 and dists.tolist() == [d]  # the known pair is no new choice
    flipped = feedback.assign(verdict=feedback["verdict"].replace({"accepted": "rejected"}))
    assert len(accepted_pairs(record, flipped)) == 0

    base_g, base_c, _ = choice_examples(record, np.zeros(0, int), SOURCE_BLOCKED)
    without = ConditionalLogit(10.0, "all", "none").fit(base_g, base_c)
    repeated = 20  # the same verdict from many planners: enough to move 200 choices
    with_v = ConditionalLogit(10.0, "all", "none").fit(
        base_g + groups * repeated, base_c + chosen * repeated
    )
    assert with_v.log_likelihood(groups[0], chosen[0]) > without.log_likelihood(
        groups[0], chosen[0]
    )


def test_factors_used_are_those_of_the_feature_set(record: RealRecord):
    """A logit on a smaller feature set uses only that set's factors (the served reasons
    leave the others out: they would score 0 for every partner)."""
    from recommender.choice import CHOICE_FACTORS, FEATURE_SETS, ConditionalLogit

    groups, chosen, _ = choice_examples(record, np.zeros(0, int), SOURCE_BLOCKED)
    for name, cols in FEATURE_SETS.items():
        m = ConditionalLogit(10.0, name, "none").fit(groups, chosen)
        expected = tuple(f for f, fc in CHOICE_FACTORS.items() if set(fc) & set(cols))
        assert m.factors_used() == expected, name
    assert ConditionalLogit(10.0, "presence", "none").fit(groups, chosen).factors_used() == (
        "presence",
    )
