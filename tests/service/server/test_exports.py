"""Exports over HTTP: round trips against the API, formats, filters, errors and access.

The application runs on the session's seeded database (exports only read); the tokens
the access tests need are deleted again afterwards.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from shapely.geometry import shape
from sqlalchemy import Engine, delete
from starlette.testclient import TestClient

from service.auth import Role
from service.db.models import ApiToken
from service.domain import export_tables, exports
from service.domain.worlds import World
from service.server.app import create_app
from service.settings import Settings
from tests.schema.api_support import bearer, create_tokens

DISTRICT_PAGE = """
query($first: Int, $after: String, $filter: DistrictFilter, $order: DistrictOrder,
      $world: World = REAL) {
  districts(first: $first, after: $after, filter: $filter, orderBy: $order) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes {
      code name type underdeveloped population province { code name }
      latestStuntingPrevalence { value year survey imputed sourceUrl }
      activePartnerCounts(world: $world) { kind count } reportedRealPartnershipCount
      committedPartnerCount(world: $world)
    }
  }
}"""


@pytest.fixture(scope="module")
def tokens(settings: Settings, engine: Engine) -> Iterator[dict[Role, str]]:
    made = asyncio.run(create_tokens(settings.database_url))
    yield made
    with engine.begin() as conn:
        conn.execute(delete(ApiToken).where(ApiToken.owner.like("%-owner")))


@pytest.fixture(scope="module")
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    # Whole tables, many times over from one address: far beyond an anonymous client's
    # budget, which tests/service/server/test_export_rate_limit.py covers.
    unlimited = dataclasses.replace(
        settings, rate_limit_per_minute=0, anonymous_rate_limit_per_minute=0
    )
    with TestClient(create_app(unlimited)) as test_client:
        yield test_client


def api_districts(
    client: TestClient, flt: dict[str, Any] | None, order: Any = None, world: str = "REAL"
) -> list[Any]:
    """Every node of districts(first: 100) for the filter, page by page."""
    nodes: list[Any] = []
    after = None
    while True:
        variables = {"first": 100, "after": after, "filter": flt, "order": order, "world": world}
        body = client.post("/graphql", json={"query": DISTRICT_PAGE, "variables": variables}).json()
        assert "errors" not in body, body
        page = body["data"]["districts"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            assert len(nodes) == page["totalCount"]
            return nodes
        after = page["pageInfo"]["endCursor"]


def read_csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def as_csv(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def expected_row(node: dict[str, Any]) -> dict[str, str]:
    """The export's columns for one API node, written as the CSV writes them."""
    latest = node["latestStuntingPrevalence"] or {}
    active = {k["kind"].lower(): k["count"] for k in node["activePartnerCounts"]}
    coverage = sum(active.values()) + node["reportedRealPartnershipCount"]
    row = {
        "district_code": node["code"],
        "name": node["name"],
        "type": node["type"].lower(),
        "province_code": node["province"]["code"],
        "province_name": node["province"]["name"],
        "underdeveloped": as_csv(node["underdeveloped"]),
        "population": as_csv(node["population"]),
        "prevalence": as_csv(latest.get("value")),
        "prevalence_year": as_csv(latest.get("year")),
        "prevalence_survey": as_csv(latest.get("survey")),
        "prevalence_imputed": as_csv(latest.get("imputed")),
        "prevalence_source_url": as_csv(latest.get("sourceUrl")),
        "coverage": str(coverage),
        "committed_partners": str(node["committedPartnerCount"]),
        "reported_real_partnerships": str(node["reportedRealPartnershipCount"]),
    }
    for column in export_tables.KIND_COLUMNS:
        row[column] = str(active.get(column.removeprefix("active_partners_"), 0))
    return row


def compare(rows: list[dict[str, str]], nodes: list[dict[str, Any]]) -> None:
    assert [r["district_code"] for r in rows] == [n["code"] for n in nodes]
    for row, node in zip(rows, nodes, strict=True):
        expected = expected_row(node)
        assert {k: row[k] for k in expected} == expected


def test_districts_csv_equals_the_api_pages(client: TestClient) -> None:
    rows = read_csv(client.get("/export/districts.csv"))
    assert list(rows[0]) == list(export_tables.DISTRICTS.columns)
    nodes = api_districts(client, None)
    assert len(rows) == len(nodes) == 514
    compare(rows, nodes)
    assert {r["provenance"] for r in rows} == {export_tables.DISTRICT_PROVENANCE[World.REAL]}
    assert any(r["prevalence_imputed"] == "true" for r in rows)


def test_demo_world_districts_csv_equals_the_api_in_demo(client: TestClient) -> None:
    rows = read_csv(client.get("/export/districts.csv?world=demo&provinceCode=53"))
    nodes = api_districts(client, {"provinceCode": "53"}, world="DEMO")
    compare(rows, nodes)
    real = read_csv(client.get("/export/districts.csv?provinceCode=53"))
    assert sum(int(r["coverage"]) for r in rows) > sum(int(r["coverage"]) for r in real)
    assert {r["provenance"] for r in rows} == {export_tables.DISTRICT_PROVENANCE[World.DEMO]}


