"""Budgets per client: refuse an operation with ``RATE_LIMITED`` when its client is over.

The cost of an operation is the object estimate of :mod:`schema.cost` (at least 1).
The client is the token when a valid one was sent (budget
``settings.rate_limit_per_minute``), else the client address (budget
``settings.anonymous_rate_limit_per_minute``); a budget of 0 means no limit. The store
(:mod:`service.ratelimit`) is on the context; without one nothing is limited (tests
executing the schema directly). The refusal happens before any resolver runs, so a
refused write changes nothing; the HTTP layer turns the error into status 429 with
``Retry-After``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension

from schema.cost import operation_cost
from schema.errors import MitraError, refusal

RATE_LIMITED = "RATE_LIMITED"


class RateLimitedError(MitraError):
    code = RATE_LIMITED


def client_key(context: object) -> tuple[str, bool]:
    """``("token:<id>", True)`` for a valid token, else ``("addr:<host>", False)``."""
    principal = getattr(context, "principal", None)
    if principal is not None and principal.token_id is not None:
        return f"token:{principal.token_id}", True
    request = getattr(context, "request", None)
    client = getattr(request, "client", None)
    return f"addr:{client.host if client is not None else 'unknown'}", False


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
            if budget > 0:
                cost = max(1, operation_cost(execution, max_page=self.max_page))
                decision = await limiter.charge(key, cost, budget)
                if not decision.allowed:
                    who = "this token" if has_token else "anonymous clients at this address"
                    error = RateLimitedError(
                        f"rate limit: {who} may spend {budget:,} cost units a minute and "
                        f"this operation costs {cost:,}; retry after {decision.retry_after} s",
                        retryAfter=decision.retry_after,
                        cost=cost,
                        budgetPerMinute=budget,
                    )
                    execution.result = refusal(error)
        yield
