"""Fixtures for recommendation tests: a trained model and a context carrying a Recommender."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.types import ExecutionResult

from schema.context import build_context
from service.domain.recommending import Recommender
from service.settings import Settings
from tests.model_support import trained_version

Run = Callable[..., Awaitable[ExecutionResult]]


@pytest.fixture(scope="module")
def version(engine: Engine, settings: Settings) -> str:
    return trained_version(engine, settings)


@pytest.fixture(scope="module")
def recommender(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, version: str
) -> Recommender:
    return Recommender(session_factory, settings, poll_seconds=0)


@pytest.fixture
def rrun(
    gql_schema: Any,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    recommender: Recommender,
) -> Run:
    async def execute(
        query: str, variables: dict[str, Any] | None = None, *, errors: bool = False
    ) -> ExecutionResult:
        result = await gql_schema.execute(
            query,
            variable_values=variables,
            context_value=build_context(session_factory, settings, recommender=recommender),
        )
        if not errors:
            assert result.errors is None, [e.formatted for e in result.errors or []]
        return result

    return execute


REACH_KM = 300.0  # the documented radius (docs/recommender.md, "Within reach")


def reach_rule(engine: Engine) -> Callable[[int, str], bool]:
    """The within-reach footprint rule written out from the database alone.

    A real partner reaches a district when it has no known district, is an
    international organisation, is known in two or more provinces, is known in the
    district's province, or is known within REACH_KM of it (great-circle distance).
    Known districts: real partnerships past PROPOSED (reported, active, completed).
    """
    import math

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from service.db.models import District, Partner, Partnership

    with Session(engine) as s:
        where = {
            c: (p, la, lo)
            for c, p, la, lo in s.execute(
                select(District.code, District.province_code, District.latitude, District.longitude)
            )
        }
        kind = dict(s.execute(select(Partner.id, Partner.kind)).all())
        known: dict[int, set[str]] = {}
        for pid, code in s.execute(
            select(Partnership.partner_id, Partnership.district_code).where(
                Partnership.synthetic.is_(False),
                Partnership.status.in_(("reported", "active", "completed")),
            )
        ):
            known.setdefault(pid, set()).add(code)

    def km(a: str, b: str) -> float:
        (_, la1, lo1), (_, la2, lo2) = where[a], where[b]
        p1, p2 = math.radians(la1), math.radians(la2)
        h = (
            math.sin((p2 - p1) / 2) ** 2
            + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lo2 - lo1) / 2) ** 2
        )
        return 2 * 6371.0 * math.asin(math.sqrt(h))

    def reaches(partner_id: int, code: str) -> bool:
        own = known.get(partner_id, set())
        provinces = {where[c][0] for c in own}
        return (
            not own
            or kind[partner_id] == "international_org"
            or len(provinces) >= 2
            or where[code][0] in provinces
            or min(km(code, c) for c in own) <= REACH_KM
        )

    return reaches
