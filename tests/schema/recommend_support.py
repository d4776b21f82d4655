"""Fixtures for recommendation tests: a trained model and a context carrying a Recommender."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.types import ExecutionResult

from schema.context import build_context
from service.domain.recommending import Recommender
from service.settings import Settings
from tests.model_support import trained_version

Run = Callable[..., Awaitable[ExecutionResult]]


@pytest.fixture(scope="module")
def version(engine: Engine, settings: Settings) -> str:
    return trained_version(engine, settings)


@pytest.fixture(scope="module")
def recommender(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, version: str
) -> Recommender:
    return Recommender(session_factory, settings, poll_seconds=0)


@pytest.fixture
def rrun(
    gql_schema: Any,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    recommender: Recommender,
) -> Run:
    async def execute(
        query: str, variables: dict[str, Any] | None = None, *, errors: bool = False
    ) -> ExecutionResult:
        result = await gql_schema.execute(
            query,
            variable_values=variables,
            context_value=build_context(session_factory, settings, recommender=recommender),
        )
        if not errors:
            assert result.errors is None, [e.formatted for e in result.errors or []]
        return result

    return execute
