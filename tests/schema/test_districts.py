"""districts / district / provinces through schema.execute, checked against the CSVs and raw SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from tests.schema.conftest import Run, error_codes

PAGE = """
query($first: Int, $after: String, $filter: DistrictFilter, $orderBy: DistrictOrder) {
  districts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { code population latestStuntingPrevalence { value } } }
  }
}
"""


def latest_prevalence_rows(engine: Engine) -> dict[str, tuple[int, float, bool, str]]:
    """Latest district figure per district, chosen here in Python: a published figure
    over any imputed one, then the highest year, then the newest row."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, district_code, year, value, imputed, survey FROM indicator_measurement"
                " WHERE level = 'district' AND indicator = 'stunting_prevalence'"
            )
        ).all()
    best: dict[str, tuple[Any, ...]] = {}
    for row_id, code, year, value, imputed, survey in rows:
        key = (not bool(imputed), year, row_id)
        if code not in best or key > best[code][0]:
            best[code] = (key, (year, value, bool(imputed), survey))
    return {code: entry[1] for code, entry in best.items()}


async def walk(run: Run, variables: dict[str, Any], page_size: int = 100) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        result = await run(PAGE, {**variables, "first": page_size, "after": after})
        conn = result.data["districts"]
        nodes.extend(edge["node"] for edge in conn["edges"])
        if not conn["pageInfo"]["hasNextPage"]:
            return nodes
        after = conn["pageInfo"]["endCursor"]


async def test_district_by_code(run: Run, engine: Engine, reference_districts, reference_provinces):
    expected = next(r for r in reference_districts if r["district_code"] == "53.02")
    province = next(p for p in reference_provinces if p["province_code"] == "53")
    result = await run(
        """{ district(code: "53.02") { name shortName type province { name code }
             latestStuntingPrevalence { value year survey imputed }
             stuntingPrevalenceSeries { value year survey imputed } } }"""
    )
    district = result.data["district"]
    assert district["name"] == expected["name"] == "Kabupaten Timor Tengah Selatan"
    assert district["province"] == {"name": province["name"], "code": "53"}
    assert province["name"] == "Nusa Tenggara Timur"
    year, value, imputed, survey = latest_prevalence_rows(engine)["53.02"]
    assert not imputed and survey.startswith("SSGI")
    assert district["latestStuntingPrevalence"] == {
        "value": value,
        "year": year,
        "survey": survey,
        "imputed": imputed,
    }
    # Every published SSGI figure for the district in the CSV is in the series, not imputed.
    published = [
        {
            "value": float(r["prevalence_pct"]),
            "year": int(r["year"]),
            "survey": r["survey"],
            "imputed": False,
        }
        for r in _district_csv_rows("53.02")
    ]
    assert published and all(p["survey"].startswith("SSGI") for p in published)
    for row in published:
        assert row in district["stuntingPrevalenceSeries"]


