"""Depth, alias and token limits; error masking and introspection in production."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from schema import build_schema
from schema.context import build_context
from service.settings import Settings
from tests.schema.conftest import Run, error_codes


def nested(depth: int) -> str:
    """province -> districts -> province ... ``depth`` levels of fields. Kalimantan Utara
    (65) has few districts, so the allowed depth stays cheap to run."""
    inner = "code"
    for level in range(depth - 2):
        outermost_first = depth - 3 - level
        inner = (
            f"districts {{ {inner} }}" if outermost_first % 2 == 0 else f"province {{ {inner} }}"
        )
    return f'{{ province(code: "65") {{ {inner} }} }}'


async def test_depth_limit(settings: Settings, session_factory: async_sessionmaker[AsyncSession]):
    # The nested province/districts chain is also the fan-out the result-size limit
    # refuses (tests/schema/test_cost.py); lift that limit to test depth on its own.
    alone = dataclasses.replace(settings, max_result_objects=10**12)
    schema = build_schema(alone)

    async def run(query: str) -> Any:
        return await schema.execute(query, context_value=build_context(session_factory, alone))

    ok = await run(nested(settings.max_query_depth))
    assert ok.errors is None and ok.data["province"] is not None
    result = await run(nested(settings.max_query_depth + 2))
    assert result.data is None
    assert "exceeds maximum operation depth" in result.errors[0].message


async def test_alias_limit(run: Run, settings: Settings):
    def aliases(n: int) -> str:
        return "{ " + " ".join(f'a{i}: province(code: "53") {{ code }}' for i in range(n)) + " }"

    assert len((await run(aliases(settings.max_aliases))).data) == settings.max_aliases
    result = await run(aliases(settings.max_aliases + 1), errors=True)
    assert result.data is None
    assert "aliases found" in result.errors[0].message


async def test_token_limit(run: Run, settings: Settings):
    fields = " ".join(["code"] * (settings.max_tokens // 1))
    result = await run(f'{{ province(code: "53") {{ {fields} }} }}', errors=True)
    assert result.data is None
    assert "token" in result.errors[0].message.lower()


def production(settings: Settings) -> Settings:
    return dataclasses.replace(settings, environment="production", introspection=False)


async def test_production_masks_unexpected_errors_but_not_user_errors(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
):
    prod = production(settings)
    schema = build_schema(prod)

    def broken_factory() -> Any:
        raise RuntimeError("connection string with a secret in it")

    result = await schema.execute(
        "{ campaignProgress { target } }",
        context_value=build_context(broken_factory, prod),  # type: ignore[arg-type]
    )
    assert result.errors is not None
    assert result.errors[0].message == "Unexpected error."
    assert "secret" not in str(result.errors[0].formatted)
    assert "secret" in caplog.text  # the details go to the log

    result = await schema.execute(
        "{ districts(first: 1000) { totalCount } }",
        context_value=build_context(session_factory, prod),
    )
    assert error_codes(result) == ["BAD_USER_INPUT"]
    assert result.errors[0].message == "first must be between 1 and 100"


async def test_introspection_follows_settings(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
):
    query = "{ __schema { queryType { name } } }"
    allowed = await build_schema(settings).execute(
        query, context_value=build_context(session_factory, settings)
    )
    assert allowed.data == {"__schema": {"queryType": {"name": "Query"}}}
    prod = production(settings)
    refused = await build_schema(prod).execute(
        query, context_value=build_context(session_factory, prod)
    )
    assert refused.errors and "introspection" in refused.errors[0].message.lower()
