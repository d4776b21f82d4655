"""provincePlan: fills the remaining quotas, no partner twice, every pick in the province."""

# Fixtures are imported from recommend_support (shared by two modules), hence F811.
# ruff: noqa: F811
from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import Engine, text

from tests.schema.campaign_support import TARGETS, expected_progress, media_homes
from tests.schema.conftest import error_codes
from tests.schema.recommend_support import (  # noqa: F401
    Run,
    reach_rule,
    recommender,
    rrun,
    version,
)

PLAN = """
query($code: String!, $world: World = REAL) {
  provincePlan(provinceCode: $code, world: $world) {
    modelVersion
    province { code name }
    quotas { category target committed remaining }
    picks {
      category score areasCovered
      partner { databaseId kind archived synthetic scope }
      district { code province { code } }
      reasons { factor sentence }
    }
    remainingAfterPlan { category remaining explanation id: explanation(language: ID) }
  }
}"""


def committed_by_category(engine: Engine, province: str, *, demo: bool) -> dict[str, set[int]]:
    committed, _ = expected_progress(engine, demo=demo)
    return {c: committed.get((province, c), set()) for c in TARGETS}


def check_plan(plan: dict, engine: Engine, code: str, *, demo: bool) -> None:
    """Picks in the province, no partner twice, nobody already committed; every quota
    is filled by the picks or says why its slots stay open."""
    committed = committed_by_category(engine, code, demo=demo)
    assert {q["category"]: q["committed"] for q in plan["quotas"]} == {
        c: len(committed[c]) for c in TARGETS
    }
    picks = plan["picks"]
    per_cat: dict[str, int] = defaultdict(int)
    for p in picks:
        per_cat[p["category"]] += 1
        assert p["district"]["province"]["code"] == code
        assert not p["partner"]["archived"]
        assert p["partner"]["databaseId"] not in committed[p["category"]]
        assert len(p["reasons"]) >= 2
        if not demo:
            assert p["partner"]["synthetic"] is False
    assert len({p["partner"]["databaseId"] for p in picks}) == len(picks)
    left = {r["category"]: r for r in plan["remainingAfterPlan"]}
    for cat, target in TARGETS.items():
        have = len(committed[cat])
        assert have + per_cat[cat] + left[cat]["remaining"] == max(target, have), cat
        if left[cat]["remaining"]:
            assert "stay open" in left[cat]["explanation"]
            assert "tetap kosong" in left[cat]["id"]
        else:
            assert left[cat]["explanation"] is None


async def test_plan_fills_ntt_quotas_in_the_demo_world(rrun: Run, engine: Engine, version: str):
    plan = (await rrun(PLAN, {"code": "53", "world": "DEMO"})).data["provincePlan"]
    assert plan["modelVersion"] == version and plan["province"]["code"] == "53"
    check_plan(plan, engine, "53", demo=True)
    left = {r["category"]: r["remaining"] for r in plan["remainingAfterPlan"]}
    # plenty of generated companies and regional partners; few local media of NTT
    assert left["COMPANY"] == left["REGIONAL_PARTNER"] == 0
    assert any(p["partner"]["synthetic"] for p in plan["picks"])  # the demo world is used


async def test_no_synthetic_partner_in_any_province_plan_by_default(rrun: Run, engine: Engine):
    codes = [
        r[0] for r in engine.connect().execute(text("SELECT code FROM province ORDER BY code"))
    ]
    assert len(codes) == 38
    reaches = reach_rule(engine)
    picked = 0
    for code in codes:
        plan = (await rrun(PLAN, {"code": code})).data["provincePlan"]
        check_plan(plan, engine, code, demo=False)
        picked += len(plan["picks"])
        for p in plan["picks"]:  # within reach, as recommendPartners would say
            assert reaches(p["partner"]["databaseId"], p["district"]["code"]), (code, p)
    assert picked > 0  # real partners are proposed somewhere


@pytest.mark.parametrize("world", ["REAL", "DEMO"])
async def test_local_media_are_local_or_none_saying_what_stays_open(
    rrun: Run, engine: Engine, world: str
):
    """Papua Pegunungan (95): only media local to the province fill its local-media quota."""
    homes = media_homes(engine)
    national = {pid for pid, h in homes.items() if not h}
    plan = (await rrun(PLAN, {"code": "95", "world": world})).data["provincePlan"]
    check_plan(plan, engine, "95", demo=world == "DEMO")
    media = [p for p in plan["picks"] if p["category"] == "LOCAL_MEDIA"]
    for p in media:
        assert p["partner"]["scope"] in ("LOCAL", "PROVINCIAL")
        assert "95" in homes[p["partner"]["databaseId"]]
    # no outlet that is local media nowhere (the national ones) fills the quota
    assert not national & {p["partner"]["databaseId"] for p in plan["picks"]}
    left = {r["category"]: r for r in plan["remainingAfterPlan"]}["LOCAL_MEDIA"]
    if world == "DEMO":  # the demo world has national media to refuse
        assert national
    if left["remaining"]:
        assert "Papua Pegunungan" in left["explanation"]
        assert "national outlets never fill this quota" in left["explanation"]
        # the explanation names the data it looked at
        assert ("demo world" in left["explanation"]) is (world == "DEMO")


