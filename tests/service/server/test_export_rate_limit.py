"""Exports are charged to the same per-token / per-address budget as GraphQL operations:
one unit per cell they read (rows x columns). Over budget: 429 with Retry-After and the
JSON error RATE_LIMITED, no rows; another token is unaffected. In-process, and with the
budgets in Redis shared by two app instances (as two hosts would)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from service.auth import Role
from service.domain import export_tables
from service.ratelimit import namespace_for
from service.server.app import create_app
from service.settings import Settings
from tests.schema.api_support import bearer, create_tokens_sync, seeded_database, settings_for
from tests.schema.test_rate_limit_http import REDIS_URL, _redis_available

# One province's quota progress: a small export whose size the test reads from its rows.
QUOTA = "/export/quota-progress.csv?provinceCode=53"
FITS = 2  # the budget is set to exactly this many such exports


@pytest.fixture(scope="module")
def api(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with seeded_database(tmp_path_factory.mktemp("export-limit"), seed=settings.seed) as url:
        tokens = create_tokens_sync(url)
        yield url, tokens, create_tokens_sync(url)[Role.VIEWER]


def quota_export_cost(settings: Settings, url: str) -> int:
    """The cost of ``QUOTA`` from its own answer: rows read x columns, with no limit on."""
    unlimited = settings_for(
        settings, url, rate_limit_per_minute=0, anonymous_rate_limit_per_minute=0
    )
    with TestClient(create_app(unlimited)) as client:
        response = client.get(QUOTA)
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.text)))
    header, body = rows[0], rows[1:]
    assert body and len(header) == len(export_tables.QUOTA_PROGRESS.columns)
    return len(body) * len(header)


def _clear_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{namespace_for(url)}:*"):
        client.delete(key)


@pytest.fixture(params=["in-process", "redis"])
def clients(request: pytest.FixtureRequest, settings: Settings, api: Any) -> Iterator[Any]:
    url = api[0]
    cost = quota_export_cost(settings, url)
    budget = FITS * cost
    changes: dict[str, Any] = {
        "rate_limit_per_minute": budget,
        "anonymous_rate_limit_per_minute": budget,
    }
    if request.param == "redis":
        reason = _redis_available()
        if reason:
            pytest.skip(f"Redis mode not run: {reason}")
        changes["redis_url"] = REDIS_URL
        _clear_redis(settings_for(settings, url).database_url)  # every budget starts full
    local = settings_for(settings, url, **changes)
    with TestClient(create_app(local)) as one, TestClient(create_app(local)) as two:
        # In Redis mode the two instances share the budgets; in-process one is used.
        yield (
            [one, two] if request.param == "redis" else [one],
            cost,
            budget,
        )


def assert_refused(response: Any, *, cost: int, budget: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/json")
    [error] = response.json()["errors"]
    extensions = error["extensions"]
    assert extensions["code"] == "RATE_LIMITED"
    assert extensions["cost"] == cost and extensions["budgetPerMinute"] == budget
    assert 1 <= int(response.headers["retry-after"]) == extensions["retryAfter"] <= 60
    assert "quota" not in response.text.lower()  # not one row of the export


def test_a_token_over_its_budget_gets_429_on_exports_and_others_do_not(
    clients: Any, api: Any
) -> None:
    hosts, cost, budget = clients
    _url, tokens, second_viewer = api
    viewer = bearer(tokens[Role.VIEWER])
    answers = [hosts[i % len(hosts)].get(QUOTA, headers=viewer) for i in range(FITS + 3)]
    assert [r.status_code for r in answers[:FITS]] == [200] * FITS
    for refused in answers[FITS:]:
        assert_refused(refused, cost=cost, budget=budget)
    # The same budget as GraphQL: the token's next query is refused too.
    query = hosts[-1].post(
        "/graphql", json={"query": '{ district(code: "53.02") { name } }'}, headers=viewer
    )
    assert query.status_code == 429
    assert query.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    # Another token, and anonymous clients, have budgets of their own.
    assert hosts[0].get(QUOTA, headers=bearer(second_viewer)).status_code == 200
    assert hosts[-1].get(QUOTA).status_code == 200


def test_anonymous_exports_are_limited_per_address(clients: Any) -> None:
    hosts, cost, budget = clients
    statuses = [hosts[i % len(hosts)].get(QUOTA).status_code for i in range(FITS + 2)]
    assert statuses == [200] * FITS + [429] * 2
    assert_refused(hosts[0].get(QUOTA), cost=cost, budget=budget)


def test_refused_before_running_is_not_charged(clients: Any, api: Any) -> None:
    # A malformed filter or an unknown province is answered before any row is read:
    # it costs nothing, so the whole budget is still there afterwards.
    hosts, _cost, _budget = clients
    viewer = bearer(api[1][Role.VIEWER])
    for _ in range(10):
        assert hosts[0].get(
            "/export/quota-progress.csv?provinceCode=x", headers=viewer
        ).status_code in (400, 404)
    statuses = [hosts[0].get(QUOTA, headers=viewer).status_code for _ in range(FITS + 1)]
    assert statuses == [200] * FITS + [429]
