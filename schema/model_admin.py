"""Admin mutations for recommender models: ``trainModel`` and ``activateModelVersion``.

Each resolves to one call of :mod:`service.domain.model_admin` (the same functions the
promote notebook uses). Training is CPU-bound: it runs in a worker thread with its own
synchronous session, never on the event loop. Activation is one UPDATE and runs through
``AsyncSession.run_sync``. Running services notice the new active version on their next
poll (:class:`service.domain.recommending.Recommender`), without a restart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio.to_thread
import strawberry
from sqlalchemy.orm import Session

from schema.context import Info
from schema.permissions import permission_for
from schema.transactions import settle
from schema.types.model_version import ModelVersion
from schema.types.payloads import UserError, user_errors
from service.db.session import make_engine
from service.domain import model_admin
from service.domain.actions import Action
from service.domain.writes import Result

if TYPE_CHECKING:
    from service.auth import Principal
    from service.db import models
    from service.settings import Settings


@strawberry.input
class TrainModelInput:
    activate: bool = strawberry.field(
        default=False, description="Make the new version the active one once it is registered."
    )


@strawberry.type
class TrainModelPayload:
    model_version: ModelVersion | None
    user_errors: list[UserError]


@strawberry.type
class ActivateModelVersionPayload:
    model_version: ModelVersion | None
    user_errors: list[UserError]


def _errors(result: Result[models.ModelVersion]) -> list[UserError]:
    out = user_errors(result.user_errors)
    for e in out:  # "input": about the request as a whole
        if e.field == "input":
            e.field = None
    return out


def _train_in_thread(
    settings: Settings, actor: Principal, activate: bool
) -> tuple[ModelVersion | None, list[UserError]]:
    engine = make_engine(settings.sync_database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            result = model_admin.train(session, settings, actor=actor, activate=activate)
            settle(session, result)
            row = result.value
            return (None if row is None else ModelVersion.from_model(row)), _errors(result)
    finally:
        engine.dispose()


@strawberry.type
class ModelAdminMutation:
    @strawberry.mutation(
        description="Train, evaluate and register a new recommender model version (with its "
        "model card and metrics) on the current data, including planners' recommendation "
        "feedback and recorded partnership outcomes; optionally activate it. Takes seconds "
        "to a minute. Needs an admin token.",
        permission_classes=permission_for(Action.TRAIN_MODEL),
    )
    async def train_model(
        self, info: Info, input: TrainModelInput | None = None
    ) -> TrainModelPayload:
        actor = info.context.principal
        assert actor is not None
        activate = bool(input and input.activate)
        version, errors = await anyio.to_thread.run_sync(
            _train_in_thread, info.context.settings, actor, activate
        )
        return TrainModelPayload(model_version=version, user_errors=errors)

    @strawberry.mutation(
        description="Make a registered model version the only active one. Running services "
        "switch to it within seconds, without a restart. Needs an admin token.",
        permission_classes=permission_for(Action.ACTIVATE_MODEL_VERSION),
    )
    async def activate_model_version(self, info: Info, version: str) -> ActivateModelVersionPayload:
        actor = info.context.principal
        assert actor is not None
        async with info.context.session_factory() as session:
            result = await session.run_sync(
                lambda s: model_admin.activate(s, actor=actor, version=version)
            )
            await session.run_sync(settle, result)
        row = result.value
        return ActivateModelVersionPayload(
            model_version=None if row is None else ModelVersion.from_model(row),
            user_errors=_errors(result),
        )
