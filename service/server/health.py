"""Is the service fit to serve? ``/healthz`` (alive), ``/readyz`` (ready), and the check
``mitra serve`` runs before it listens.

Liveness never touches the database, so an orchestrator does not restart a healthy
process during a database outage; readiness does (database reachable, active model
loaded), so traffic is held back until both are. Answers never carry driver text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse

from service.db.migrate import current_revision, head_revision
from service.db.models import District, Province
from service.db.session import make_engine
from service.domain.model_registry import active_version

if TYPE_CHECKING:
    from starlette.requests import Request

    from service.settings import Settings

log = logging.getLogger("mitra.health")

READY_TIMEOUT_SECONDS = 5.0
NO_DATABASE = "no database at {path}: run `mitra setup` (or `make run`) to create it"


class NotReady(Exception):
    """Why the database cannot be served yet, in one line an operator can act on."""


@dataclass(frozen=True)
class Preflight:
    database: str  # the URL without its password
    model: str  # the active model version, or what the service will fall back to


def display_url(url: str) -> str:
    """``url`` safe to print: the password, if any, is masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory ones)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


def first_line(exc: BaseException) -> str:
    """The gist of ``exc`` in one line (for a database error, the driver's first line)."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


def preflight(settings: Settings) -> Preflight:
    """Check the database before serving: reachable, migrated to head, reference data in.

    Raises :class:`NotReady` with one line naming the problem and the command that
    fixes it. Never creates a SQLite file that is not there.
    """
    shown = display_url(settings.database_url)
    path = sqlite_file(settings.sync_database_url)
    if path is not None and not path.is_file():
        raise NotReady(NO_DATABASE.format(path=path))
    engine = make_engine(settings.sync_database_url, pool_pre_ping=True)
    try:
        try:
            revision = current_revision(engine)
        except SQLAlchemyError as exc:
            raise NotReady(f"cannot connect to the database {shown}: {first_line(exc)}") from None
        head = head_revision()
        if revision != head:
            state = "has no tables" if revision is None else f"is at migration {revision}"
            raise NotReady(
                f"the database {shown} {state}, this version needs {head}: run `mitra migrate`"
            )
        with Session(engine) as session:
            if not _count(session, Province) or not _count(session, District):
                raise NotReady(
                    f"the database {shown} has no reference data (provinces, districts): "
                    "run `mitra setup`"
                )
            row = active_version(session)
            model = (
                row.version
                if row is not None
                else "transparent (fallback: no trained model; `mitra train` makes one)"
            )
    finally:
        engine.dispose()
    return Preflight(database=shown, model=model)


def _count(session: Session, entity: type) -> int:
    return int(session.scalar(select(func.count()).select_from(entity)) or 0)


async def healthz(_request: Request) -> JSONResponse:
    """Liveness: the process answers. Never touches the database."""
    return JSONResponse({"status": "alive"})


async def readyz(request: Request) -> JSONResponse:
    """Readiness: the database answers and the active model (or the fallback) is loaded."""
    state = request.app.state
    path = sqlite_file(state.settings.sync_database_url)
    try:
        if path is not None and not path.is_file():
            raise FileNotFoundError(path)  # pooled connections would hide a removed file
        with anyio.fail_after(READY_TIMEOUT_SECONDS):
            async with state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("not ready: database unreachable: %s", first_line(exc))
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    try:
        with anyio.fail_after(READY_TIMEOUT_SECONDS * 6):
            snapshot = await state.recommender.snapshot()
    except Exception as exc:
        log.warning("not ready: model not loaded: %s", first_line(exc))
        return JSONResponse({"status": "unavailable", "database": "ok", "model": "not loaded"}, 503)
    return JSONResponse(
        {
            "status": "ready",
            "database": "ok",
            "model": snapshot.version,
            "fallback": snapshot.model.fallback,
        }
    )