async def test_plan_spreads_over_districts_and_kinds(rrun: Run):
    # Papua Tengah in the demo world: quotas mostly open, many candidates
    plan = (await rrun(PLAN, {"code": "94", "world": "DEMO"})).data["provincePlan"]
    picks = plan["picks"]
    assert len(picks) >= 10
    districts = [p["district"]["code"] for p in picks]
    assert max(districts.count(d) for d in districts) <= 3
    assert len(set(districts)) >= len(picks) // 3
    assert any(p["areasCovered"] for p in picks)


async def test_plan_bad_and_unknown_province(rrun: Run):
    assert error_codes(await rrun(PLAN, {"code": "5"}, errors=True)) == ["BAD_USER_INPUT"]
    unknown = await rrun(PLAN, {"code": "99"}, errors=True)
    assert unknown.data["provincePlan"] is None
    assert error_codes(unknown) == ["NOT_FOUND"]
    assert unknown.errors[0].extensions["field"] == "provinceCode"
    assert "99" in unknown.errors[0].message


PLAN_EMPHASIS = """
query($code: String!, $world: World = REAL, $emphasis: Emphasis) {
  provincePlan(provinceCode: $code, world: $world, emphasis: $emphasis) {
    picks { category score partner { databaseId } district { code } }
  }
}"""
PLAN_DEFAULT = PLAN_EMPHASIS.replace(", emphasis: $emphasis", "").replace(
    ", $emphasis: Emphasis", ""
)


def district_need(engine: Engine) -> dict[str, float]:
    """Each district's need points (0-100), as the plan's emphasis weighs them."""
    from sqlalchemy.orm import Session

    from recommender.emphasis import district_need_points
    from recommender.need import district_need_profile
    from service.domain.recommender_data import district_frame

    with Session(engine) as session:
        d = district_frame(session)
    points = district_need_points(district_need_profile(d))
    return dict(zip(d["code"].astype(str), points, strict=True))


async def test_plan_emphasis_defaults_to_fit_and_need_picks_needier_districts(
    rrun: Run, engine: Engine
):
    need = district_need(engine)
    picked_need: dict[str, list[float]] = {"FIT": [], "NEED": []}
    for code in ("94", "91", "53"):
        default = (await rrun(PLAN_DEFAULT, {"code": code, "world": "DEMO"})).data
        fit = (await rrun(PLAN_EMPHASIS, {"code": code, "world": "DEMO", "emphasis": "FIT"})).data
        assert default == fit  # FIT is the default, as in recommendPartners
        assert fit["provincePlan"]["picks"]
        for emphasis in picked_need:
            plan = (
                await rrun(PLAN_EMPHASIS, {"code": code, "world": "DEMO", "emphasis": emphasis})
            ).data["provincePlan"]
            picked_need[emphasis] += [need[p["district"]["code"]] for p in plan["picks"]]
    assert len(picked_need["NEED"]) > 10
    assert sum(picked_need["NEED"]) / len(picked_need["NEED"]) > sum(picked_need["FIT"]) / len(
        picked_need["FIT"]
    )


async def test_plan_emphasis_outside_the_enum_is_a_validation_error(rrun: Run):
    bad = await rrun(PLAN_EMPHASIS, {"code": "94", "emphasis": "MOST"}, errors=True)
    assert bad.errors and "emphasis" in bad.errors[0].message.lower()


RECOMMEND = """
query($d: String!) {
  recommendPartners(districtCode: $d, first: 50) {
    score partner { databaseId } reasons { factor contribution sentence }
  }
}"""


@pytest.mark.parametrize("code", ["95", "53"])
async def test_real_plan_picks_are_scored_and_explained_as_recommend_partners(rrun: Run, code: str):
    """On the real record the plan ranks with the real-record ranker: each pick carries
    that ranker's 0-100 score and its reasons (known districts, shared partners, kind),
    the same as recommendPartners gives the pair, not another model's sentences."""
    plan = (await rrun(PLAN, {"code": code})).data["provincePlan"]
    assert plan["picks"], "the real record has candidates in this province"
    compared = 0
    for pick in plan["picks"]:
        ranked = (await rrun(RECOMMEND, {"d": pick["district"]["code"]})).data
        same = {r["partner"]["databaseId"]: r for r in ranked["recommendPartners"]}.get(
            pick["partner"]["databaseId"]
        )
        assert 0 <= pick["score"] <= 100
        if same is not None:  # within recommendPartners' first 50
            compared += 1
            assert pick["score"] == pytest.approx(same["score"], abs=1e-3)
            assert [r["sentence"] for r in pick["reasons"]] == [
                r["sentence"] for r in same["reasons"]
            ]
        factors = {r["factor"] for r in pick["reasons"]}
        assert factors <= {"presence", "track_record", "continuity", "profile", "kind", "focus"}
    assert compared >= len(plan["picks"]) // 2
