"""The GCRA budgets of service.ratelimit, on a clock the test moves (in-process) and on the
Redis store (the same arithmetic in Lua, with Redis's clock)."""

from __future__ import annotations

import uuid

import pytest

from service.ratelimit import MemoryRateLimiter, RedisRateLimiter, namespace_for

REDIS_URL = "redis://127.0.0.1:6379/0"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_full_budget_is_spent_then_refills_at_its_rate() -> None:
    clock = Clock()
    limiter = MemoryRateLimiter(clock)
    budget = 120  # two units a second
    allowed = [(await limiter.charge("token:1", 1, budget)).allowed for _ in range(budget + 5)]
    assert allowed == [True] * budget + [False] * 5
    refused = await limiter.charge("token:1", 1, budget)
    assert not refused.allowed and refused.retry_after == 1  # half a second, rounded up
    clock.now += 0.5  # one unit refilled
    assert (await limiter.charge("token:1", 1, budget)).allowed
    assert not (await limiter.charge("token:1", 1, budget)).allowed
    # another client's budget is its own
    assert (await limiter.charge("token:2", budget, budget)).allowed


async def test_retry_after_is_the_time_until_the_cost_fits() -> None:
    clock = Clock()
    limiter = MemoryRateLimiter(clock)
    assert (await limiter.charge("k", 60, 60)).allowed  # the whole budget
    decision = await limiter.charge("k", 30, 60)
    assert not decision.allowed and decision.retry_after == 30
    clock.now += decision.retry_after
    assert (await limiter.charge("k", 30, 60)).allowed


async def test_a_query_larger_than_the_budget_runs_when_full_and_empties_it() -> None:
    clock = Clock()
    limiter = MemoryRateLimiter(clock)
    assert (await limiter.charge("k", 10_000, 100)).allowed
    decision = await limiter.charge("k", 1, 100)
    assert not decision.allowed and decision.retry_after == 1
    clock.now += 60
    assert (await limiter.charge("k", 10_000, 100)).allowed


async def test_a_refused_request_costs_nothing() -> None:
    clock = Clock()
    limiter = MemoryRateLimiter(clock)
    assert (await limiter.charge("k", 60, 60)).allowed
    for _ in range(50):  # hammering while refused does not push the refill further away
        assert not (await limiter.charge("k", 1, 60)).allowed
    clock.now += 1
    assert (await limiter.charge("k", 1, 60)).allowed


def test_namespace_hides_the_database_url_and_separates_databases() -> None:
    a = namespace_for("postgresql+psycopg://app:s3cret@db/one")
    b = namespace_for("postgresql+psycopg://app:s3cret@db/two")
    assert a != b and "s3cret" not in a and a.startswith("mitra:ratelimit:")


@pytest.fixture
async def redis_limiter():
    pytest.importorskip("redis")
    limiter = RedisRateLimiter.from_url(REDIS_URL, namespace=f"mitra-test:{uuid.uuid4().hex}")
    try:
        await limiter.client.ping()
    except Exception as exc:  # no server: say so instead of passing silently
        await limiter.close()
        pytest.skip(f"needs Redis at {REDIS_URL}: {exc}")
    yield limiter
    await limiter.close()


async def test_redis_store_spends_and_refuses_like_the_memory_one(redis_limiter) -> None:
    budget = 50
    allowed = [(await redis_limiter.charge("token:1", 1, budget)).allowed for _ in range(60)]
    # Redis's clock moves on while we send, so a unit or two may refill meanwhile.
    assert allowed[:budget] == [True] * budget
    assert allowed.count(True) <= budget + 2
    refused = await redis_limiter.charge("token:1", budget, budget)
    assert not refused.allowed and 1 <= refused.retry_after <= 60
    assert (await redis_limiter.charge("token:2", 1, budget)).allowed


async def test_redis_unreachable_falls_back_to_the_process(caplog) -> None:
    pytest.importorskip("redis")
    limiter = RedisRateLimiter.from_url("redis://127.0.0.1:1/0", namespace="mitra-test:down")
    try:
        decisions = [(await limiter.charge("k", 1, 3)).allowed for _ in range(4)]
    finally:
        await limiter.close()
    assert decisions == [True, True, True, False]
    assert "rate limit store unreachable" in caplog.text
