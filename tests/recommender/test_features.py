"""Feature construction: shapes, equivalence of the two paths, no look-ahead."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommender.features import COL, FEATURES, FeatureSpace
from recommender.outcomes import commitments_known, lasted
from service.domain.partnerships import is_commitment, months_between


def test_lasted_label() -> None:
    h = pd.DataFrame(
        {
            "duration_months": [8, 3, 12, 9, None],
            "status": ["completed", "completed", "cancelled", "proposed", "reported"],
        }
    )
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


def test_track_record_counts_only_known_outcomes(rec_districts, rec_catalogue, rec_history) -> None:
    space = FeatureSpace(rec_districts, rec_catalogue)
    st = space.at(rec_history, dt.date(2024, 1, 1))
    assert (st.track_succ <= st.track_n).all()
    assert st.track_n.sum() < st.total.sum()  # late-2023 starts are not known yet


def _commit(rows: list[tuple[str, float | None, str, str | None]], cut: str) -> list[bool]:
    status, dur, start, end = zip(*rows, strict=True)
    return commitments_known(
        np.array(status),
        np.array(dur, dtype=object),
        np.array(start, dtype="datetime64[D]"),
        np.array([e or "NaT" for e in end], dtype="datetime64[D]"),
        np.datetime64(cut, "D"),
    ).tolist()


def test_commitments_known_never_look_ahead() -> None:
    later_done = ("completed", 9.0, "2023-01-01", "2023-10-01")  # lasted 9 months
    later_cancelled = ("cancelled", 8.0, "2023-01-01", "2023-09-01")
    short = ("cancelled", 3.0, "2023-01-01", "2023-04-01")
    planned = ("active", 12.0, "2024-05-01", None)  # still running today, plan known
    rows = [later_done, later_cancelled, short, planned]
    # two months in, nobody knows yet how the first three end: none counts
    assert _commit(rows, "2023-03-01") == [False, False, False, False]
    # seven months in, the first two have run six months: both count
    assert _commit(rows, "2023-08-01") == [True, True, False, False]
    # after they ended, the final status is known: a cancellation no longer counts
    assert _commit(rows, "2024-06-01") == [True, False, False, True]
    assert _commit(
        [("reported", 12.0, "2000-01-01", None), ("reported", None, "2000-01-01", None)],
        "2024-01-01",
    ) == [True, False]
    assert _commit([("active", 3.0, "2024-01-01", None)], "2025-01-01") == [False]


@given(
    status=st.sampled_from(["proposed", "active", "completed", "cancelled", "reported"]),
    duration=st.one_of(st.none(), st.integers(0, 48)),
    start=st.dates(dt.date(2015, 1, 1), dt.date(2025, 12, 31)),
    days=st.one_of(st.none(), st.integers(0, 1500)),
)
def test_commitments_known_today_is_the_campaign_rule(status, duration, start, days) -> None:
    """Once every date is in the past, the feature's rule is the campaign's rule."""
    end = None if days is None else start + dt.timedelta(days=days)
    if status == "active":
        end = None  # an active partnership has no end yet
    if duration is None and end is not None:
        # the database frames fill such a duration from the dates first
        # (service.domain.feedback_data.effective_durations), as the campaign does
        duration = months_between(start, end)
    expected = is_commitment(status, duration, start, end)
    got = _commit(
        [
            (
                status,
                None if duration is None else float(duration),
                start.isoformat(),
                None if end is None else end.isoformat(),
            )
        ],
        "2030-01-01",
    )
    assert got == [expected]


def test_track_record_counts_agree(rec_districts, rec_catalogue, rec_history) -> None:
    """'k of them in <province>' counts the same partnerships as 'ok of n': never k > n."""
    from recommender.explain import sentence

    st = FeatureSpace(rec_districts, rec_catalogue).at(rec_history, dt.date(2024, 1, 1))
    assert np.allclose(st.track_prov.sum(axis=1), st.track_n)
    assert (st.track_prov <= st.prov_track).all()
    p = int(np.argmax(st.prov_track.max(axis=1) - st.track_prov.max(axis=1)))
    prov = int(np.argmax(st.prov_track[p] - st.track_prov[p]))
    d = int(np.flatnonzero(st.space.d_prov == prov)[0])
    text = sentence(st, p, d, "track_record")
    n = int(st.track_n[p])
    k = int(st.track_prov[p, prov])
    assert f"of {n} past" in text and (f", {k} of them in" in text if k else "of them" not in text)


def _media_frames(districts: pd.DataFrame, local_media: list[list[str]] | None):
    """A national outlet, a local radio and a company, each committed 12 months in one district."""
    d = districts.iloc[0]
    other = districts[districts["province_code"] != d["province_code"]].iloc[0]
    partners = pd.DataFrame(
        {
            "name": ["National TV", "Local radio", "A company"],
            "kind": ["media", "media", "company"],
            "scope": ["national", "local", "provincial"],
            "annual_budget_idr": None,
            "typical_commitment_months": None,
            "areas": [["behaviour_change_campaign"]] * 3,
            "province_codes": [[d["province_code"]], [d["province_code"]], [d["province_code"]]],
            "district_codes": [[d["code"]]] * 3,
        }
    )
    if local_media is not None:
        partners["local_media_provinces"] = local_media
    history = pd.DataFrame(
        {
            "partner_name": partners["name"],
            "district_code": d["code"],
            "areas": [["behaviour_change_campaign"]] * 3,
            "start_date": dt.date(2025, 1, 1),
            "end_date": None,
            "duration_months": 12.0,
            "status": "active",
        }
    )
    return partners, history, d, other


def test_only_local_media_fill_the_local_media_quota(rec_districts) -> None:
    """Issue 11: a national outlet never fills a province's local-media quota (here either)."""
    from recommender.features import QUOTAS
    from recommender.vocab import QUOTA_TARGETS

    lm = QUOTAS.index("local_media")
    target = QUOTA_TARGETS["local_media"]
    # the service's rule, passed in the frame: the radio is local media in its province
    # and, headquartered there, in another one where it has no partnership
    d0 = rec_districts.iloc[0]
    other = rec_districts[rec_districts["province_code"] != d0["province_code"]].iloc[0]
    given_rule = [[], [d0["province_code"], other["province_code"]], []]
    for rule in (given_rule, None):  # None: the recommender's own fallback (scope + where)
        partners, history, d, other = _media_frames(rec_districts, rule)
        space = FeatureSpace(rec_districts, partners)
        st = space.at(history, dt.date(2026, 1, 1))
        prov = space.prov_pos[d["province_code"]]
        assert st.quota_filled[prov, lm] == 1  # the radio; not the national outlet
        di = space.d_pos[d["code"]]
        x = st.pair_features(np.arange(3), np.full(3, di))
        gap = x[:, COL["quota_gap"]]
        assert gap[0] == 0.0  # the national outlet fills no local-media quota
        assert gap[1] == pytest.approx((target - 1) / target)
        assert gap[2] > 0  # the company fills the company quota as before
        # the block path (all partners x some districts) agrees
        np.testing.assert_allclose(st.block_features(np.array([di])), x, atol=1e-6)
        od = space.d_pos[other["code"]]
        radio_there = st.pair_features(np.array([1]), np.array([od]))[0, COL["quota_gap"]]
        assert (radio_there > 0) == (rule is not None)


def test_the_quota_reason_of_a_national_outlet_says_it_fills_no_local_media_quota(
    rec_districts,
) -> None:
    """A reason never implies that a national outlet would help the local-media quota."""
    from recommender.explain import sentence

    province = rec_districts.iloc[0]["province_code"]  # the radio is local media there
    partners, history, d, _ = _media_frames(rec_districts, [[], [province], []])
    space = FeatureSpace(rec_districts, partners)
    st = space.at(history, dt.date(2026, 1, 1))
    di = space.d_pos[d["code"]]
    national = sentence(st, 0, di, "quota")
    assert national.startswith("Not local media in ") and "local media quota (1 of 4" in national
    assert sentence(st, 0, di, "quota", "id").startswith("Bukan media lokal di ")
    radio = sentence(st, 1, di, "quota")
    assert "Not local media" not in radio and "1 local media committed" in radio
