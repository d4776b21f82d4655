"""Database failures reach clients as a code and a plain message in every environment,
never as the driver's text (the PostgreSQL fault tests in tests/service/test_faults.py
cover lost connections and statement timeouts on a live server)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.testclient import TestClient

from schema.availability import is_database_unavailable
from schema.database_errors import client_error, is_statement_timeout
from service.server.app import create_app
from service.settings import Settings

LEAKS = re.compile(r"sqlite|psycopg|sqlalchemy|no such table|SELECT |\[SQL", re.IGNORECASE)


class QueryCanceled(Exception):
    sqlstate = "57014"


def test_codes_for_each_kind_of_database_failure() -> None:
    lost = OperationalError("SELECT 1", {}, Exception("server closed"), connection_invalidated=True)
    timeout = OperationalError("SELECT pg_sleep(60)", {}, QueryCanceled("canceling statement"))
    other = IntegrityError("INSERT INTO x", {}, Exception("duplicate key"))
    # A lost database is schema.availability's (DATABASE_UNAVAILABLE, HTTP 503); a
    # cancelled statement is not an outage but a query that asked too much.
    assert is_database_unavailable(lost) and not is_database_unavailable(timeout)
    assert client_error(timeout).code == "DATABASE_TIMEOUT"
    assert client_error(other).code == "INTERNAL_ERROR"
    wrapped = RuntimeError("resolver failed")
    wrapped.__cause__ = timeout
    assert is_statement_timeout(wrapped) and not is_statement_timeout(other)
    for error in (timeout, other):
        assert not LEAKS.search(client_error(error).message)


@pytest.mark.parametrize("environment", ["development", "production"])
def test_a_database_error_is_reported_without_driver_text(
    settings: Settings, tmp_path: Path, environment: str
) -> None:
    # A database with no tables: every read fails inside the driver.
    broken = dataclasses.replace(
        settings,
        database_url=f"sqlite:///{tmp_path / 'empty.db'}",
        environment=environment,
        introspection=environment != "production",
    )
    with TestClient(create_app(broken)) as client:
        response = client.post("/graphql", json={"query": "{ partners(first: 1) { totalCount } }"})
    body = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INTERNAL_ERROR"]
    assert not LEAKS.search(response.text), response.text
