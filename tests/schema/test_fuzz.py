"""Fuzzing the GraphQL endpoint through HTTP with operations generated from the schema.

hypothesis-graphql writes queries and mutations (valid ones, and ones with a schema
violation) from the live schema; each is posted with a planner token to the real
Starlette app on a seeded database of its own (PostgreSQL when the suite runs on it).
For every response: no 5xx, nothing that reveals internals, no unexpected error in the
server log, and a rejected mutation leaves every table's row count as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import graphql
import hypothesis_graphql as hg
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from strawberry.utils.str_converters import to_camel_case

from schema import build_schema
from schema.ids import to_global_id
from schema.mutations import WriteMutation
from service.auth import Role
from service.server.app import create_app
from service.settings import Settings
from tests.schema.api_support import (
    bearer,
    count_rows_sync,
    create_tokens_sync,
    seeded_database,
    settings_for,
)

LEAKS = re.compile(
    r"Traceback|sqlalchemy|psycopg|sqlite3|aiosqlite|IntegrityError|OperationalError"
    r"|DataError|ProgrammingError|File \"|\b(?:SELECT|INSERT|UPDATE|DELETE)\b.{0,200}"
    r"\b(?:FROM|INTO|SET|WHERE)\b",
    re.IGNORECASE | re.DOTALL,
)
MUTATIONS = sorted(
    to_camel_case(f.python_name) for f in WriteMutation.__strawberry_definition__.fields
)


def fuzz(max_examples: int) -> hsettings:
    """Bounded runs (the whole module stays well under a minute), the same every time."""
    return hsettings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,  # the same examples every run: a CI failure is reproducible
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )


# Values the custom scalars of the schema accept, and near misses they must refuse.
DATES = st.one_of(
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)).map(
        lambda d: graphql.StringValueNode(value=d.isoformat())
    ),
    st.sampled_from(["2025-02-30", "0000-01-01", "9999-12-31", "", "tomorrow"]).map(
        lambda s: graphql.StringValueNode(value=s)
    ),
)
BIG_INTS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(
        lambda n: graphql.IntValueNode(value=str(n))
    ),
    st.sampled_from(["12", "-1", "1" * 31, "1e9", ""]).map(
        lambda s: graphql.StringValueNode(value=s)
    ),
)
DATETIMES = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1)).map(
    lambda d: graphql.StringValueNode(value=d.isoformat())
)
SCALARS = {"Date": DATES, "BigInt": BIG_INTS, "DateTime": DATETIMES, "JSON": BIG_INTS}

# Strings a client may send that no generator dreams up.
NASTY = st.sampled_from(
    [
        "",
        " ",
        "53.02",
        "53.01",
        "'; DROP TABLE partner; --",
        "a\x00b",
        "\ud800",
        "𝕐𝕒𝕪𝕒𝕤𝕒𝕟",  # noqa: RUF001 -- deliberately confusable letters (outside the BMP)
        "x" * 5000,
        "UGFydG5lcjox",
        "<script>alert(1)</script>",
    ]
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | NASTY,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner, max_size=5)
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def fuzz_api(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with seeded_database(tmp_path_factory.mktemp("fuzz"), seed=settings.seed) as url:
        tokens = create_tokens_sync(url)
        # Hundreds of generated operations from one token: the rate limits are not under test.
        app_settings = settings_for(
            settings, url, rate_limit_per_minute=0, anonymous_rate_limit_per_minute=0
        )
        with TestClient(create_app(app_settings)) as client:
            yield client, url, tokens[Role.PLANNER], build_schema(app_settings)


class ErrorLog(logging.Handler):
    """Collects ERROR records of the service's loggers: unexpected errors land here."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    loggers = [logging.getLogger(n) for n in ("mitra", "strawberry", "uvicorn.error")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


def with_user_errors(query: str) -> str:
    """Add ``userErrors { field code }`` to each root mutation field, so acceptance shows."""
    document = graphql.parse(query)
    extra = graphql.parse("{ userErrors { field code } }").definitions[0]
    extra_fields = extra.selection_set.selections  # type: ignore[attr-defined]

    def widen(node: Any) -> Any:
        if not isinstance(node, graphql.FieldNode) or node.selection_set is None:
            return node
        selections = (*node.selection_set.selections, *extra_fields)
        return replace(node, selection_set=replace(node.selection_set, selections=selections))

    definitions = [
        replace(
            d,
            selection_set=replace(
                d.selection_set, selections=tuple(widen(n) for n in d.selection_set.selections)
            ),
        )
        if isinstance(d, graphql.OperationDefinitionNode)
        else d
        for d in document.definitions
    ]
    return graphql.print_ast(replace(document, definitions=tuple(definitions)))


