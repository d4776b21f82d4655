"""The real-record rankers as served: 0-100 scores with reasons that add up, distances,
the within-reach threshold, and the planner's emphasis (issue 11, C and D)."""

# Fixtures are imported from recommend_support (shared by several modules), hence F811.
# ruff: noqa: F811
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from recommender.real_model import SUITABLE_SCORE
from schema.ids import to_global_id
from service.db.models import District, Partnership
from service.domain.recommending import Recommender
from service.domain.worlds import World
from tests.schema.recommend_support import (  # noqa: F401
    Run,
    reach_rule,
    recommender,
    rrun,
    version,
)

PARTNERS = """
query($code: String!, $first: Int = 10, $emphasis: Emphasis = FIT,
      $filter: PartnerRecommendationFilter) {
  recommendPartners(districtCode: $code, first: $first, emphasis: $emphasis, filter: $filter) {
    rank score distanceKm withinReach partner { databaseId synthetic }
    reasons { factor contribution sentence }
  }
}"""
DISTRICTS = """
query($id: ID!, $first: Int = 10, $emphasis: Emphasis = FIT) {
  recommendDistricts(partnerId: $id, first: $first, emphasis: $emphasis) {
    rank score distanceKm district { code } reasons { factor contribution sentence }
  }
}"""


def _known_districts(engine: Engine) -> dict[int, set[str]]:
    with Session(engine) as s:
        rows = s.execute(
            select(Partnership.partner_id, Partnership.district_code).where(
                Partnership.synthetic.is_(False),
                Partnership.status.in_(("reported", "active", "completed")),
            )
        ).all()
    out: dict[int, set[str]] = {}
    for pid, code in rows:
        out.setdefault(pid, set()).add(code)
    return out


@pytest.mark.parametrize("emphasis", ["FIT", "BALANCED", "NEED"])
async def test_partner_scores_are_0_100_and_reasons_add_up(rrun: Run, emphasis: str):
    recs = (await rrun(PARTNERS, {"code": "53.02", "emphasis": emphasis})).data["recommendPartners"]
    assert len(recs) == 10
    scores = [r["score"] for r in recs]
    assert scores == sorted(scores, reverse=True)
    for r in recs:
        assert 0 <= r["score"] <= 100
        total = sum(x["contribution"] for x in r["reasons"])
        assert total == pytest.approx(r["score"], abs=1e-2)
        assert all(x["contribution"] >= 0 for x in r["reasons"])
        assert r["distanceKm"] is not None and r["withinReach"] is True
    factors = {x["factor"] for r in recs for x in r["reasons"]}
    assert ("focus" in factors) == (emphasis != "FIT")


async def test_reasons_name_only_the_factors_the_model_uses(rrun: Run, recommender: Recommender):
    """A factor with no weight in the served logit scores 0 for everyone: no reason for it."""
    snap = await recommender.snapshot(World.REAL)
    assert snap.real is not None
    used = set(snap.real.ranker.partner_model_.factors_used())
    recs = (await rrun(PARTNERS, {"code": "53.02"})).data["recommendPartners"]
    for r in recs:
        assert {x["factor"] for x in r["reasons"]} == used


async def test_distance_and_track_record_agree_with_the_data(rrun: Run, engine: Engine):
    known = _known_districts(engine)
    with Session(engine) as s:
        coords = {
            c: (lat, lon)
            for c, lat, lon in s.execute(
                select(District.code, District.latitude, District.longitude)
            )
        }
    recs = (await rrun(PARTNERS, {"code": "53.02", "first": 20})).data["recommendPartners"]
    lat0, lon0 = np.radians(coords["53.02"])
    for r in recs:
        own = known[r["partner"]["databaseId"]]
        kms = []
        for c in own:
            lat, lon = np.radians(coords[c])
            h = (
                np.sin((lat - lat0) / 2) ** 2
                + np.cos(lat0) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
            )
            kms.append(2 * 6371.0 * np.arcsin(np.sqrt(h)))
        assert r["distanceKm"] == pytest.approx(min(kms), abs=0.1)
        track = next(x["sentence"] for x in r["reasons"] if x["factor"] == "track_record")
        assert track.startswith(f"Known in {len(own)} district")


async def test_no_partner_of_a_kind_within_reach_says_so(rrun: Run, recommender: Recommender):
    """A kind whose real partners all sit far from a district: nobody is ranked first."""
    snap = await recommender.snapshot(World.REAL)
    assert snap.real is not None
    kinds = snap.space.partners["kind"].to_numpy()
    far, kind = next(
        (str(snap.space.d_codes[d]), k)
        for d in range(0, len(snap.space.d_codes), 7)
        for k in ("media", "academia", "company")
        if (kinds == k).any()
        and snap.real.partners_for(snap.state, d, "fit").fit[kinds == k].max() < SUITABLE_SCORE
    )
    flt = {"kinds": [kind.upper()]}
    default = (await rrun(PARTNERS, {"code": far, "filter": flt})).data["recommendPartners"]
    assert default == []
    shown = (
        await rrun(PARTNERS, {"code": far, "filter": {**flt, "includeOutOfReach": True}})
    ).data["recommendPartners"]
    assert shown and not any(r["withinReach"] for r in shown)
    assert all(r["score"] < SUITABLE_SCORE for r in shown)
    assert all(r["distanceKm"] > 100 for r in shown)


