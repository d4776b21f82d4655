"""Answers a planner can trust: the real record by default, nobody recommended where they
already work, rejections honoured at once, and demo data only when it exists and is asked."""

# Fixtures are imported from recommend_support (shared by two modules), hence F811.
# ruff: noqa: F811
from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from schema.context import build_context
from schema.ids import to_global_id
from service.auth import Principal, Role
from service.db.migrate import upgrade
from service.db.models import AuditLog, District, Partner, Partnership, RecommendationFeedback
from service.db.session import make_async_engine, make_async_sessionmaker, make_engine
from service.domain.recommending import Recommender
from service.settings import Settings, async_url
from tests.schema.conftest import error_codes
from tests.schema.recommend_support import Run, recommender, rrun, version  # noqa: F401

RECOMMEND = """
query($code: String!, $first: Int = 10, $world: World = REAL) {
  recommendPartners(districtCode: $code, first: $first, world: $world) {
    rank partner { databaseId synthetic }
  }
}"""
DISTRICTS = """
query($id: ID!, $first: Int = 50, $filter: DistrictRecommendationFilter) {
  recommendDistricts(partnerId: $id, first: $first, filter: $filter) { district { code } }
}"""
FEEDBACK = """
mutation($input: RecordRecommendationFeedbackInput!) {
  recordRecommendationFeedback(input: $input) {
    feedback { databaseId verdict }
    removedFromRecommendations
    userErrors { field message code }
  }
}"""
PLANNER = Principal(owner="Trust test (planner)", role=Role.PLANNER, token_id=None)
SEED = 11


def _synthetic_ids(engine: Engine) -> set[int]:
    with Session(engine) as s:
        return set(s.scalars(select(Partner.id).where(Partner.synthetic.is_(True))))


def _working_in(engine: Engine, code: str) -> set[int]:
    """Partners with a proposed, active or reported partnership in the district (raw rows)."""
    with Session(engine) as s:
        return set(
            s.scalars(
                select(Partnership.partner_id).where(
                    Partnership.district_code == code,
                    Partnership.status.in_(["proposed", "active", "reported"]),
                )
            )
        )


async def test_no_synthetic_partner_for_50_random_districts_by_default(rrun: Run, engine: Engine):
    synthetic = _synthetic_ids(engine)
    assert synthetic, "the seeded database holds a demo world to leave out"
    with Session(engine) as s:
        codes = sorted(s.scalars(select(District.code)))
    sample = random.Random(SEED).sample(codes, 50)
    shown = 0
    for code in sample:
        recs = (await rrun(RECOMMEND, {"code": code})).data["recommendPartners"]
        ids = {r["partner"]["databaseId"] for r in recs}
        assert not ids & synthetic, code
        assert not any(r["partner"]["synthetic"] for r in recs)
        shown += len(recs)
    assert shown > 0  # real partners are recommended, not an empty answer
    # the demo world, asked by name, does bring generated partners, and says so
    demo = (await rrun(RECOMMEND, {"code": sample[0], "world": "DEMO"})).data
    flagged = [r for r in demo["recommendPartners"] if r["partner"]["synthetic"]]
    assert flagged and {r["partner"]["databaseId"] for r in flagged} <= synthetic


@pytest.mark.parametrize("world", ["REAL", "DEMO"])
async def test_no_partner_already_working_in_tts(rrun: Run, engine: Engine, world: str):
    working = _working_in(engine, "53.02")
    with Session(engine) as s:
        reported = set(
            s.scalars(
                select(Partnership.partner_id).where(
                    Partnership.district_code == "53.02", Partnership.status == "reported"
                )
            )
        )
    assert reported, "Timor Tengah Selatan has real reported partners"
    recs = (await rrun(RECOMMEND, {"code": "53.02", "first": 50, "world": world})).data
    ids = {r["partner"]["databaseId"] for r in recs["recommendPartners"]}
    # the real world lists only partners within reach (docs/recommender.md), so fewer
    assert len(ids) == 50 if world == "DEMO" else len(ids) >= 10
    assert not ids & working


async def test_recommend_districts_leaves_out_where_the_partner_works(rrun: Run, engine: Engine):
    with Session(engine) as s:
        pid, code = s.execute(
            select(Partnership.partner_id, Partnership.district_code)
            .join(Partner, Partner.id == Partnership.partner_id)
            .where(Partnership.status == "reported", Partner.archived_at.is_(None))
            .order_by(Partnership.id)
        ).first()  # type: ignore[misc]
        where = set(
            s.scalars(
                select(Partnership.district_code).where(
                    Partnership.partner_id == pid,
                    Partnership.status.in_(["proposed", "active", "reported"]),
                )
            )
        )
    gid = to_global_id("Partner", pid)
    province = [code.split(".")[0]]
    flt = {"provinceCodes": province}
    recs = (await rrun(DISTRICTS, {"id": gid, "filter": flt})).data["recommendDistricts"]
    assert not where & {r["district"]["code"] for r in recs}
    asked = {"provinceCodes": province, "excludeCurrent": False}
    kept = (await rrun(DISTRICTS, {"id": gid, "filter": asked})).data["recommendDistricts"]
    assert code in {r["district"]["code"] for r in kept}


