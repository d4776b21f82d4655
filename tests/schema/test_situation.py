"""district { situation }: recomputed here from the raw rows of the seeded database."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Engine, select

from service.db.models import District, Partner, Partnership, PartnershipArea
from tests.schema.conftest import Run

AREAS = [
    "food_supplementation",
    "wash",
    "parenting_early_childhood",
    "behaviour_change_campaign",
    "health_services",
    "foster_parent_sponsorship",
    "economic_empowerment",
    "food_security_agriculture",
    "capacity_building_data",
    "funding",
]

QUERY = """
query($code: String!, $world: World = DEMO) { district(code: $code) {
  latestStuntingPrevalence { value }
  stuntingPrevalenceSeries { year survey value sourceUrl }
  situation(world: $world) {
    prevalenceSeries { year survey value sourceUrl }
    latestPrevalence { value }
    targetPct gapToTarget underdeveloped
    byArea { area partnerCount partnershipCount knownBudgetIdr partnershipsWithoutBudget
             partners { databaseId } }
    uncoveredAreas partnerCount partnershipCount partnershipsWithoutArea
    knownBudgetIdr partnershipsWithoutBudget
    provinceQuotas { category target committed }
  }
  province { quotaProgress(world: $world) { category target committed } }
} }"""


def _busiest_district(engine: Engine) -> str:
    """The district with the most running partnerships that carry a budget and areas."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Partnership.district_code).where(
                Partnership.status.in_(["active", "reported"]), Partnership.budget_idr.is_not(None)
            )
        ).scalars()
        counts: dict[str, int] = defaultdict(int)
        for code in rows:
            counts[code] += 1
    return max(sorted(counts), key=lambda c: counts[c])


async def test_situation_matches_the_raw_rows(run: Run, engine: Engine) -> None:
    """In the demo world (the busiest district's budgets are generated ones)."""
    code = _busiest_district(engine)
    with engine.connect() as conn:
        running = conn.execute(
            select(Partnership.id, Partnership.partner_id, Partnership.budget_idr).where(
                Partnership.district_code == code, Partnership.status.in_(["active", "reported"])
            )
        ).all()
        areas: dict[int, set[str]] = defaultdict(set)
        for pid, area in conn.execute(
            select(PartnershipArea.partnership_id, PartnershipArea.area).where(
                PartnershipArea.partnership_id.in_([r.id for r in running])
            )
        ):
            areas[pid].add(area)
        underdeveloped = conn.execute(
            select(District.underdeveloped).where(District.code == code)
        ).scalar_one()
    result = await run(QUERY, {"code": code})
    district = result.data["district"]
    s = district["situation"]
    assert s["partnershipCount"] == len(running) > 0
    assert s["partnerCount"] == len({r.partner_id for r in running})
    assert s["knownBudgetIdr"] == sum(r.budget_idr for r in running if r.budget_idr is not None)
    assert s["partnershipsWithoutBudget"] == sum(1 for r in running if r.budget_idr is None)
    assert s["partnershipsWithoutArea"] == sum(1 for r in running if not areas[r.id])
    covered = [a for a in AREAS if any(a in areas[r.id] for r in running)]
    assert [a["area"].lower() for a in s["byArea"]] == covered
    assert [a.upper() for a in AREAS if a not in covered] == s["uncoveredAreas"]
    for row in s["byArea"]:
        mine = [r for r in running if row["area"].lower() in areas[r.id]]
        assert row["partnershipCount"] == len(mine)
        assert row["partnerCount"] == len({r.partner_id for r in mine})
        assert {p["databaseId"] for p in row["partners"]} == {r.partner_id for r in mine}
        assert row["knownBudgetIdr"] == sum(r.budget_idr for r in mine if r.budget_idr is not None)
        assert row["partnershipsWithoutBudget"] == sum(1 for r in mine if r.budget_idr is None)
    assert s["prevalenceSeries"] == district["stuntingPrevalenceSeries"]
    latest = district["latestStuntingPrevalence"]["value"]
    assert s["latestPrevalence"]["value"] == latest
    assert s["targetPct"] == 14.0
    assert s["gapToTarget"] == round(latest - 14.0, 1)
    assert s["underdeveloped"] is bool(underdeveloped)
    assert s["provinceQuotas"] == district["province"]["quotaProgress"]


async def test_a_district_without_partners_has_every_area_uncovered(
    run: Run, engine: Engine
) -> None:
    with engine.connect() as conn:
        busy = set(
            conn.execute(
                select(Partnership.district_code).where(
                    Partnership.status.in_(["active", "reported"])
                )
            ).scalars()
        )
        code = next(c for c in conn.execute(select(District.code)).scalars() if c not in busy)
    s = (await run(QUERY, {"code": code})).data["district"]["situation"]
    assert s["byArea"] == [] and s["partnerCount"] == 0 and s["knownBudgetIdr"] == 0
    assert len(s["uncoveredAreas"]) == len(AREAS)


async def test_the_real_situation_leaves_out_the_demo_world(run: Run, engine: Engine) -> None:
    """By default a district's situation holds only real running partnerships."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Partnership.district_code, Partnership.partner_id, Partner.synthetic)
            .join(Partner, Partner.id == Partnership.partner_id)
            .where(Partnership.status.in_(["active", "reported"]))
        ).all()
    real: dict[str, set[int]] = defaultdict(set)
    demo: dict[str, set[int]] = defaultdict(set)
    for code, pid, synthetic in rows:
        (demo if synthetic else real)[code].add(pid)
    # a district where real and generated partners both work
    code = next(c for c in sorted(real) if demo.get(c))
    query = """query($code: String!) { district(code: $code) {
      situation { partnerCount byArea { partners { databaseId synthetic } } } } }"""
    s = (await run(query, {"code": code})).data["district"]["situation"]
    assert s["partnerCount"] == len(real[code])
    shown = [p for a in s["byArea"] for p in a["partners"]]
    assert not any(p["synthetic"] for p in shown)
    assert {p["databaseId"] for p in shown} <= real[code]
