"""Rate limits through HTTP: 300 requests from one viewer token over a budget of 100 cost
units a minute. The excess gets 429 with Retry-After and RATE_LIMITED, another token is
unaffected, a refused write changes nothing; in-process and with the budgets in Redis
(two app instances sharing one Redis, as two hosts would)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse
from starlette.testclient import TestClient

from schema import build_schema
from schema.cost import estimate
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
from tests.schema.test_auth_http import CREATE, partner_input

REDIS_URL = "redis://127.0.0.1:6379/0"
BUDGET = 100
REQUESTS = 300
READ = '{ district(code: "53.02") { name province { name } } }'


def cost_of(query: str) -> int:
    operation = parse(query).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return max(1, estimate(build_schema()._schema, operation, {}))


@pytest.fixture(scope="module")
def api(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with seeded_database(tmp_path_factory.mktemp("rate-limit"), seed=settings.seed) as url:
        tokens = create_tokens_sync(url)
        # A second set: its viewer token is "another token" of the same role.
        yield url, tokens, create_tokens_sync(url)[Role.VIEWER]


def _redis_available() -> str | None:
    try:
        import redis
    except ImportError:
        return "the redis client is not installed"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        return f"no Redis at {REDIS_URL}: {exc}"
    return None


@pytest.fixture(params=["in-process", "redis"])
def clients(request: pytest.FixtureRequest, settings: Settings, api: Any) -> Iterator[Any]:
    """Two app instances on one database: the limit's store decides whether they share."""
    changes: dict[str, Any] = {
        "rate_limit_per_minute": BUDGET,
        "anonymous_rate_limit_per_minute": BUDGET,
    }
    if request.param == "redis":
        reason = _redis_available()
        if reason:
            pytest.skip(f"Redis mode not run: {reason}")
        changes["redis_url"] = REDIS_URL
    # The module's scratch database is new each run, so the Redis namespace derived from
    # its URL is too: budgets an earlier run left in Redis (for a minute) do not carry over.
    local = settings_for(settings, api[0], **changes)
    with TestClient(create_app(local)) as one, TestClient(create_app(local)) as two:
        yield request.param, one, two


def test_one_token_over_its_budget_gets_429_and_others_do_not(clients: Any, api: Any) -> None:
    mode, one, two = clients
    _url, tokens, second_viewer = api
    viewer = tokens[Role.VIEWER]
    # In Redis mode the two instances share the budget; in-process only one is used.
    hosts = [one, two] if mode == "redis" else [one]
    cost = cost_of(READ)
    statuses: list[int] = []
    retry_afters: list[int] = []
    served_by: list[tuple[int, str | None]] = []  # (status, result cache: hit/miss/None)
    started = time.monotonic()
    for i in range(REQUESTS):
        response = hosts[i % len(hosts)].post(
            "/graphql", json={"query": READ}, headers=bearer(viewer)
        )
        statuses.append(response.status_code)
        served_by.append((response.status_code, response.headers.get("x-mitra-cache")))
        if response.status_code == 429:
            body = response.json()
            assert body["data"] is None
            [error] = body["errors"]
            assert error["extensions"]["code"] == "RATE_LIMITED"
            assert error["extensions"]["cost"] == cost
            retry_after = int(response.headers["retry-after"])
            assert retry_after == error["extensions"]["retryAfter"]
            retry_afters.append(retry_after)
        else:
            assert response.status_code == 200, response.text
            assert response.json()["data"]["district"]["name"]
    elapsed = time.monotonic() - started
    allowed = statuses.count(200)
    fits = BUDGET // cost
    refilled = elapsed * BUDGET / 60 / cost
    print(f"{mode}: {allowed} of {REQUESTS} allowed in {elapsed:.1f} s (cost {cost} each)")
    assert statuses[:fits] == [200] * fits, "the first budget's worth all pass"
    assert fits <= allowed <= fits + refilled + 1
    assert statuses.count(429) == REQUESTS - allowed > 0
    assert retry_afters and all(1 <= r <= 60 for r in retry_afters)
    # The same query is answered from the result cache after its first run: those
    # answers are charged too, so the cache is no way around the budget.
    assert (200, "hit") in served_by and (429, "hit") in served_by

    # Another token, and anonymous readers, keep their own budgets.
    for host in hosts:
        other = host.post("/graphql", json={"query": READ}, headers=bearer(second_viewer))
        assert other.status_code == 200 and other.json()["data"]["district"]
        anonymous = host.post("/graphql", json={"query": READ})
        assert anonymous.status_code == 200 and anonymous.json()["data"]["district"]


def test_a_refused_write_changes_nothing(clients: Any, api: Any) -> None:
    mode, one, two = clients
    url, tokens, _ = api
    planner = tokens[Role.PLANNER]
    spend = "{ partners(first: 100) { nodes { name } } }"  # costs more than the budget
    assert cost_of(spend) > BUDGET
    first = one.post("/graphql", json={"query": spend}, headers=bearer(planner))
    assert first.status_code == 200, first.text
    before = count_rows_sync(url)
    refused = (two if mode == "redis" else one).post(
        "/graphql",
        json={"query": CREATE, "variables": partner_input(f"Yayasan Batas {mode}")},
        headers=bearer(planner),
    )
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(refused.headers["retry-after"]) >= 1
    assert count_rows_sync(url) == before
