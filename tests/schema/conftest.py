"""Fixtures for GraphQL tests: an async session factory on the seeded test database,
the schema built from the test settings, and ``run`` to execute a query with a fresh
context (fresh DataLoaders) like one HTTP request would."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from strawberry.types import ExecutionResult

from schema import build_schema
from schema.context import build_context
from service.db.session import make_async_engine, make_async_sessionmaker
from service.domain.reference import ReferenceData, load_reference
from service.settings import REFERENCE_DIR, Settings

Run = Callable[..., Awaitable[ExecutionResult]]


def read_reference(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def reference_districts() -> list[dict[str, str]]:
    return read_reference("districts.csv")


@pytest.fixture(scope="session")
def reference_provinces() -> list[dict[str, str]]:
    return read_reference("provinces.csv")


@pytest.fixture(scope="session")
async def async_engine(settings: Settings, engine: Engine) -> AsyncIterator[AsyncEngine]:
    """Depends on ``engine`` so the database is migrated and seeded first."""
    eng = make_async_engine(settings.async_database_url)
    yield eng
    await eng.dispose()


@pytest.fixture(scope="session")
def session_factory(async_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_async_sessionmaker(async_engine)


@pytest.fixture(scope="session")
def gql_schema(settings: Settings) -> Any:
    return build_schema(settings)


@pytest.fixture(scope="session")
async def reference(session_factory: async_sessionmaker[AsyncSession]) -> ReferenceData:
    """The reference snapshot, loaded once as the service does (per data version)."""
    async with session_factory() as session:
        return await load_reference(session)


@pytest.fixture
def run(
    gql_schema: Any,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    reference: ReferenceData,
) -> Run:
    async def execute(
        query: str, variables: dict[str, Any] | None = None, *, errors: bool = False
    ) -> ExecutionResult:
        result = await gql_schema.execute(
            query,
            variable_values=variables,
            context_value=build_context(session_factory, settings, reference=reference),
        )
        if not errors:
            assert result.errors is None, [e.formatted for e in result.errors or []]
        return result

    return execute


def error_codes(result: ExecutionResult) -> list[str | None]:
    return [(e.extensions or {}).get("code") for e in result.errors or []]