async def test_a_generated_partner_has_districts_only_in_the_demo_world(rrun: Run, engine: Engine):
    with Session(engine) as s:
        pid = s.scalar(
            select(Partner.id)
            .where(Partner.synthetic.is_(True), Partner.archived_at.is_(None))
            .order_by(Partner.id)
        )
    gid = to_global_id("Partner", pid)
    real = await rrun(DISTRICTS, {"id": gid}, errors=True)
    assert error_codes(real) == ["NOT_FOUND"]
    assert "world: DEMO" in real.errors[0].message
    demo = await rrun(
        "query($id: ID!) { recommendDistricts(partnerId: $id, world: DEMO) { rank } }",
        {"id": gid},
    )
    assert demo.data["recommendDistricts"]


async def test_a_rejected_partner_is_gone_from_the_next_recommendations(
    gql_schema: Any,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    recommender: Recommender,
    rrun: Run,
    engine: Engine,
):
    code = "53.02"
    top = (await rrun(RECOMMEND, {"code": code, "first": 3})).data["recommendPartners"]
    pid = top[0]["partner"]["databaseId"]

    async def verdict(value: str) -> dict:
        result = await gql_schema.execute(
            FEEDBACK,
            variable_values={
                "input": {
                    "districtCode": code,
                    "partnerId": to_global_id("Partner", pid),
                    "verdict": value,
                }
            },
            context_value=build_context(
                session_factory, settings, recommender=recommender, principal=PLANNER
            ),
        )
        assert result.errors is None, result.errors
        return result.data["recordRecommendationFeedback"]

    try:
        payload = await verdict("REJECTED")
        assert payload["userErrors"] == [] and payload["removedFromRecommendations"] is True
        after = (await rrun(RECOMMEND, {"code": code, "first": 50})).data["recommendPartners"]
        assert pid not in {r["partner"]["databaseId"] for r in after}
        assert len(after) >= 10  # partners within reach only (docs/recommender.md)
        plan = (
            await rrun(
                'query { provincePlan(provinceCode: "53") '
                "{ picks { partner { databaseId } district { code } } } }"
            )
        ).data["provincePlan"]
        assert (pid, code) not in {
            (p["partner"]["databaseId"], p["district"]["code"]) for p in plan["picks"]
        }
        districts = (await rrun(DISTRICTS, {"id": to_global_id("Partner", pid)})).data
        assert code not in {r["district"]["code"] for r in districts["recommendDistricts"]}
        # a later ACCEPTED verdict on the pair lifts the rejection
        accepted = await verdict("ACCEPTED")
        assert accepted["removedFromRecommendations"] is False
        back = (await rrun(RECOMMEND, {"code": code, "first": 3})).data["recommendPartners"]
        assert pid in {r["partner"]["databaseId"] for r in back}
    finally:
        with engine.begin() as conn:
            conn.execute(
                delete(AuditLog).where(
                    AuditLog.actor == PLANNER.owner,
                    AuditLog.action == "recordRecommendationFeedback",
                )
            )
            conn.execute(
                delete(RecommendationFeedback).where(RecommendationFeedback.actor == PLANNER.owner)
            )


@pytest.fixture
async def empty_factory(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A migrated database with no data at all: no demo world to show."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    eng = make_engine(url)
    upgrade(eng)
    eng.dispose()
    aeng = make_async_engine(async_url(url))
    yield make_async_sessionmaker(aeng)
    await aeng.dispose()


@pytest.mark.parametrize(
    "query",
    [
        "{ campaignProgress(world: DEMO) { committedPartners } }",
        '{ recommendPartners(districtCode: "53.02", world: DEMO) { rank } }',
        '{ provincePlan(provinceCode: "53", world: DEMO) { modelVersion } }',
    ],
)
async def test_demo_asked_of_a_database_without_it_says_so(
    gql_schema: Any,
    empty_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    query: str,
):
    result = await gql_schema.execute(query, context_value=build_context(empty_factory, settings))
    assert error_codes(result) == ["DEMO_UNAVAILABLE"]
    assert result.errors[0].extensions["field"] == "world"
    assert "no generated demo data" in result.errors[0].message
    real = await gql_schema.execute(
        "{ campaignProgress { world committedPartners syntheticCommittedPartners } }",
        context_value=build_context(empty_factory, settings),
    )
    assert real.errors is None
    assert real.data["campaignProgress"] == {
        "world": "REAL",
        "committedPartners": 0,
        "syntheticCommittedPartners": 0,
    }
