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
    # Whether the database holds a demo world, looked up once per request when a field
    # asks for world DEMO (schema.worlds.checked_world); None until then.
    demo_available: bool | None = None


def build_context(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    recommender: Recommender | None = None,
    request: Request | None = None,
    response: Response | None = None,
    principal: Principal | None = None,
    token_rejected: bool = False,
) -> Context:
    """A fresh context with fresh loaders: call once per request (and per test query)."""
    return Context(
        session_factory=session_factory,
        settings=settings,
        loaders=make_loaders(session_factory),
        recommender=recommender,
        request=request,
        response=response,
        principal=principal,
        token_rejected=token_rejected,
    )


Info = strawberry.Info[Context, None]