async def test_partners_known_only_in_another_province_far_away_are_out_of_reach(
    rrun: Run, engine: Engine
):
    """A local NGO or zakat body known only in a province hundreds of km away is not a
    match by default (it was: Kupang got an East Bali NGO 931 km away "within reach");
    listed on request, it says why it is out of reach."""
    reaches = reach_rule(engine)
    flt = {"kinds": ["NGO", "ZAKAT_ORG", "MEDIA"]}
    beyond = 0
    for code in ("53.01", "11.01", "95.01", "53.02", "73.71"):
        default = (await rrun(PARTNERS, {"code": code, "first": 20, "filter": flt})).data
        for r in default["recommendPartners"]:
            assert r["withinReach"] is True
            assert reaches(r["partner"]["databaseId"], code), (code, r)
        every = (
            await rrun(
                PARTNERS,
                {"code": code, "first": 50, "filter": {**flt, "includeOutOfReach": True}},
            )
        ).data["recommendPartners"]
        for r in every:
            if not reaches(r["partner"]["databaseId"], code):
                beyond += 1
                assert r["withinReach"] is False
                presence = next(x for x in r["reasons"] if x["factor"] == "presence")
                assert presence["sentence"].endswith("beyond reach")
                assert r["distanceKm"] > 300
    assert beyond > 0  # the rule left someone out, so the check above means something


async def test_districts_out_of_a_one_province_partners_reach_are_left_out(
    rrun: Run, engine: Engine
):
    """Bank NTT-like partners (known in one province only) are not sent across the
    country by need: with NEED emphasis every default district is within reach; asked,
    the others come back marked out of reach."""
    reaches = reach_rule(engine)
    known = _known_districts(engine)
    with Session(engine) as s:
        province = dict(s.execute(select(District.code, District.province_code)).all())
    local = [p for p, own in known.items() if len({province[c] for c in own}) == 1]
    query = """
    query($id: ID!, $filter: DistrictRecommendationFilter) {
      recommendDistricts(partnerId: $id, first: 50, emphasis: NEED, filter: $filter) {
        withinReach distanceKm district { code }
      }
    }"""
    beyond = 0
    for pid in sorted(local, key=lambda p: -len(known[p]))[:6]:
        gid = to_global_id("Partner", pid)
        recs = (await rrun(query, {"id": gid})).data["recommendDistricts"]
        assert recs
        for r in recs:
            assert r["withinReach"] is True
            assert reaches(pid, r["district"]["code"]), (pid, r)
        every = (await rrun(query, {"id": gid, "filter": {"includeOutOfReach": True}})).data
        for r in every["recommendDistricts"]:
            assert r["withinReach"] is reaches(pid, r["district"]["code"])
            beyond += not r["withinReach"]
    assert beyond > 0  # NEED does pull far districts up when allowed


async def test_need_emphasis_moves_districts_towards_need(
    rrun: Run, engine: Engine, recommender: Recommender
):
    known = _known_districts(engine)
    pid = max(known, key=lambda p: len(known[p]))
    snap = await recommender.snapshot(World.REAL)
    prevalence = dict(
        zip(snap.space.d_codes, snap.space.profile["prevalence"].to_numpy(float), strict=True)
    )
    means = {}
    for emphasis in ("FIT", "BALANCED", "NEED"):
        recs = (
            await rrun(DISTRICTS, {"id": to_global_id("Partner", pid), "emphasis": emphasis})
        ).data["recommendDistricts"]
        assert len(recs) == 10
        for r in recs:
            assert 0 <= r["score"] <= 100 and r["distanceKm"] is not None
            assert sum(x["contribution"] for x in r["reasons"]) == pytest.approx(
                r["score"], abs=1e-2
            )
        assert {r["district"]["code"] for r in recs}.isdisjoint(known[pid])
        # the walk spreads from the known districts: each reason names the nearest one
        # and how far it is, which the answer's distanceKm shows too
        for r in recs:
            (presence,) = [x["sentence"] for x in r["reasons"] if x["factor"] == "presence"]
            assert presence.startswith("Its nearest known district, ")
            km = float(presence.split(" is ")[1].split(" km")[0].replace(",", ""))
            assert km == pytest.approx(r["distanceKm"], abs=0.6)
        means[emphasis] = np.mean([prevalence[r["district"]["code"]] for r in recs])
    assert means["FIT"] <= means["BALANCED"] <= means["NEED"], means
    assert means["NEED"] > means["FIT"]


async def test_an_emphasis_outside_the_enum_is_a_validation_error(rrun: Run):
    res = await rrun(PARTNERS, {"code": "53.02", "emphasis": "LOUD"}, errors=True)
    assert res.errors and "Emphasis" in res.errors[0].message
