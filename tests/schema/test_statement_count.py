"""A nested districts query runs the same number of SQL statements for 10 and 100 districts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.schema.conftest import Run

QUERY = """
query($first: Int!) {
  districts(first: $first) {
    totalCount
    edges { node {
      code
      province { name }
      latestStuntingPrevalence { value }
      partnerships { status interventionAreas partner { name interventionAreas } }
      activePartnerCounts { kind count }
    } }
  }
}
"""


@contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_statement_count_does_not_grow_with_page_size(run: Run, async_engine: AsyncEngine):
    await run(QUERY, {"first": 10})  # warm up: dialect initialisation, pool connections
    counts = {}
    for first in (10, 100):
        with count_statements(async_engine) as statements:
            result = await run(QUERY, {"first": first})
        edges = result.data["districts"]["edges"]
        assert len(edges) == first
        assert any(e["node"]["partnerships"] for e in edges)
        counts[first] = len(statements)
    print(f"\nSQL statements: first=10 -> {counts[10]}, first=100 -> {counts[100]}")
    assert counts[10] == counts[100]
    # the page with its count, partnerships, partner, areas x2, stats x2 (province and
    # latest prevalence come from the reference snapshot)
    assert counts[100] <= 7


PAGE = """
query($first: Int!) {
  districts(first: $first) { totalCount edges { node {
    code name type province { code name } latestStuntingPrevalence { value year survey imputed }
  } } }
}
"""


async def test_district_page_needs_no_sql_and_a_filtered_one_one_statement(
    run: Run, async_engine: AsyncEngine
):
    """The console's district page (all districts by code) comes from the reference
    snapshot without SQL; a filtered page is one SELECT with its total, nothing else."""
    await run(PAGE, {"first": 10})
    for first in (10, 100):
        with count_statements(async_engine) as statements:
            result = await run(PAGE, {"first": first})
        nodes = [e["node"] for e in result.data["districts"]["edges"]]
        assert len(nodes) == first and result.data["districts"]["totalCount"] == 514
        assert all(n["province"]["code"] == n["code"][:2] for n in nodes)
        assert sum(n["latestStuntingPrevalence"] is not None for n in nodes) == first
        assert statements == []
    with count_statements(async_engine) as statements:
        result = await run(FILTERED, {"first": 100})
    edges = result.data["districts"]["edges"]
    assert edges and {e["node"]["province"]["code"] for e in edges} == {"53"}
    assert result.data["districts"]["totalCount"] == len(edges)
    assert len(statements) == 1, statements


FILTERED = """
query($first: Int!) {
  districts(first: $first, filter: {provinceCode: "53"}) { totalCount edges { node {
    code province { code } latestStuntingPrevalence { value }
  } } }
}
"""

WALK = """
query($first: Int!, $after: String, $filter: DistrictFilter) {
  districts(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { code name } }
  }
}
"""


async def test_the_snapshot_page_is_the_sql_page(run: Run):
    """Page by page, cursors included, the unfiltered list from the snapshot equals the
    list SQL gives (a blank search is no filter to SQL, but it takes the SQL path)."""
    pages: dict[str, list[dict]] = {}
    for name, flt in (("snapshot", None), ("sql", {"search": " "})):
        after, got = None, []
        while True:
            body = (await run(WALK, {"first": 100, "after": after, "filter": flt})).data
            conn = body["districts"]
            assert conn["totalCount"] == 514
            got.append(conn)
            if not conn["pageInfo"]["hasNextPage"]:
                break
            after = conn["pageInfo"]["endCursor"]
        pages[name] = got
    assert pages["snapshot"] == pages["sql"]
    codes = [e["node"]["code"] for c in pages["snapshot"] for e in c["edges"]]
    assert len(codes) == 514 and codes == sorted(codes)
