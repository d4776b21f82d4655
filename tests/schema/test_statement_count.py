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


async def test_district_page_is_one_statement(run: Run, async_engine: AsyncEngine):
    """The console's district page: the page and its total in one SELECT, nothing else."""
    await run(PAGE, {"first": 10})
    for first in (10, 100):
        with count_statements(async_engine) as statements:
            result = await run(PAGE, {"first": first})
        nodes = [e["node"] for e in result.data["districts"]["edges"]]
        assert len(nodes) == first and result.data["districts"]["totalCount"] == 514
        assert all(n["province"]["code"] == n["code"][:2] for n in nodes)
        assert sum(n["latestStuntingPrevalence"] is not None for n in nodes) == first
        assert len(statements) == 1, statements
