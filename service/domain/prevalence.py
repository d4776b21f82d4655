"""Stunting prevalence measurements: latest value per district and time series."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Subquery, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from service.db.enums import STUNTING_INDICATOR, MeasurementLevel
from service.db.models import IndicatorMeasurement

M = IndicatorMeasurement


def latest_district_prevalence() -> Subquery:
    """One row per district: the id and value of its latest stunting measurement.

    A figure published for the district wins over any imputed one, whatever the year:
    the district's own survey value says more about it than a later province average
    (so Timor Tengah Selatan shows its SSGI 2021 48.3%, not NTT's imputed SSGI 2022
    35.3%). Among figures of the same kind the highest year wins. Districts with no
    published figure get their latest imputed value, flagged ``imputed``. Used both to
    load the value and to filter and order districts in SQL.
    """
    rank = (
        func.row_number()
        .over(
            partition_by=M.district_code,
            order_by=(M.imputed.asc(), M.year.desc(), M.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(M.id, M.district_code, M.value, rank)
        .where(M.level == MeasurementLevel.DISTRICT.value, M.indicator == STUNTING_INDICATOR)
        .subquery("ranked_prevalence")
    )
    return (
        select(ranked.c.id, ranked.c.district_code, ranked.c.value)
        .where(ranked.c.rank == 1)
        .subquery("latest_prevalence")
    )


async def latest_by_district(
    session: AsyncSession, *, district_codes: Iterable[str]
) -> dict[str, IndicatorMeasurement]:
    """Load the latest stunting figure of each district, keyed by district code."""
    latest = latest_district_prevalence()
    codes = list(district_codes)
    stmt = select(M).join(latest, latest.c.id == M.id).where(latest.c.district_code.in_(codes))
    rows = (await session.execute(stmt)).scalars().all()
    return {row.district_code: row for row in rows if row.district_code is not None}


async def _series(
    session: AsyncSession,
    *,
    level: MeasurementLevel,
    code: InstrumentedAttribute[str | None],
    codes: Iterable[str],
) -> dict[str, list[IndicatorMeasurement]]:
    """Stunting measurements at ``level`` for each of ``codes`` (matched on ``code``), by year."""
    stmt = (
        select(M)
        .where(
            M.level == level.value,
            M.indicator == STUNTING_INDICATOR,
            code.in_(list(codes)),
        )
        .order_by(code, M.year, M.id)
    )
    series: dict[str, list[IndicatorMeasurement]] = defaultdict(list)
    for row in (await session.execute(stmt)).scalars():
        series[getattr(row, code.key) or ""].append(row)
    return series


async def series_by_district(
    session: AsyncSession, *, district_codes: Iterable[str]
) -> dict[str, list[IndicatorMeasurement]]:
    """Load the stunting series of each district, keyed by district code."""
    return await _series(
        session, level=MeasurementLevel.DISTRICT, code=M.district_code, codes=district_codes
    )


async def series_by_province(
    session: AsyncSession, *, province_codes: Iterable[str]
) -> dict[str, list[IndicatorMeasurement]]:
    """Load the stunting series of each province, keyed by province code."""
    return await _series(
        session, level=MeasurementLevel.PROVINCE, code=M.province_code, codes=province_codes
    )


async def national_series(session: AsyncSession) -> list[IndicatorMeasurement]:
    """Load the national stunting series."""
    stmt = (
        select(M)
        .where(M.level == MeasurementLevel.NATIONAL.value, M.indicator == STUNTING_INDICATOR)
        .order_by(M.year, M.id)
    )
    return list((await session.execute(stmt)).scalars())