async def test_imputed_values_are_kept_apart_from_the_series(run: Run, engine: Engine):
    """The trend holds published figures only; estimates come apart, or flagged on request."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT district_code, year, value, imputed FROM indicator_measurement "
                "WHERE level = 'district' ORDER BY district_code, year, id"
            )
        ).all()
    both: dict[str, list[tuple[int, float, bool]]] = {}
    for code, year, value, imputed in rows:
        both.setdefault(code, []).append((year, value, bool(imputed)))
    # a district with a published figure and an imputed one
    code = next(c for c, r in both.items() if {i for _, _, i in r} == {True, False})
    result = await run(
        """query($code: String!) { district(code: $code) {
             stuntingPrevalenceSeries { year value imputed }
             withImputed: stuntingPrevalenceSeries(includeImputed: true) { year value imputed }
             imputedStuntingPrevalence { year value imputed } } }""",
        {"code": code},
    )
    d = result.data["district"]
    expected = [{"year": y, "value": v, "imputed": i} for y, v, i in both[code]]
    assert d["stuntingPrevalenceSeries"] == [e for e in expected if not e["imputed"]]
    assert d["imputedStuntingPrevalence"] == [e for e in expected if e["imputed"]]
    assert d["imputedStuntingPrevalence"]  # the case under test
    assert d["withImputed"] == expected


def _district_csv_rows(code: str) -> list[dict[str, str]]:
    from tests.schema.conftest import read_reference

    return [
        r for r in read_reference("stunting_prevalence_district.csv") if r["district_code"] == code
    ]


async def test_unknown_district_is_null_and_malformed_code_is_an_error(run: Run):
    assert (await run('{ district(code: "99.99") { name } }')).data == {"district": None}
    for code in ("53.02", "5302"):
        found = (await run(f'{{ district(code: "{code}") {{ code name }} }}')).data
        assert found == {"district": {"code": "53.02", "name": "Kabupaten Timor Tengah Selatan"}}
    assert (await run('{ province(code: "00") { name } }')).data == {"province": None}
    for query in (
        '{ district(code: "5302x") { name } }',
        '{ district(code: "53.2") { name } }',
        '{ province(code: "5") { name } }',
    ):
        result = await run(query, errors=True)
        assert error_codes(result) == ["BAD_USER_INPUT"], query


async def test_first_page_of_100_and_total(run: Run, reference_districts):
    result = await run(PAGE, {"first": 100})
    conn = result.data["districts"]
    assert len(conn["edges"]) == 100
    assert conn["totalCount"] == len(reference_districts) == 514
    assert conn["pageInfo"]["hasNextPage"] is True
    assert conn["pageInfo"]["hasPreviousPage"] is False
    assert conn["pageInfo"]["endCursor"] == conn["edges"][-1]["cursor"]


async def test_default_page_size_is_20(run: Run):
    result = await run("{ districts { edges { cursor } } }")
    assert len(result.data["districts"]["edges"]) == 20


async def test_first_above_the_cap_is_refused(run: Run):
    for first in (1000, 101, 0, -1):
        result = await run(
            "query($f: Int) { districts(first: $f) { totalCount } }", {"f": first}, errors=True
        )
        assert result.data is None
        assert error_codes(result) == ["BAD_USER_INPUT"]
        assert result.errors[0].message == "first must be between 1 and 100"


async def test_bad_cursor_is_refused(run: Run):
    result = await run('{ districts(after: "nonsense") { totalCount } }', errors=True)
    assert error_codes(result) == ["INVALID_CURSOR"]


async def test_walk_all_districts_without_duplicates(run: Run, reference_districts):
    nodes = await walk(run, {}, page_size=37)
    codes = [n["code"] for n in nodes]
    assert len(codes) == len(set(codes)) == 514
    assert codes == sorted(r["district_code"] for r in reference_districts)


async def test_filter_by_province_and_type(run: Run, reference_districts):
    nodes = await walk(run, {"filter": {"provinceCode": "53"}})
    assert [n["code"] for n in nodes] == sorted(
        r["district_code"] for r in reference_districts if r["province_code"] == "53"
    )
    result = await run(PAGE, {"filter": {"type": "KOTA"}, "first": 1})
    kota = [r for r in reference_districts if r["type"] == "kota"]
    assert result.data["districts"]["totalCount"] == len(kota) == 98
    result = await run(PAGE, {"filter": {"type": "KOTA", "provinceCode": "53"}, "first": 1})
    assert result.data["districts"]["totalCount"] == sum(
        1 for r in kota if r["province_code"] == "53"
    )


async def test_filter_underdeveloped(run: Run, engine: Engine):
    with engine.connect() as conn:
        expected = sorted(
            conn.execute(
                text("SELECT code FROM district WHERE underdeveloped = :t"), {"t": True}
            ).scalars()
        )
    assert expected
    nodes = await walk(run, {"filter": {"underdeveloped": True}})
    assert [n["code"] for n in nodes] == expected


async def test_filter_by_prevalence_range(run: Run, engine: Engine):
    latest = latest_prevalence_rows(engine)
    expected = sorted(code for code, (_, value, _, _) in latest.items() if 30 <= value <= 40)
    assert expected
    nodes = await walk(run, {"filter": {"prevalenceMin": 30, "prevalenceMax": 40}})
    assert [n["code"] for n in nodes] == expected
    assert all(30 <= n["latestStuntingPrevalence"]["value"] <= 40 for n in nodes)
    result = await run(PAGE, {"filter": {"prevalenceMin": 40, "prevalenceMax": 30}}, errors=True)
    assert error_codes(result) == ["BAD_USER_INPUT"]


async def test_name_search_is_case_insensitive_on_name_and_short_name(
    run: Run, reference_districts
):
    for term in ("timor", "KOTA bandung", "Aceh", "%", "_"):
        expected = sorted(
            r["district_code"]
            for r in reference_districts
            if term.lower() in r["name"].lower() or term.lower() in r["short_name"].lower()
        )
        nodes = await walk(run, {"filter": {"search": term}})
        assert [n["code"] for n in nodes] == expected, term


async def test_order_by_prevalence_both_directions(run: Run, engine: Engine):
    latest = latest_prevalence_rows(engine)
    codes_without = []
    for direction, sign in (("DESC", -1), ("ASC", 1)):
        nodes = await walk(run, {"orderBy": {"field": "PREVALENCE", "direction": direction}})
        with_value = sorted(latest, key=lambda c: (sign * latest[c][1], c))
        codes_without = sorted({n["code"] for n in nodes} - set(latest))
        # Districts without a figure come last in both directions, by code.
        assert [n["code"] for n in nodes] == with_value + codes_without
        assert len(nodes) == 514


async def test_order_by_population_and_name(run: Run, reference_districts):
    nodes = await walk(run, {"orderBy": {"field": "POPULATION", "direction": "DESC"}})
    expected = sorted(
        reference_districts, key=lambda r: (-int(r["population_total"]), r["district_code"])
    )
    assert [n["code"] for n in nodes] == [r["district_code"] for r in expected]
    result = await run(
        '{ districts(first: 100, orderBy: {field: NAME}, filter: {provinceCode: "53"}) '
        "{ edges { node { shortName } } } }"
    )
    names = [e["node"]["shortName"] for e in result.data["districts"]["edges"]]
    assert names == sorted(names)


async def test_filter_and_order_combine_in_sql(run: Run, engine: Engine):
    latest = latest_prevalence_rows(engine)
    with engine.connect() as conn:
        ntt = set(
            conn.execute(text("SELECT code FROM district WHERE province_code = '53'")).scalars()
        )
    expected = sorted((c for c in ntt if c in latest), key=lambda c: (-latest[c][1], c))[:5]
    result = await run(
        PAGE,
        {
            "first": 5,
            "filter": {"provinceCode": "53"},
            "orderBy": {"field": "PREVALENCE", "direction": "DESC"},
        },
    )
    assert [e["node"]["code"] for e in result.data["districts"]["edges"]] == expected


async def test_provinces_and_province_fields(run: Run, reference_provinces, reference_districts):
    result = await run(
        "{ provinces { code name population areaKm2 islandGroup latitude longitude "
        "districts { code } } }"
    )
    provinces = result.data["provinces"]
    assert [p["code"] for p in provinces] == sorted(r["province_code"] for r in reference_provinces)
    by_code = {r["province_code"]: r for r in reference_provinces}
    for p in provinces:
        ref = by_code[p["code"]]
        assert p["name"] == ref["name"]
        assert p["population"] == int(ref["population_total"])
        assert p["areaKm2"] == (float(ref["area_km2"]) if ref["area_km2"] else None)
        assert [d["code"] for d in p["districts"]] == sorted(
            r["district_code"] for r in reference_districts if r["province_code"] == p["code"]
        )
    assert {p["islandGroup"] for p in provinces if p["code"].startswith("9")} == {"Papua"}


async def test_province_series_comes_from_the_province_csv(run: Run):
    from tests.schema.conftest import read_reference

    rows = [
        r for r in read_reference("stunting_prevalence_province.csv") if r["province_code"] == "53"
    ]
    result = await run(
        '{ province(code: "53") { stuntingPrevalenceSeries { year value survey } } }'
    )
    series = result.data["province"]["stuntingPrevalenceSeries"]
    for row in rows:
        assert {
            "year": int(row["year"]),
            "value": float(row["prevalence_pct"]),
            "survey": row["survey"],
        } in series
