"""The ``world`` argument of planner-facing fields: the real record unless DEMO is asked."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.errors import DemoUnavailableError
from service.domain.worlds import World, demo_available

WorldArg = Annotated[
    World,
    strawberry.argument(
        description="REAL (default): the real record only. DEMO: with the generated demo "
        "world added, each generated item marked synthetic."
    ),
]


async def checked_world(info: Info, world: World) -> World:
    """``world``, after checking (once per request) that DEMO has data to show.

    The request's reference snapshot knows it for its data version; without one, one query.
    """
    if world is World.DEMO:
        context = info.context
        if context.demo_available is None and context.reference_data is not None:
            context.demo_available = context.reference_data.demo_available
        if context.demo_available is None:
            async with context.session_factory() as session:
                context.demo_available = await demo_available(session)
        if not context.demo_available:
            raise DemoUnavailableError(
                "this database holds no generated demo data: ask for world REAL "
                "(`mitra seed` adds the demo world)",
                field="world",
            )
    return world
