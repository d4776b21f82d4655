"""Budgets per client: refuse an operation with ``RATE_LIMITED`` when its client is over.

The cost of an operation is the object estimate of :mod:`schema.cost` (at least 1).
The client is the token when a valid one was sent (budget
``settings.rate_limit_per_minute``), else the client address (budget
``settings.anonymous_rate_limit_per_minute``); a budget of 0 means no limit. The store
(:mod:`service.ratelimit`) is on the context; without one nothing is limited (tests
executing the schema directly). The refusal happens before any resolver runs, so a
refused write changes nothing; the HTTP layer turns the error into status 429 with
``Retry-After``. The operation's cost is left in the request's ``scope["state"]``
(:data:`COST_STATE`), so that the result cache (:mod:`service.server.result_cache`)
charges an answer it serves again the same cost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from strawberry.extensions import SchemaExtension

from schema.cost import operation_cost
from schema.errors import MitraError, refusal

if TYPE_CHECKING:
    from service.ratelimit import RateLimiter
    from service.settings import Settings

RATE_LIMITED = "RATE_LIMITED"
COST_STATE = "mitra_cost"  # scope["state"] key: the operation's cost in units


class RateLimitedError(MitraError):
    code = RATE_LIMITED


def client_key(context: object) -> tuple[str, bool]:
    """``("token:<id>", True)`` for a valid token, else ``("addr:<host>", False)``."""
    request = getattr(context, "request", None)
    client = getattr(request, "client", None)
    return key_for(getattr(context, "principal", None), client.host if client else None)


def key_for(principal: Any, host: str | None) -> tuple[str, bool]:
    """The budget's key for a principal (None: no valid token) calling from ``host``."""
    if principal is not None and principal.token_id is not None:
        return f"token:{principal.token_id}", True
    return f"addr:{host or 'unknown'}", False


def over_budget(*, has_token: bool, budget: int, cost: int, retry_after: int) -> RateLimitedError:
    """The error for an operation refused because its client spent its budget."""
    who = "this token" if has_token else "anonymous clients at this address"
    return RateLimitedError(
        f"rate limit: {who} may spend {budget:,} cost units a minute and "
        f"this operation costs {cost:,}; retry after {retry_after} s",
        retryAfter=retry_after,
        cost=cost,
        budgetPerMinute=budget,
    )


async def charge_client(
    limiter: RateLimiter | None,
    settings: Settings | None,
    principal: Any,
    host: str | None,
    cost: int,
) -> tuple[RateLimitedError, int] | None:
    """Charge ``cost`` units to the client outside a GraphQL operation (a cached answer,
    an export); the error and the ``Retry-After`` seconds when it is over budget."""
    if limiter is None or settings is None:
        return None
    key, has_token = key_for(principal, host)
    budget = (
        settings.rate_limit_per_minute if has_token else settings.anonymous_rate_limit_per_minute
    )
    if budget <= 0:
        return None
    decision = await limiter.charge(key, cost, budget)
    if decision.allowed:
        return None
    error = over_budget(
        has_token=has_token, budget=budget, cost=cost, retry_after=decision.retry_after
    )
    return error, decision.retry_after


def refusal_body(error: RateLimitedError) -> dict[str, Any]:
    """The GraphQL-shaped JSON body of a refusal sent outside an operation."""
    return {"data": None, "errors": [{"message": error.message, "extensions": error.extensions}]}


class RateLimit(SchemaExtension):
    """Charge each operation's cost to its client; refuse it when over budget."""

    def __init__(self, *, per_token: int, per_address: int, max_page: int) -> None:
        self.per_token = per_token
        self.per_address = per_address
        self.max_page = max_page

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        limiter = getattr(execution.context, "rate_limiter", None)
        # An operation another extension already refused costs nothing.
        if limiter is not None and execution.result is None:
            key, has_token = client_key(execution.context)
            budget = self.per_token if has_token else self.per_address
            cost = max(1, operation_cost(execution, max_page=self.max_page))
            request = getattr(execution.context, "request", None)
            if request is not None:
                request.scope.setdefault("state", {})[COST_STATE] = cost
            if budget > 0:
                decision = await limiter.charge(key, cost, budget)
                if not decision.allowed:
                    execution.result = refusal(
                        over_budget(
                            has_token=has_token,
                            budget=budget,
                            cost=cost,
                            retry_after=decision.retry_after,
                        )
                    )
        yield