def test_filtered_and_ordered_csv_equals_the_api(client: TestClient) -> None:
    query = "provinceCode=53&prevalenceMin=30&orderBy=PREVALENCE&direction=desc"
    rows = read_csv(client.get(f"/export/districts.csv?{query}"))
    nodes = api_districts(
        client,
        {"provinceCode": "53", "prevalenceMin": 30},
        {"field": "PREVALENCE", "direction": "DESC"},
    )
    assert 0 < len(rows) < 30
    compare(rows, nodes)


def test_districts_xlsx_opens_with_openpyxl(client: TestClient) -> None:
    response = client.get("/export/districts.xlsx?underdeveloped=true")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["Districts", "README"]
    table = list(book["Districts"].iter_rows(values_only=True))
    assert list(table[0]) == list(export_tables.DISTRICTS.columns)
    nodes = api_districts(client, {"underdeveloped": True})
    assert [r[0] for r in table[1:]] == [n["code"] for n in nodes]
    readme = " ".join(str(c) for row in book["README"].iter_rows(values_only=True) for c in row)
    for needle in ("ODbL", "CC BY 3.0 IGO", "synthetic (demo)"):
        assert needle in readme


def test_districts_geojson(client: TestClient) -> None:
    response = client.get("/export/districts.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    collection = json.loads(response.content)
    features = collection["features"]
    assert len(features) == 514
    assert "CC BY 3.0 IGO" in collection["attribution"]
    rows = read_csv(client.get("/export/districts.csv"))
    for feature, row in zip(features, rows, strict=True):
        assert feature["id"] == row["district_code"]
        assert as_csv(feature["properties"]["prevalence"]) == row["prevalence"]
        geometry = shape(feature["geometry"])
        assert geometry.is_valid and not geometry.is_empty, feature["id"]
        assert 94 < geometry.centroid.x < 142 and -12 < geometry.centroid.y < 7


@pytest.mark.parametrize("table", ["partners", "partnerships"])
def test_partner_tables_count_like_the_api(client: TestClient, table: str) -> None:
    """The real record by default; world=demo adds the generated rows, each marked."""

    def total(flt: str) -> int:
        query = f"{{ {table}(first: 1{flt}) {{ totalCount }} }}"
        count: int = client.post("/graphql", json={"query": query}).json()["data"][table][
            "totalCount"
        ]
        return count

    rows = read_csv(client.get(f"/export/{table}.csv"))
    assert len(rows) == total(", filter: {synthetic: false}") > 0
    assert list(rows[0]) == list(export_tables.TABLES[table].columns)
    assert {r["provenance"] for r in rows} == {"real"}
    demo = read_csv(client.get(f"/export/{table}.csv?world=demo"))
    assert len(demo) == total("") > len(rows)
    assert {r["provenance"] for r in demo} == {"real", "synthetic (demo)"}


def test_partnerships_carry_commitment_months(client: TestClient) -> None:
    rows = read_csv(
        client.get("/export/partnerships.csv?provinceCode=53&status=active,completed&world=demo")
    )
    assert rows and {r["status"] for r in rows} <= {"active", "completed"}
    for r in rows:
        if r["duration_months"]:
            assert r["commitment_months"] == r["duration_months"]
        months = int(r["commitment_months"]) if r["commitment_months"] else 0
        assert (r["is_commitment"] == "true") == (months >= 6), r


def test_district_codes_in_either_form(client: TestClient) -> None:
    dotted = read_csv(client.get("/export/partnerships.csv?districtCode=53.02"))
    assert dotted and read_csv(client.get("/export/partnerships.csv?districtCode=5302")) == dotted


def test_quota_progress_csv(client: TestClient) -> None:
    rows = read_csv(client.get("/export/quota-progress.csv"))
    assert len(rows) == 38 * 3
    body = client.post(
        "/graphql",
        json={"query": '{ province(code: "53") { quotaProgress { category committed } } }'},
    ).json()
    ntt = {r["category"]: r["committed"] for r in rows if r["province_code"] == "53"}
    assert ntt == {
        q["category"].lower(): str(q["committed"])
        for q in body["data"]["province"]["quotaProgress"]
    }


def test_province_plan_and_expiring_csv(client: TestClient) -> None:
    rows = read_csv(client.get("/export/province-plan.csv?provinceCode=53"))
    body = client.post(
        "/graphql",
        json={"query": '{ provincePlan(provinceCode: "53") { picks { partner { name } } } }'},
    ).json()
    assert [r["partner_name"] for r in rows] == [
        p["partner"]["name"] for p in body["data"]["provincePlan"]["picks"]
    ]
    # the plan's emphasis, as provincePlan(emphasis:) takes it: the same picks as the API's
    need = read_csv(client.get("/export/province-plan.csv?provinceCode=53&emphasis=NEED"))
    body = client.post(
        "/graphql",
        json={
            "query": '{ provincePlan(provinceCode: "53", emphasis: NEED) '
            "{ picks { partner { name } district { code } } } }"
        },
    ).json()
    assert [(r["partner_name"], r["district_code"]) for r in need] == [
        (p["partner"]["name"], p["district"]["code"]) for p in body["data"]["provincePlan"]["picks"]
    ]
    bad = client.get("/export/province-plan.csv?provinceCode=53&emphasis=loud")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["extensions"]["field"] == "emphasis"
    expiring = client.get("/export/expiring-commitments.csv?withinDays=730&provinceCode=53")
    read_csv(expiring)  # status, type and disposition
    assert expiring.text.splitlines()[0].split(",") == list(
        export_tables.EXPIRING_COMMITMENTS.columns
    )


@pytest.mark.parametrize(
    ("url", "status", "code", "field"),
    [
        ("/export/districts.csv?provinceCode=99", 404, "NOT_FOUND", "provinceCode"),
        ("/export/districts.xlsx?provinceCode=5", 400, "INVALID_FORMAT", "provinceCode"),
        ("/export/partners.csv?districtCode=53.99", 404, "NOT_FOUND", "districtCode"),
        ("/export/partnerships.csv?partnerId=999999", 404, "NOT_FOUND", "partnerId"),
        ("/export/districts.csv?province=53", 400, "BAD_USER_INPUT", "province"),
        ("/export/districts.csv?underdeveloped=maybe", 400, "BAD_USER_INPUT", "underdeveloped"),
        ("/export/expiring-commitments.csv?withinDays=0", 400, "BAD_USER_INPUT", "withinDays"),
        ("/export/expiring-commitments.csv?withinDays=731", 400, "BAD_USER_INPUT", "withinDays"),
        ("/export/province-plan.csv", 400, "BAD_USER_INPUT", "provinceCode"),
        ("/export/partners.geojson", 404, "NOT_FOUND", None),
        ("/export/partners.csv?synthetic=true", 400, "BAD_USER_INPUT", "synthetic"),
        ("/export/quota-progress.csv?world=fantasy", 400, "BAD_USER_INPUT", "world"),
    ],
)
def test_bad_filters_are_json_errors(
    client: TestClient, url: str, status: int, code: str, field: str | None
) -> None:
    response = client.get(url)
    assert response.status_code == status, response.text
    [error] = response.json()["errors"]
    assert error["extensions"].get("code") == code
    assert error["extensions"].get("field") == field


def test_access_follows_the_api(settings: Settings, tokens: dict[Role, str]) -> None:
    locked = dataclasses.replace(settings, reads_require_token=True)
    with TestClient(create_app(locked)) as client:
        refused = client.get("/export/districts.csv")
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        stale = client.get("/export/districts.csv", headers=bearer("mitra_not-a-token"))
        assert stale.status_code == 401
        viewer = client.get("/export/districts.csv", headers=bearer(tokens[Role.VIEWER]))
        assert len(read_csv(viewer)) == 514
        xlsx = client.get("/export/districts.xlsx", headers=bearer(tokens[Role.VIEWER]))
        assert xlsx.status_code == 200
    with TestClient(create_app(settings)) as open_client:
        assert open_client.get("/export/quota-progress.csv").status_code == 200
        stale = open_client.get("/export/quota-progress.csv", headers=bearer("mitra_bad"))
        assert stale.status_code == 401, "a refused token is refused even when reads are open"


async def test_rows_stream_batch_by_batch(
    settings: Settings, engine: Engine, monkeypatch: Any
) -> None:
    """The first row arrives after one page is read, not after all of them."""
    from service.db.session import make_async_engine, make_async_sessionmaker
    from service.domain import districts

    aengine = make_async_engine(settings.async_database_url)
    session_factory = make_async_sessionmaker(aengine)

    calls: list[int] = []
    original = districts.list_districts

    async def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["offset"])
        return await original(*args, **kwargs)

    monkeypatch.setattr(districts, "list_districts", counting)
    async with session_factory() as session:
        rows = exports.district_rows(session, batch=100)
        first = await anext(rows)
        assert first[0] == "11.01" and calls == [0]
        rest = [row async for row in rows]
    await aengine.dispose()
    assert len(rest) == 513 and calls == [0, 100, 200, 300, 400, 500]


def test_every_export_url_in_the_readme_answers(client: TestClient) -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    urls = sorted(set(re.findall(r"`(/export/[^`\s]+\.(?:csv|xlsx|geojson)[^`\s]*)`", readme)))
    assert len(urls) >= 10
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_district_codes_without_the_dot_filter_the_same_rows(client: TestClient) -> None:
    for table in ("partners", "partnerships"):
        dotted = read_csv(client.get(f"/export/{table}.csv?districtCode=53.02"))
        assert dotted, table
        assert read_csv(client.get(f"/export/{table}.csv?districtCode=5302")) == dotted