def check_response(response: Any, error_log: ErrorLog) -> dict[str, Any]:
    assert response.status_code < 500, response.text[:2000]
    assert response.status_code in (200, 400, 405, 413, 415), response.status_code
    text = response.text
    match = LEAKS.search(text)
    assert match is None, f"leak {match.group(0)!r} in {text[:2000]}"
    if error_log.records:
        record = error_log.records[0]
        error_log.records.clear()
        pytest.fail(f"unexpected server error: {record.getMessage()}")
    try:
        body = response.json()
    except ValueError:
        return {}
    for error in body.get("errors") or []:
        # Every error the API reports is one it meant to: a code, or a GraphQL
        # validation message (which has a location and no path).
        assert "code" in (error.get("extensions") or {}) or "path" not in error, error
    return body


def was_accepted(body: dict[str, Any]) -> bool:
    data = body.get("data") or {}
    return any(
        isinstance(payload, dict) and payload.get("userErrors") == [] for payload in data.values()
    )


def post_mutation(
    client: Any, url: str, token: str, payload: dict[str, Any], log: ErrorLog
) -> None:
    before = count_rows_sync(url)
    response = client.post(
        "/graphql",
        # ensure_ascii: a lone surrogate travels as the escape a hostile client would send
        content=json.dumps(payload, ensure_ascii=True).encode(),
        headers={"Content-Type": "application/json", **bearer(token)},
    )
    body = check_response(response, log)
    if not was_accepted(body):
        assert count_rows_sync(url) == before, f"a rejected mutation changed rows: {body}"


def test_generated_queries(fuzz_api: Any, error_log: ErrorLog) -> None:
    client, _url, token, schema = fuzz_api
    queries = hg.queries(schema._schema, custom_scalars=SCALARS)

    @fuzz(60)
    @given(query=queries)
    def run(query: str) -> None:
        response = client.post("/graphql", json={"query": query}, headers=bearer(token))
        check_response(response, error_log)

    run()


def test_generated_mutations(fuzz_api: Any, error_log: ErrorLog) -> None:
    client, url, token, schema = fuzz_api
    strategy = st.sampled_from(MUTATIONS).flatmap(
        lambda name: hg.mutations(schema._schema, fields=[name], custom_scalars=SCALARS)
    )

    @fuzz(80)
    @given(query=strategy)
    def run(query: str) -> None:
        post_mutation(client, url, token, {"query": with_user_errors(query)}, error_log)

    run()


def test_operations_with_a_schema_violation(fuzz_api: Any, error_log: ErrorLog) -> None:
    client, url, token, schema = fuzz_api
    strategy = hg.from_schema(schema._schema, custom_scalars=SCALARS, mode=hg.Mode.NEGATIVE)

    @fuzz(40)
    @given(query=strategy)
    def run(query: str) -> None:
        post_mutation(client, url, token, {"query": query}, error_log)

    run()


def test_mutation_variables_of_any_shape(fuzz_api: Any, error_log: ErrorLog) -> None:
    """The same mutations with arbitrary JSON as ``$input``: coercion must refuse cleanly."""
    client, url, token, schema = fuzz_api
    input_types = {
        name: schema._schema.mutation_type.fields[name].args["input"].type for name in MUTATIONS
    }
    real_ids = [to_global_id("Partner", 1), to_global_id("Partnership", 1)]

    def near_valid(name: str) -> st.SearchStrategy[Any]:
        # Start from the fields the input declares, so values get past the shape check.
        fields = graphql.get_named_type(input_types[name]).fields  # type: ignore[union-attr]
        return st.fixed_dictionaries(
            {},
            optional={key: st.one_of(JSON_VALUES, st.sampled_from(real_ids)) for key in fields},
        )

    strategy = st.sampled_from(MUTATIONS).flatmap(
        lambda name: st.tuples(st.just(name), st.one_of(JSON_VALUES, near_valid(name)))
    )

    @fuzz(60)
    @given(case=strategy)
    def run(case: tuple[str, Any]) -> None:
        name, value = case
        type_name = str(input_types[name])  # e.g. "CreatePartnerInput!"
        query = (
            f"mutation M($input: {type_name}) {{ {name}(input: $input) "
            "{ __typename userErrors { field message code } } }"
        )
        post_mutation(
            client, url, token, {"query": query, "variables": {"input": value}}, error_log
        )

    run()


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[]",
        b'[{"query": "{ provinces { code } }"}]',
        b'{"query": 5}',
        b'{"query": "{ provinces { code } }", "variables": "nope"}',
        b'{"query": "{ provinces { code } }", "operationName": ["x"]}',
        b'{"query": "query A { provinces { code } } query B { provinces { code } }"}',
        b'{"query": "\\u0000"}',
        json.dumps({"query": "{" * 5000}).encode(),
    ],
)
def test_malformed_bodies(fuzz_api: Any, error_log: ErrorLog, body: bytes) -> None:
    client, _url, token, _schema = fuzz_api
    response = client.post(
        "/graphql",
        content=body,
        headers={"Content-Type": "application/json", **bearer(token)},
    )
    check_response(response, error_log)
