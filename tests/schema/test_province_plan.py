"""provincePlan: fills the remaining quotas, no partner twice, every pick in the province."""

# Fixtures are imported from recommend_support (shared by two modules), hence F811.
# ruff: noqa: F811
from __future__ import annotations

import calendar
from collections import defaultdict

from sqlalchemy import Engine, text

from tests.schema.conftest import error_codes
from tests.schema.recommend_support import Run, recommender, rrun, version  # noqa: F401

PLAN = """
query($code: String!) {
  provincePlan(provinceCode: $code) {
    modelVersion
    province { code }
    quotas { category target committed remaining }
    picks {
      category score areasCovered
      partner { databaseId kind archived }
      district { code province { code } }
      reasons { factor sentence }
    }
    remainingAfterPlan { category remaining }
  }
}"""
TARGETS = {"COMPANY": 5, "REGIONAL_PARTNER": 10, "LOCAL_MEDIA": 4}


def _months(start, end) -> int:
    m = (end.year - start.year) * 12 + end.month - start.month
    if end.day < min(start.day, calendar.monthrange(end.year, end.month)[1]):
        m -= 1
    return m


def committed_by_category(engine: Engine, province: str) -> dict[str, set[int]]:
    """Distinct partners with a commitment (>= 6 months, active/completed/reported), raw SQL."""
    rows = (
        engine.connect()
        .execute(
            text(
                "SELECT p.id, p.kind, s.status, s.duration_months, s.start_date, s.end_date "
                "FROM partnership s JOIN partner p ON p.id = s.partner_id "
                "JOIN district d ON d.code = s.district_code WHERE d.province_code = :p"
            ),
            {"p": province},
        )
        .all()
    )
    out: dict[str, set[int]] = defaultdict(set)
    for pid, kind, status, months, start, end in rows:
        if status not in ("active", "completed", "reported"):
            continue
        if months is None and start is not None and end is not None:
            import datetime as dt

            s = start if isinstance(start, dt.date) else dt.date.fromisoformat(start)
            e = end if isinstance(end, dt.date) else dt.date.fromisoformat(end)
            months = _months(s, e)
        if months is None or months < 6:
            continue
        cat = (
            "COMPANY"
            if kind in ("company", "state_owned_company")
            else "LOCAL_MEDIA"
            if kind == "media"
            else "REGIONAL_PARTNER"
        )
        out[cat].add(pid)
    return out


async def test_plan_fills_ntt_quotas(rrun: Run, engine: Engine, version: str):
    plan = (await rrun(PLAN, {"code": "53"})).data["provincePlan"]
    assert plan["modelVersion"] == version and plan["province"]["code"] == "53"
    committed = committed_by_category(engine, "53")
    assert {q["category"]: q["committed"] for q in plan["quotas"]} == {
        c: len(committed.get(c, ())) for c in TARGETS
    }
    picks = plan["picks"]
    per_cat = defaultdict(int)
    for p in picks:
        per_cat[p["category"]] += 1
        assert p["district"]["province"]["code"] == "53"
        assert not p["partner"]["archived"]
        assert p["partner"]["databaseId"] not in committed.get(p["category"], set())
        assert len(p["reasons"]) >= 2
    for cat, target in TARGETS.items():
        assert len(committed.get(cat, ())) + per_cat[cat] == max(
            target, len(committed.get(cat, ()))
        )
    assert len({p["partner"]["databaseId"] for p in picks}) == len(picks)
    assert {r["remaining"] for r in plan["remainingAfterPlan"]} == {0}


async def test_plan_spreads_over_districts_and_kinds(rrun: Run):
    plan = (await rrun(PLAN, {"code": "94"})).data["provincePlan"]  # Papua: quotas mostly open
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
