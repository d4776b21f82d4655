"""Data frames built from the database, in the shape the synthetic generator expects."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.enums import STUNTING_INDICATOR, MeasurementLevel
from service.db.models import District, IndicatorMeasurement

PREVALENCE_SURVEY = "SSGI 2022"  # the latest survey with district figures

DISTRICT_FRAME_COLUMNS = (
    "code",
    "province_code",
    "short_name",
    "type",
    "latitude",
    "longitude",
    "population",
    "area_km2",
    "underdeveloped",
    "prevalence",
    "prevalence_imputed",
)


def district_frame(session: Session, *, survey: str = PREVALENCE_SURVEY) -> pd.DataFrame:
    """One row per district with its ``survey`` stunting prevalence (published or imputed).

    Columns: ``code, province_code, short_name, type, latitude, longitude, population,
    area_km2, underdeveloped, prevalence, prevalence_imputed``, sorted by code. A
    district without a row for ``survey`` gets NaN prevalence and
    ``prevalence_imputed`` False.
    """
    m = IndicatorMeasurement
    stmt = (
        select(
            District.code,
            District.province_code,
            District.short_name,
            District.type,
            District.latitude,
            District.longitude,
            District.population,
            District.area_km2,
            District.underdeveloped,
            m.value.label("prevalence"),
            m.imputed.label("prevalence_imputed"),
        )
        .outerjoin(
            m,
            (m.district_code == District.code)
            & (m.level == MeasurementLevel.DISTRICT.value)
            & (m.indicator == STUNTING_INDICATOR)
            & (m.survey == survey),
        )
        .order_by(District.code)
    )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=list(DISTRICT_FRAME_COLUMNS))
    frame["underdeveloped"] = frame["underdeveloped"].astype(bool)
    frame["prevalence"] = frame["prevalence"].astype(float)
    frame["prevalence_imputed"] = frame["prevalence_imputed"].fillna(False).astype(bool)
    return frame
