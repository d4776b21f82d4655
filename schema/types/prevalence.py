"""One stunting prevalence figure (percent of children under five)."""

from __future__ import annotations

import strawberry

from service.db import models


@strawberry.type(description="A stunting prevalence figure: percent of children under five.")
class StuntingPrevalence:
    value: float
    year: int
    survey: str = strawberry.field(description="e.g. SSGI 2022, SKI 2023.")
    imputed: bool = strawberry.field(
        description="True when the figure was estimated, not published."
    )
    source: str
    source_url: str | None
    boundary: str | None = strawberry.field(
        description="`pre_2022` when the figure describes the province before the 2022 split."
    )
    notes: str | None

    @classmethod
    def from_model(cls, row: models.IndicatorMeasurement) -> StuntingPrevalence:
        return cls(
            value=row.value,
            year=row.year,
            survey=row.survey,
            imputed=bool(row.imputed),
            source=row.source,
            source_url=row.source_url,
            boundary=row.boundary,
            notes=row.notes,
        )
