"""The two worlds: the real record (the product) and the generated demo world.

The *real record* is the reference data, the partnerships reported in public sources
and their partners, and every partner and partnership recorded through the API. The
*demo world* adds the generated (``synthetic``) partners and partnership history that
``make run`` seeds for exploring and that the recommender may learn from. Planner-facing
answers use the real record unless the demo world is asked for by name, and then every
synthetic item says so (``synthetic: true``).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, TypeVarTuple

from sqlalchemy import Select, exists, or_, select

from service.db.models import Partner, Partnership

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

Ts = TypeVarTuple("Ts")


class World(enum.StrEnum):
    """Which data an answer counts: the real record alone, or with the generated demo world."""

    REAL = "real"
    DEMO = "demo"

    @property
    def includes_synthetic(self) -> bool:
        """Whether generated (synthetic) rows count in this world."""
        return self is World.DEMO


async def demo_available(session: AsyncSession) -> bool:
    """Tell whether the database holds generated (synthetic) partners or partnerships."""
    stmt = select(
        or_(
            exists().where(Partner.synthetic.is_(True)),
            exists().where(Partnership.synthetic.is_(True)),
        )
    )
    return bool(await session.scalar(stmt))


def in_world(stmt: Select[*Ts], world: World) -> Select[*Ts]:
    """``stmt`` (which joins Partner and Partnership) narrowed to ``world``'s rows."""
    if world.includes_synthetic:
        return stmt
    return stmt.where(Partner.synthetic.is_(False), Partnership.synthetic.is_(False))
