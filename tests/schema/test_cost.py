"""The result-size limit refuses fan-out queries before they run and lets real ones through."""

from __future__ import annotations

from typing import Any

from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from schema.cost import estimate
from service.settings import Settings
from tests.schema.conftest import Run, error_codes

FAN_OUT = (
    "{ provinces { districts { province { districts { province { districts { code } } } } } } }"
)


def _estimate(gql_schema: Any, query: str, variables: dict[str, Any] | None = None) -> int:
    doc = parse(query)
    op = next(d for d in doc.definitions if isinstance(d, OperationDefinitionNode))
    frags = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    return estimate(gql_schema._schema, op, frags, variables)


async def test_fan_out_is_refused_before_running(run: Run, settings: Settings) -> None:
    result = await run(FAN_OUT, errors=True)
    assert result.data is None
    assert error_codes(result) == ["QUERY_TOO_LARGE"]
    ext = result.errors[0].extensions  # type: ignore[index]
    assert ext["estimate"] > settings.max_result_objects == ext["max"]


async def test_a_full_page_with_nested_lists_still_runs(run: Run) -> None:
    result = await run(
        "{ districts(first: 100) { totalCount edges { node { code province { name } "
        "latestStuntingPrevalence { value } partnerships { status partner { name } } } } } }"
    )
    assert len(result.data["districts"]["edges"]) == 100  # type: ignore[index]


async def test_fragments_and_variables_are_counted(run: Run, gql_schema: Any) -> None:
    query = (
        "query Q($n: Int) { districts(first: $n) { edges { node { ...D } } } }"
        " fragment D on District { province { districts { province { districts { code } } } } }"
    )
    small, large = _estimate(gql_schema, query, {"n": 1}), _estimate(gql_schema, query, {"n": 100})
    # a hundred districts, each with the fragment's nested lists, not one
    assert large >= 90 * small
    assert error_codes(await run(query, {"n": 100}, errors=True)) == ["QUERY_TOO_LARGE"]


@hsettings(max_examples=30, deadline=None)
@given(a=st.integers(min_value=0, max_value=100), b=st.integers(min_value=0, max_value=100))
def test_estimate_grows_with_first(gql_schema: Any, a: int, b: int) -> None:
    query = (
        "query Q($n: Int) { partners(first: $n) { edges { node { name partnerships { id } } } } }"
    )
    lo, hi = sorted((a, b))
    assert _estimate(gql_schema, query, {"n": lo}) <= _estimate(gql_schema, query, {"n": hi})
