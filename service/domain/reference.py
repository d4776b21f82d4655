"""Reference data in memory: the 38 provinces, 514 districts and their latest prevalence.

Also whether a generated demo world exists. They change only when the reference data is
loaded again, yet nearly every read asks for them (a page of districts with their
provinces and latest figures). A :class:`ReferenceData` snapshot answers those lookups
without SQL; the service keeps one per data version
(:class:`schema.reference.ReferenceCache`), so any write, anywhere, replaces it.
This is not a cache of results: it holds rows, and every query still runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.enums import STUNTING_INDICATOR, MeasurementLevel
from service.db.models import District, IndicatorMeasurement, Province
from service.domain.worlds import demo_available


@dataclass(frozen=True)
class ReferenceData:
    """Detached rows, read-only: never add them to a session."""

    provinces: Mapping[str, Province]  # by code, in code order
    districts: Mapping[str, District]  # by code, in code order
    latest_prevalence: Mapping[str, IndicatorMeasurement]  # by district code
    # whether generated (synthetic) rows exist (the DEMO world has data); None: not read
    demo_available: bool | None = None


def latest_of(rows: list[IndicatorMeasurement]) -> IndicatorMeasurement:
    """Pick the latest of one district's figures.

    A published figure wins over any imputed one, then the highest year, then the
    highest id: the rule of :func:`service.domain.prevalence.latest_district_prevalence`.
    """
    return min(rows, key=lambda m: (bool(m.imputed), -m.year, -m.id))


async def load_reference(session: AsyncSession) -> ReferenceData:
    """Load the provinces, the districts and each district's latest stunting figure."""
    provinces = (await session.execute(select(Province).order_by(Province.code))).scalars()
    districts = (await session.execute(select(District).order_by(District.code))).scalars()
    measurements = (
        await session.execute(
            select(IndicatorMeasurement).where(
                IndicatorMeasurement.level == MeasurementLevel.DISTRICT.value,
                IndicatorMeasurement.indicator == STUNTING_INDICATOR,
            )
        )
    ).scalars()
    by_district: dict[str, list[IndicatorMeasurement]] = {}
    for row in measurements:
        if row.district_code is not None:
            by_district.setdefault(row.district_code, []).append(row)
    return ReferenceData(
        provinces={row.code: row for row in provinces},
        districts={row.code: row for row in districts},
        latest_prevalence={code: latest_of(rows) for code, rows in by_district.items()},
        demo_available=await demo_available(session),
    )
