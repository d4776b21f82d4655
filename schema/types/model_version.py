"""A registered recommender model, or the transparent fallback."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import strawberry
from strawberry.scalars import JSON

if TYPE_CHECKING:
    from service.db import models
    from service.domain.model_registry import LoadedModel


@strawberry.type(description="A trained recommender model (or the transparent fallback).")
class ModelVersion:
    version: str
    kind: str
    created_at: dt.datetime | None
    training_window: str | None
    data_hash: str | None
    metrics: JSON | None = strawberry.field(
        description="The evaluation table (time split and real leave-one-out, with intervals)."
    )
    card: JSON | None = strawberry.field(description="The model card.")
    active: bool
    fallback: bool = strawberry.field(
        description="True when the service scores with the documented transparent scorer "
        "because no learned model is active or its artifact could not be loaded."
    )
    fallback_reason: str | None

    @classmethod
    def from_model(
        cls, row: models.ModelVersion, *, fallback: bool = False, reason: str | None = None
    ) -> ModelVersion:
        return cls(
            version=row.version,
            kind=row.kind,
            created_at=row.created_at,
            training_window=row.training_window,
            data_hash=row.data_hash,
            metrics=JSON(row.metrics),
            card=JSON(row.card),
            active=bool(row.active),
            fallback=fallback,
            fallback_reason=reason,
        )

    @classmethod
    def from_fallback(cls, model: LoadedModel) -> ModelVersion:
        return cls(
            version=model.version,
            kind=model.kind,
            created_at=None,
            training_window=None,
            data_hash=None,
            metrics=None,
            card=JSON(
                {
                    "intended_use": "Fallback: a documented weighted sum of pair features "
                    "(docs/recommender.md, TRANSPARENT_WEIGHTS); needs no training.",
                    "known_limitations": ["Hand-set weights, not learned from outcomes."],
                }
            ),
            active=True,
            fallback=True,
            fallback_reason=model.reason,
        )
