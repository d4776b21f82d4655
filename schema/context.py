"""The per-request context: a session factory (never a shared session), settings, loaders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import strawberry

from schema.dataloaders import Loaders, make_loaders

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
    from starlette.requests import Request
    from starlette.responses import Response

    from service.auth import Principal
    from service.domain.recommending import Recommender
    from service.domain.reference import ReferenceData
    from service.ratelimit import RateLimiter
    from service.settings import Settings


@dataclass
class Context:
    session_factory: async_sessionmaker[AsyncSession]
    settings: Settings
    loaders: Loaders
    # The service's runtime recommender (active model, feature snapshot); None where no
    # recommender runs (then the recommendation fields answer RECOMMENDER_UNAVAILABLE).
    recommender: Recommender | None = None
    request: Request | None = None
    response: Response | None = None
    # Who is asking: None without a (valid) bearer token. ``token_rejected`` is True when
    # a token was sent but is unknown or revoked, so even open reads refuse it.
    principal: Principal | None = None
    token_rejected: bool = False
    # Where the per-client budgets live (schema/ratelimit.py); None: no limits.
    rate_limiter: RateLimiter | None = None
    # Whether the database holds a demo world, looked up once per request when a field
    # asks for world DEMO (schema.worlds.checked_world); None until then.
    demo_available: bool | None = None
    # Provinces, districts and latest prevalence of the current data version: given by
    # the service (one snapshot per version), else loaded before execution
    # (schema.reference.LoadReference).
    reference_data: ReferenceData | None = None
    # Why it could not be loaded: kept as the cause, so a lost database still reads as one.
    reference_error: BaseException | None = None

    @property
    def reference(self) -> ReferenceData:
        if self.reference_data is None:
            raise RuntimeError("reference data is not loaded") from self.reference_error
        return self.reference_data


def build_context(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    reference: ReferenceData | None = None,
    recommender: Recommender | None = None,
    request: Request | None = None,
    response: Response | None = None,
    principal: Principal | None = None,
    token_rejected: bool = False,
    rate_limiter: RateLimiter | None = None,
) -> Context:
    """A fresh context with fresh loaders: call once per request (and per test query)."""
    context: Context

    def reference_now() -> ReferenceData:
        return context.reference

    context = Context(
        session_factory=session_factory,
        settings=settings,
        loaders=make_loaders(session_factory, reference_now),
        reference_data=reference,
        recommender=recommender,
        request=request,
        response=response,
        principal=principal,
        token_rejected=token_rejected,
        rate_limiter=rate_limiter,
    )
    return context


Info = strawberry.Info[Context, None]
