"""partners / partner / partnerships / node, checked against raw SQL on the seeded database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from schema.ids import to_global_id
from tests.schema.conftest import Run, error_codes

PARTNERS = """
query($filter: PartnerFilter, $first: Int, $after: String) {
  partners(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id databaseId name kind synthetic archived } }
  }
}
"""

PARTNERSHIPS = """
query($filter: PartnershipFilter, $first: Int, $after: String) {
  partnerships(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id databaseId status synthetic startYear } }
  }
}
"""


def sql_ids(engine: Engine, query: str, **params: Any) -> list[int]:
    with engine.connect() as conn:
        return sorted(conn.execute(text(query), params).scalars())


async def walk(run: Run, query: str, root: str, variables: dict[str, Any]) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        conn = (await run(query, {**variables, "first": 100, "after": after})).data[root]
        nodes.extend(e["node"] for e in conn["edges"])
        if not conn["pageInfo"]["hasNextPage"]:
            return nodes
        after = conn["pageInfo"]["endCursor"]


async def partner_ids(run: Run, flt: dict[str, Any]) -> list[int]:
    return sorted(n["databaseId"] for n in await walk(run, PARTNERS, "partners", {"filter": flt}))


async def partnership_ids(run: Run, flt: dict[str, Any]) -> list[int]:
    nodes = await walk(run, PARTNERSHIPS, "partnerships", {"filter": flt})
    return sorted(n["databaseId"] for n in nodes)


LIVE = "archived_at IS NULL"


async def test_partner_filters(run: Run, engine: Engine):
    assert await partner_ids(run, {}) == sql_ids(engine, f"SELECT id FROM partner WHERE {LIVE}")
    assert await partner_ids(run, {"includeArchived": True}) == sql_ids(
        engine, "SELECT id FROM partner"
    )
    assert await partner_ids(run, {"kinds": ["MEDIA", "NGO"]}) == sql_ids(
        engine, f"SELECT id FROM partner WHERE kind IN ('media', 'ngo') AND {LIVE}"
    )
    real = await partner_ids(run, {"synthetic": False})
    assert real == sql_ids(
        engine, f"SELECT id FROM partner WHERE synthetic = :f AND {LIVE}", f=False
    )
    assert real
    assert await partner_ids(run, {"interventionAreas": ["WASH", "FUNDING"]}) == sql_ids(
        engine,
        f"SELECT id FROM partner WHERE {LIVE} AND id IN "
        "(SELECT partner_id FROM partner_area WHERE area IN ('wash', 'funding'))",
    )
    in_tts = await partner_ids(run, {"operatingDistrictCode": "53.02"})
    assert in_tts == sql_ids(
        engine,
        f"SELECT id FROM partner WHERE {LIVE} AND id IN "
        "(SELECT partner_id FROM partner_district WHERE district_code = '53.02')",
    )
    assert in_tts and await partner_ids(run, {"operatingDistrictCode": "5302"}) == in_tts
    in_ntt = await partner_ids(run, {"operatingProvinceCode": "53"})
    assert in_ntt == sql_ids(
        engine,
        f"SELECT id FROM partner WHERE {LIVE} AND (id IN "
        "(SELECT partner_id FROM partner_province WHERE province_code = '53') OR id IN "
        "(SELECT pd.partner_id FROM partner_district pd JOIN district d "
        "ON d.code = pd.district_code WHERE d.province_code = '53'))",
    )
    assert in_ntt
    with engine.connect() as conn:
        names = dict(conn.execute(text(f"SELECT id, name FROM partner WHERE {LIVE}")).all())
    # Surrounding blanks are ignored.
    for term in ("dompet", "YAYASAN", " pt "):
        assert await partner_ids(run, {"search": term}) == sorted(
            i for i, n in names.items() if term.strip().lower() in n.lower()
        ), term


async def test_partners_are_ordered_by_name_and_page_cap_applies(run: Run):
    result = await run(PARTNERS, {"first": 100})
    names = [e["node"]["name"] for e in result.data["partners"]["edges"]]
    assert len(names) == 100
    result = await run(PARTNERS, {"first": 101}, errors=True)
    assert error_codes(result) == ["BAD_USER_INPUT"]


async def test_partner_fields(run: Run, engine: Engine):
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT id, name, kind, annual_budget_idr FROM partner "
                "WHERE annual_budget_idr > 2147483647 ORDER BY id LIMIT 1"
            )
        ).one_or_none()
        if row is None:
            row = conn.execute(
                text("SELECT id, name, kind, annual_budget_idr FROM partner ORDER BY id LIMIT 1")
            ).one()
        areas = sorted(
            conn.execute(
                text("SELECT area FROM partner_area WHERE partner_id = :i"), {"i": row.id}
            ).scalars()
        )
        provinces = sorted(
            conn.execute(
                text("SELECT province_code FROM partner_province WHERE partner_id = :i"),
                {"i": row.id},
            ).scalars()
        )
        partnerships = sql_ids(engine, "SELECT id FROM partnership WHERE partner_id = :i", i=row.id)
    result = await run(
        """query($id: ID!) { partner(id: $id) { name kind annualBudgetIdr interventionAreas
             operatingProvinces { code } partnerships { databaseId partner { name } } } }""",
        {"id": to_global_id("Partner", row.id)},
    )
    partner = result.data["partner"]
    assert partner["name"] == row.name
    assert partner["kind"] == row.kind.upper()
    assert partner["annualBudgetIdr"] == row.annual_budget_idr
    assert partner["interventionAreas"] == [a.upper() for a in areas]
    assert [p["code"] for p in partner["operatingProvinces"]] == provinces
    assert sorted(p["databaseId"] for p in partner["partnerships"]) == partnerships
    assert {p["partner"]["name"] for p in partner["partnerships"]} <= {row.name}


async def test_partnership_filters(run: Run, engine: Engine):
    with engine.connect() as conn:
        partner_id, district = conn.execute(
            text("SELECT partner_id, district_code FROM partnership ORDER BY id LIMIT 1")
        ).one()
    assert await partnership_ids(run, {"partnerId": to_global_id("Partner", partner_id)}) == (
        sql_ids(engine, "SELECT id FROM partnership WHERE partner_id = :p", p=partner_id)
    )
    in_district = await partnership_ids(run, {"districtCode": district})
    assert in_district == sql_ids(
        engine, "SELECT id FROM partnership WHERE district_code = :d", d=district
    )
    dotless = district.replace(".", "")
    assert in_district and await partnership_ids(run, {"districtCode": dotless}) == in_district
    assert await partnership_ids(run, {"provinceCode": "53"}) == sql_ids(
        engine,
        "SELECT p.id FROM partnership p JOIN district d ON d.code = p.district_code "
        "WHERE d.province_code = '53'",
    )
    assert await partnership_ids(run, {"statuses": ["ACTIVE", "COMPLETED"]}) == sql_ids(
        engine, "SELECT id FROM partnership WHERE status IN ('active', 'completed')"
    )
    assert await partnership_ids(run, {"interventionAreas": ["WASH"]}) == sql_ids(
        engine,
        "SELECT id FROM partnership WHERE id IN "
        "(SELECT partnership_id FROM partnership_area WHERE area = 'wash')",
    )
    assert await partnership_ids(run, {"synthetic": False}) == sql_ids(
        engine, "SELECT id FROM partnership WHERE synthetic = :f", f=False
    )
    assert await partnership_ids(run, {"startYearFrom": 2021, "startYearTo": 2022}) == sql_ids(
        engine, "SELECT id FROM partnership WHERE start_year BETWEEN 2021 AND 2022"
    )
    result = await run(
        PARTNERSHIPS, {"filter": {"partnerId": to_global_id("District", "53.02")}}, errors=True
    )
    assert error_codes(result) == ["INVALID_ID"]


async def test_node_round_trip(run: Run):
    result = await run(
        """{ province(code: "53") { id } district(code: "53.02") { id }
             partners(first: 1) { edges { node { id name } } }
             partnerships(first: 1) { edges { node { id databaseId } } } }"""
    )
    data = result.data
    ids = {
        "Province": data["province"]["id"],
        "District": data["district"]["id"],
        "Partner": data["partners"]["edges"][0]["node"]["id"],
        "Partnership": data["partnerships"]["edges"][0]["node"]["id"],
    }
    query = """query($id: ID!) { node(id: $id) { __typename id
        ... on Province { code } ... on District { code }
        ... on Partner { name } ... on Partnership { databaseId } } }"""
    for type_name, global_id in ids.items():
        node = (await run(query, {"id": global_id})).data["node"]
        assert node["__typename"] == type_name
        assert node["id"] == global_id
    assert (await run(query, {"id": ids["District"]})).data["node"]["code"] == "53.02"
    assert (await run(query, {"id": ids["Province"]})).data["node"]["code"] == "53"


async def test_node_unknown_is_null_and_garbage_is_invalid_id(run: Run):
    query = "query($id: ID!) { node(id: $id) { id } }"
    for unknown in (
        to_global_id("District", "99.99"),
        to_global_id("Partner", 987654321),
        to_global_id("Province", "00"),
        to_global_id("Partnership", 987654321),
    ):
        assert (await run(query, {"id": unknown})).data == {"node": None}
    for garbage in (
        "garbage",
        "",
        to_global_id("District", "5302x"),
        to_global_id("Partner", "abc"),
        to_global_id("Nope", 1),
        "RGlzdHJpY3Q",
    ):
        result = await run(query, {"id": garbage}, errors=True)
        assert error_codes(result) == ["INVALID_ID"], garbage
    result = await run(
        "query($id: ID!) { partner(id: $id) { id } }",
        {"id": to_global_id("District", "53.02")},
        errors=True,
    )
    assert error_codes(result) == ["INVALID_ID"]


@pytest.mark.parametrize("world", ["REAL", "DEMO"])
async def test_district_partnerships_and_active_counts(run: Run, engine: Engine, world: str):
    """The real record by default; with world DEMO the generated partnerships too."""
    only_real = "AND p.synthetic = :f AND pr.synthetic = :f" if world == "REAL" else ""
    with engine.connect() as conn:
        code = conn.execute(
            text(
                "SELECT p.district_code FROM partnership p JOIN partner pr ON pr.id = p.partner_id "
                f"WHERE p.status IN ('active', 'reported') {only_real} "
                "GROUP BY p.district_code "
                "ORDER BY SUM(CASE WHEN p.status = 'active' THEN 1 ELSE 0 END) DESC, "
                "COUNT(*) DESC, p.district_code LIMIT 1"
            ),
            {"f": False},
        ).scalar_one()
        expected_counts = dict(
            conn.execute(
                text(
                    "SELECT pr.kind, COUNT(DISTINCT pr.id) FROM partnership p "
                    "JOIN partner pr ON pr.id = p.partner_id "
                    f"WHERE p.district_code = :c AND p.status = 'active' {only_real} "
                    "GROUP BY pr.kind"
                ),
                {"c": code, "f": False},
            ).all()
        )
        reported = conn.execute(
            text(
                "SELECT COUNT(*) FROM partnership WHERE district_code = :c "
                "AND status = 'reported' AND synthetic = :f"
            ),
            {"c": code, "f": False},
        ).scalar_one()
    result = await run(
        """query($c: String!, $w: World!) { district(code: $c) {
             partnerships(world: $w) { databaseId synthetic district { code } }
             activePartnerCounts(world: $w) { kind count } reportedRealPartnershipCount } }""",
        {"c": code, "w": world},
    )
    district = result.data["district"]
    expected_ids = sql_ids(
        engine,
        "SELECT p.id FROM partnership p JOIN partner pr ON pr.id = p.partner_id "
        f"WHERE p.district_code = :c {only_real}",
        c=code,
        f=False,
    )
    assert expected_ids
    assert sorted(p["databaseId"] for p in district["partnerships"]) == expected_ids
    assert {p["district"]["code"] for p in district["partnerships"]} == {code}
    if world == "REAL":
        assert not any(p["synthetic"] for p in district["partnerships"])
    else:
        assert any(p["synthetic"] for p in district["partnerships"])
        assert expected_counts  # the demo world has active partnerships to count
    assert {c["kind"].lower(): c["count"] for c in district["activePartnerCounts"]} == (
        expected_counts
    )
    assert district["reportedRealPartnershipCount"] == reported
