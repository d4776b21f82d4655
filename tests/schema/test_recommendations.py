"""recommendPartners, recommendDistricts, activeModel and modelVersions through the schema."""

# Fixtures are imported from recommend_support (shared by two modules), hence F811.
# ruff: noqa: F811
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from recommender.record import RealRecord
from recommender.registry import load_ranker
from schema.ids import to_global_id
from service.db.models import ModelVersion, Partner, Partnership
from service.domain.recommending import Recommender
from service.domain.worlds import World
from service.settings import Settings
from tests.model_support import activate, register_variant
from tests.schema.conftest import error_codes
from tests.schema.recommend_support import Run, recommender, rrun, version  # noqa: F401

RECOMMEND = """
query($code: String!, $first: Int = 10, $filter: PartnerRecommendationFilter,
      $world: World = REAL) {
  recommendPartners(districtCode: $code, first: $first, filter: $filter, world: $world) {
    rank score modelVersion
    partner {
      databaseId name kind archived interventionAreas typicalCommitmentMonths synthetic
    }
    reasons { factor contribution sentence }
  }
}"""
DISTRICTS = """
query($id: ID!, $first: Int = 10, $filter: DistrictRecommendationFilter) {
  recommendDistricts(partnerId: $id, first: $first, filter: $filter) {
    rank score modelVersion district { code province { code } } reasons { sentence }
  }
}"""


async def test_recommend_partners_for_tts(rrun: Run, version: str):
    recs = (await rrun(RECOMMEND, {"code": "53.02"})).data["recommendPartners"]
    assert [r["rank"] for r in recs] == list(range(1, 11))
    assert len({r["partner"]["databaseId"] for r in recs}) == 10
    scores = [r["score"] for r in recs]
    assert scores == sorted(scores, reverse=True)
    for r in recs:
        assert r["modelVersion"] == version
        assert len(r["reasons"]) >= 2
        for reason in r["reasons"]:
            assert reason["sentence"][0].isupper() or reason["sentence"][0].isdigit()
            assert "_" not in reason["sentence"] and len(reason["sentence"]) > 15
    sentences = " ".join(x["sentence"] for r in recs for x in r["reasons"])
    assert "Nusa Tenggara Timur" in sentences or "Timor Tengah Selatan" in sentences
    dotless = (await rrun(RECOMMEND, {"code": "5302"})).data["recommendPartners"]
    assert dotless == recs  # "5302" is the same district
    unknown = await rrun(RECOMMEND, {"code": "5399"}, errors=True)
    assert unknown.errors[0].message == "there is no district 5399"


async def test_filters(rrun: Run, engine: Engine):
    flt = {
        "kinds": ["MEDIA", "NGO"],
        "areas": ["BEHAVIOUR_CHANGE_CAMPAIGN"],
        "minCommitmentMonths": 6,
    }
    # the generated partners state typical commitments; real ones rarely do
    demo = {"code": "53.02", "first": 50, "filter": flt, "world": "DEMO"}
    recs = (await rrun(RECOMMEND, demo)).data["recommendPartners"]
    assert recs
    for r in recs:
        p = r["partner"]
        assert p["kind"] in ("MEDIA", "NGO")
        assert "BEHAVIOUR_CHANGE_CAMPAIGN" in p["interventionAreas"]
        assert p["typicalCommitmentMonths"] is not None and p["typicalCommitmentMonths"] >= 6

    with Session(engine) as s:
        current = set(
            s.scalars(
                select(Partnership.partner_id).where(
                    Partnership.district_code == "53.02",
                    Partnership.status.in_(["proposed", "active"]),
                )
            )
        )
    assert current
    all50 = (await rrun(RECOMMEND, {"code": "53.02", "first": 50, "world": "DEMO"})).data
    assert not current & {r["partner"]["databaseId"] for r in all50["recommendPartners"]}
    kept = (
        await rrun(
            RECOMMEND,
            {"code": "53.02", "first": 50, "filter": {"excludeCurrent": False}, "world": "DEMO"},
        )
    ).data
    assert current & {r["partner"]["databaseId"] for r in kept["recommendPartners"]}


async def test_recommend_districts(rrun: Run, version: str):
    pid = to_global_id("Partner", 1)
    recs = (await rrun(DISTRICTS, {"id": pid, "first": 5})).data["recommendDistricts"]
    assert len(recs) == 5 and all(r["modelVersion"] == version for r in recs)
    only = (
        await rrun(DISTRICTS, {"id": pid, "first": 50, "filter": {"provinceCodes": ["53", "52"]}})
    ).data
    assert {r["district"]["province"]["code"] for r in only["recommendDistricts"]} <= {"53", "52"}
    unknown = await rrun(DISTRICTS, {"id": to_global_id("Partner", 999999)}, errors=True)
    assert unknown.data["recommendDistricts"] is None
    assert error_codes(unknown) == ["NOT_FOUND"]
    assert unknown.errors[0].extensions["field"] == "partnerId"


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"code": "53-02"}, "BAD_USER_INPUT", "districtCode"),
        ({"code": "53.02", "first": 0}, "BAD_USER_INPUT", "first"),
        ({"code": "53.02", "first": 51}, "BAD_USER_INPUT", "first"),
        (
            {"code": "53.02", "filter": {"minCommitmentMonths": -1}},
            "BAD_USER_INPUT",
            "minCommitmentMonths",
        ),
    ],
)
async def test_bad_input_is_a_clear_error(rrun: Run, variables: dict, code: str, field: str):
    result = await rrun(RECOMMEND, variables, errors=True)
    assert error_codes(result) == [code]
    assert result.errors[0].extensions["field"] == field


