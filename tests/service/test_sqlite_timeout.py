"""SQLite's statement timeout (service/db/timeouts.py): a runaway statement is stopped and
reported as ``DATABASE_TIMEOUT``, and the connection and the worker go on serving.

The runaway statement is a recursive CTE without an end: it would count for ever, so
the only way these tests finish is the timeout (no timing is asserted).
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient

from schema.availability import is_database_unavailable
from schema.database_errors import client_error
from service.db.migrate import upgrade
from service.db.session import make_async_engine, make_engine
from service.db.timeouts import is_statement_timeout
from service.domain import partners
from service.server.app import create_app
from service.settings import Settings

RUNAWAY = text(
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
)
LEAKS = re.compile(r"sqlite|aiosqlite|sqlalchemy|interrupt|WITH RECURSIVE|\[SQL", re.IGNORECASE)


def test_sync_engine_stops_a_runaway_statement_and_keeps_the_connection(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}", statement_timeout_ms=50)
    try:
        with engine.connect() as conn:
            with pytest.raises(OperationalError) as caught:
                conn.execute(RUNAWAY)
            assert is_statement_timeout(caught.value)
            assert not is_database_unavailable(caught.value)
            assert client_error(caught.value).code == "DATABASE_TIMEOUT"
            # The same connection runs the next statement (its deadline is its own).
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


def test_async_engine_stops_a_runaway_statement(tmp_path: Path) -> None:
    async def run() -> tuple[BaseException | None, int]:
        engine = make_async_engine(
            f"sqlite+aiosqlite:///{tmp_path / 't.db'}", statement_timeout_ms=50
        )
        try:
            async with engine.connect() as conn:
                error: BaseException | None = None
                try:
                    await conn.execute(RUNAWAY)
                except OperationalError as exc:
                    error = exc
                after = (await conn.execute(text("SELECT 2"))).scalar_one()
            return error, int(after)
        finally:
            await engine.dispose()

    error, after = asyncio.run(run())
    assert error is not None and is_statement_timeout(error)
    assert after == 2


def test_no_timeout_when_it_is_off(tmp_path: Path) -> None:
    # 0 turns the limit off: no handler is installed, a bounded statement runs to the end.
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}", statement_timeout_ms=0)
    try:
        with engine.connect() as conn:
            bounded = text(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000)"
                " SELECT count(*) FROM c"
            )
            assert conn.execute(bounded).scalar_one() == 200000
    finally:
        engine.dispose()


@pytest.fixture
def migrated_sqlite(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    url = f"sqlite:///{tmp_path / 'timeout.db'}"
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    yield dataclasses.replace(
        settings, database_url=url, statement_timeout_ms=200, environment="production",
        introspection=False,
    )  # fmt: skip


def test_a_runaway_read_is_a_clear_graphql_error_and_the_worker_keeps_serving(
    migrated_sqlite: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_list_partners = partners.list_partners

    async def runaway(session: Any, **_kwargs: Any) -> Any:
        await session.execute(RUNAWAY)
        raise AssertionError("the runaway statement ended by itself")

    query = {"query": "{ partners(first: 1) { totalCount } }"}
    with TestClient(create_app(migrated_sqlite)) as client:
        monkeypatch.setattr(partners, "list_partners", runaway)
        response = client.post("/graphql", json=query)
        body = response.json()
        assert response.status_code == 200, response.text  # not an outage
        assert [e["extensions"]["code"] for e in body["errors"]] == ["DATABASE_TIMEOUT"]
        assert "statement timeout" in body["errors"][0]["message"]
        assert not LEAKS.search(response.text), response.text
        # The worker goes on: health, and the same query once the read is a normal one.
        assert client.get("/healthz").status_code == 200
        monkeypatch.setattr(partners, "list_partners", real_list_partners)
        again = client.post("/graphql", json=query).json()
        assert "errors" not in again and again["data"]["partners"]["totalCount"] == 0
