"""Per-client budgets in query-cost units per minute (GCRA, the generic cell rate algorithm).

Each client (a token, or an address for anonymous reads) has a budget of ``per_minute``
cost units that refills continuously. One number per client is stored: the
*theoretical arrival time* (TAT), the moment at which its bucket would be full again.
A request costing ``c`` units pushes the TAT ``c * 60 / per_minute`` seconds later; it is
allowed while the new TAT lies at most one minute ahead of now, else it is refused and
the client is told how many seconds until it would fit (``Retry-After``).

A request costing more than the whole budget is charged the whole budget: it runs
when the bucket is full and then empties it, instead of being refused for ever (the
size of one query is bounded separately, by ``schema/cost.py``).

Two stores: :class:`MemoryRateLimiter` keeps the TATs in this process (one worker), and
:class:`RedisRateLimiter` keeps them in Redis, updated by one Lua script so that every
worker and host sharing that Redis shares the budgets. When Redis cannot be reached the
Redis limiter falls back to its in-process store and logs it: a rate limit protects the
service, it must not take it down.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger("mitra.ratelimit")

WINDOW_SECONDS = 60.0
MAX_MEMORY_KEYS = 100_000  # purge expired entries beyond this many clients


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a request may run, and if not, after how many seconds it would."""

    allowed: bool
    retry_after: int = 0


class RateLimiter(Protocol):
    async def charge(self, key: str, cost: int, per_minute: int) -> Decision:
        """Charge ``cost`` units to ``key`` whose budget is ``per_minute`` units a minute."""
        ...

    async def close(self) -> None: ...


def _gcra(tat: float, now: float, cost: int, per_minute: int) -> tuple[bool, float, float]:
    """(allowed, new TAT, seconds to wait) for one request."""
    interval = WINDOW_SECONDS / per_minute
    increment = min(cost, per_minute) * interval
    new_tat = max(tat, now) + increment
    wait = new_tat - WINDOW_SECONDS - now
    if wait > 0:
        return False, tat, wait
    return True, new_tat, 0.0


def _retry_after(wait: float) -> int:
    return max(1, math.ceil(wait))


class MemoryRateLimiter:
    """Budgets kept in this process: right for one worker, per worker with several."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._tat: dict[str, float] = {}

    async def charge(self, key: str, cost: int, per_minute: int) -> Decision:
        # No await between read and write: the event loop makes this atomic per process.
        now = self.clock()
        allowed, new_tat, wait = _gcra(self._tat.get(key, now), now, cost, per_minute)
        if not allowed:
            return Decision(False, _retry_after(wait))
        self._tat[key] = new_tat
        if len(self._tat) > MAX_MEMORY_KEYS:
            self._tat = {k: t for k, t in self._tat.items() if t > now}
        return Decision(True)

    async def close(self) -> None:
        self._tat.clear()


# KEYS[1]: the client's key. ARGV: cost, per_minute, window seconds.
# Redis's own clock, so that hosts whose clocks differ still agree.
_GCRA_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local per_minute = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local cost = math.min(tonumber(ARGV[1]), per_minute)
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + cost * window / per_minute
local wait = new_tat - window - now
if wait > 0 then
  return {0, tostring(wait)}
end
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil((new_tat - now) * 1000) + 1)
return {1, '0'}
"""


class RedisRateLimiter:
    """Budgets shared by every process that uses the same Redis and ``namespace``."""

    def __init__(self, client: Redis, *, namespace: str) -> None:
        self.client = client
        self.namespace = namespace
        self._script = client.register_script(_GCRA_SCRIPT)
        self._fallback = MemoryRateLimiter()
        self._failing = False

    @classmethod
    def from_url(cls, url: str, *, namespace: str) -> RedisRateLimiter:
        from redis.asyncio import Redis

        client = Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        return cls(client, namespace=namespace)

    async def charge(self, key: str, cost: int, per_minute: int) -> Decision:
        from redis.exceptions import RedisError

        try:
            allowed, wait = await self._script(
                keys=[f"{self.namespace}:{key}"], args=[cost, per_minute, WINDOW_SECONDS]
            )
        except (RedisError, OSError) as exc:
            if not self._failing:
                log.error("rate limit store unreachable, limiting per process: %s", exc)
                self._failing = True
            return await self._fallback.charge(key, cost, per_minute)
        if self._failing:
            log.warning("rate limit store reachable again")
            self._failing = False
        if int(allowed):
            return Decision(True)
        return Decision(False, _retry_after(float(wait)))

    async def close(self) -> None:
        await self.client.aclose()


def namespace_for(database_url: str) -> str:
    """A Redis key prefix per database, so deployments sharing a Redis keep apart budgets.

    Token ids are database ids: two databases both have a token 1. The URL is hashed
    (it may hold a password) and only its first characters are kept.
    """
    digest = hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:16]
    return f"mitra:ratelimit:{digest}"


def make_rate_limiter(redis_url: str | None, *, database_url: str) -> RateLimiter:
    """Redis-backed when ``redis_url`` is set, else in-process."""
    if redis_url:
        return RedisRateLimiter.from_url(redis_url, namespace=namespace_for(database_url))
    return MemoryRateLimiter()