async def test_unknown_district_and_unknown_enum_are_clear_errors(rrun: Run):
    unknown = await rrun(RECOMMEND, {"code": "99.99"}, errors=True)
    assert unknown.data["recommendPartners"] is None
    assert error_codes(unknown) == ["NOT_FOUND"]
    assert unknown.errors[0].extensions["field"] == "districtCode"
    assert "99.99" in unknown.errors[0].message
    result = await rrun(RECOMMEND, {"code": "53.02", "filter": {"kinds": ["ALIEN"]}}, errors=True)
    assert result.errors and "ALIEN" in result.errors[0].message
    bad_id = await rrun(DISTRICTS, {"id": "nope"}, errors=True)
    assert error_codes(bad_id) == ["INVALID_ID"]


async def test_archived_partner_is_never_recommended(rrun: Run, engine: Engine):
    top = (await rrun(RECOMMEND, {"code": "53.02", "first": 1})).data["recommendPartners"][0]
    pid = top["partner"]["databaseId"]
    with engine.begin() as conn:
        conn.execute(
            update(Partner).where(Partner.id == pid).values(archived_at=dt.datetime.now(dt.UTC))
        )
    try:
        recs = (await rrun(RECOMMEND, {"code": "53.02", "first": 50})).data["recommendPartners"]
        assert pid not in {r["partner"]["databaseId"] for r in recs}
        assert all(not r["partner"]["archived"] for r in recs)
        result = await rrun(DISTRICTS, {"id": to_global_id("Partner", pid)}, errors=True)
        assert error_codes(result) == ["BAD_USER_INPUT"]
    finally:
        with engine.begin() as conn:
            conn.execute(update(Partner).where(Partner.id == pid).values(archived_at=None))


ACTIVE = "{ activeModel { version kind createdAt trainingWindow dataHash metrics card fallback } }"


async def test_active_model_and_versions(rrun: Run, version: str):
    active = (await rrun(ACTIVE)).data["activeModel"]
    assert active["version"] == version and active["fallback"] is False
    assert active["metrics"]["time_split"] and active["card"]["intended_use"]
    versions = (await rrun("{ modelVersions { version active } }")).data["modelVersions"]
    assert {"version": version, "active": True} in versions


def _expected_scores(
    engine: Engine, settings: Settings, recommender: Recommender, recs: list[dict], v: str
) -> np.ndarray:
    with Session(engine) as s:
        row = s.scalar(select(ModelVersion).where(ModelVersion.version == v))
    ranker = load_ranker(row.artifact_path, expected_sha256=row.artifact_sha256)
    snap = recommender._snaps[World.REAL]  # the snapshot that served the request
    assert snap is not None
    space = snap.space
    p = np.array([snap.partner_pos[r["partner"]["databaseId"]] for r in recs])
    d = space.d_pos["53.02"]
    real = getattr(ranker, "real_", None)
    if real is not None:  # the real-record rankers: 0-100 match points (emphasis FIT)
        record = RealRecord.from_frames(
            snap.frames.districts, snap.frames.partners, snap.frames.history
        )
        return real.partner_points(record, record.known(), d)[0][p]
    return ranker.score_pairs(snap.state, p, np.full(len(p), d))


async def test_new_version_is_picked_up_and_really_used(
    rrun: Run, engine: Engine, settings: Settings, recommender: Recommender, version: str
):
    before = (await rrun(RECOMMEND, {"code": "53.02"})).data["recommendPartners"]
    np.testing.assert_allclose(
        [r["score"] for r in before],
        _expected_scores(engine, settings, recommender, before, version),
        atol=1e-3,
    )
    other = register_variant(engine, settings, "learned-test-strong-l2", C=0.002)
    activate(engine, other)
    try:
        after = (await rrun(RECOMMEND, {"code": "53.02"})).data["recommendPartners"]
        assert {r["modelVersion"] for r in after} == {other}
        np.testing.assert_allclose(
            [r["score"] for r in after],
            _expected_scores(engine, settings, recommender, after, other),
            atol=1e-3,
        )
        # the scores (and here the ranking) differ: the named version is the one used
        assert [r["score"] for r in after] != [r["score"] for r in before]
        assert (await rrun(ACTIVE)).data["activeModel"]["version"] == other
    finally:
        activate(engine, version)
    assert (await rrun(RECOMMEND, {"code": "53.02", "first": 1})).data["recommendPartners"][0][
        "modelVersion"
    ] == version


async def test_corrupt_active_artifact_falls_back_to_transparent(
    rrun: Run, engine: Engine, settings: Settings, version: str, tmp_path
):
    bad = tmp_path / "broken.skops"
    bad.write_bytes(b"broken")
    with Session(engine) as s, s.begin():
        s.add(
            ModelVersion(
                version="learned-test-broken",
                kind="LearnedRanker",
                artifact_path=str(bad),
                artifact_sha256="0" * 64,
            )
        )
    activate(engine, "learned-test-broken")
    try:
        recs = (await rrun(RECOMMEND, {"code": "53.02"})).data["recommendPartners"]
        assert len(recs) == 10 and {r["modelVersion"] for r in recs} == {"transparent"}
        active = (await rrun(ACTIVE + "")).data["activeModel"]
        assert active["fallback"] is True and active["version"] == "transparent"
    finally:
        activate(engine, version)
