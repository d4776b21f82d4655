"""Model administration as audited writes: train a version, activate a version.

The ``trainModel`` and ``activateModelVersion`` mutations, the promote notebook and
any other caller go through these two functions, so every path checks the admin role,
answers an unknown version with a ``NOT_FOUND`` user error and leaves an audit entry
naming the actor. They take a synchronous :class:`~sqlalchemy.orm.Session` (training
is CPU-bound and runs in a worker thread; the service calls :func:`activate` through
``AsyncSession.run_sync``) and only flush: the caller commits.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import TYPE_CHECKING, Any

from service.auth import Principal
from service.db.models import AuditLog, ModelVersion
from service.domain import model_registry
from service.domain import validation as v
from service.domain.actions import Action, authorize
from service.domain.validation import ErrorCode, UserError
from service.domain.writes import MODEL_VERSION_MAX, Result

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from service.settings import Settings

TRAINING_IN_PROGRESS = "TRAINING_IN_PROGRESS"  # a user error about the request as a whole

# One training at a time per process: a second request is told so instead of queueing
# another minute of CPU behind the first.
_training = threading.Lock()


def _audit(
    session: Session, actor: Principal, action: str, row: ModelVersion, summary: dict[str, Any]
) -> None:
    session.add(
        AuditLog(
            at=dt.datetime.now(dt.UTC),
            actor=actor.owner,
            role=actor.role.value,
            action=action,
            entity_type="ModelVersion",
            entity_id=row.version,
            summary=summary,
        )
    )


def train(
    session: Session, settings: Settings, *, actor: Principal, activate: bool, n_boot: int = 1000
) -> Result[ModelVersion]:
    """Train, evaluate and register a version (:func:`model_registry.train_model`).

    Its training data include planners' recommendation feedback and every partnership
    outcome recorded so far. ``activate`` also makes it the active version.
    """
    authorize(actor, Action.TRAIN_MODEL)
    if not _training.acquire(blocking=False):
        return Result(
            user_errors=[
                UserError(
                    "input",
                    "a model is being trained already; try again when it has finished",
                    TRAINING_IN_PROGRESS,
                )
            ]
        )
    try:
        row = model_registry.train_model(session, settings, activate=activate, n_boot=n_boot)
    finally:
        _training.release()
    _audit(
        session,
        actor,
        Action.TRAIN_MODEL.audit_name,
        row,
        {"activate": activate, "data_hash": row.data_hash, "training_window": row.training_window},
    )
    session.flush()
    return Result(value=row)


def activate(session: Session, *, actor: Principal, version: str) -> Result[ModelVersion]:
    """Make ``version`` the only active one; running services pick it up within seconds."""
    authorize(actor, Action.ACTIVATE_MODEL_VERSION)
    errors = v.free_text(version, field="version", max_length=MODEL_VERSION_MAX, required=True)
    if errors:
        return Result(user_errors=errors)
    previous = model_registry.active_version(session)
    try:
        row = model_registry.activate_version(session, version.strip())
    except LookupError:
        return Result(
            user_errors=[
                UserError(
                    "version", f"no model version {version.strip()!r}", ErrorCode.NOT_FOUND.value
                )
            ]
        )
    _audit(
        session,
        actor,
        Action.ACTIVATE_MODEL_VERSION.audit_name,
        row,
        {"previous": None if previous is None else previous.version},
    )
    session.flush()
    return Result(value=row)
