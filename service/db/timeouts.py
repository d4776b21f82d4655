"""Statement timeouts: ``MITRA_STATEMENT_TIMEOUT_MS`` on PostgreSQL and on SQLite alike.

* PostgreSQL: every connection of the service starts with
  ``options=-c statement_timeout=<ms>``; the server cancels a statement that runs
  longer, and the driver reports SQLSTATE 57014 (``query_canceled``).
* SQLite has no such setting. A progress handler, which SQLite calls every
  :data:`PROGRESS_STEPS` virtual-machine instructions of a running statement, returns
  "stop" once the statement's deadline has passed; SQLite then abandons the statement
  with ``SQLITE_INTERRUPT`` (rolling back what it had changed). The deadline is set when
  a statement starts (``before_cursor_execute``) and cleared when it ends or fails, so
  a ``COMMIT`` or an idle connection is never interrupted. The async driver (aiosqlite)
  fetches a statement's rows inside that window, so fetching is covered too; time spent
  waiting for another writer's lock is not (that is ``busy_timeout``, 5 s).

:func:`is_statement_timeout` recognises both, so that the GraphQL layer reports them
as one error (``DATABASE_TIMEOUT``) and never as a lost database.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event

QUERY_CANCELED_SQLSTATE = "57014"  # PostgreSQL: statement timeout or cancel request
SQLITE_INTERRUPT = "SQLITE_INTERRUPT"
# SQLite instructions between two looks at the clock (a few ms of work at most).
PROGRESS_STEPS = 10_000
_DEADLINE = "mitra_statement_deadline"  # connection record's info key


def is_timeout_error(orig: object) -> bool:
    """Whether a driver exception is a statement stopped by its timeout (either backend)."""
    return (
        getattr(orig, "sqlstate", None) == QUERY_CANCELED_SQLSTATE
        or getattr(orig, "sqlite_errorname", None) == SQLITE_INTERRUPT
    )


def is_statement_timeout(error: BaseException | None) -> bool:
    """Whether ``error``, or an error in its cause chain, is a statement timeout."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if is_timeout_error(getattr(error, "orig", None)) or is_timeout_error(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def postgres_connect_args(url: str, timeout_ms: int) -> dict[str, Any]:
    """``create_engine`` keywords making PostgreSQL cancel statements after ``timeout_ms``."""
    if timeout_ms <= 0 or not url.startswith("postgresql"):
        return {}
    return {"connect_args": {"options": f"-c statement_timeout={timeout_ms}"}}


class _Deadline:
    """The running statement's deadline on one connection (``time.monotonic``), or None."""

    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at: float | None = None

    def passed(self) -> int:
        at = self.at
        return 1 if at is not None and time.monotonic() > at else 0


def _deadline_of(conn: Any) -> _Deadline | None:
    """The deadline of a SQLAlchemy ``Connection``'s DBAPI connection, if it has one."""
    try:
        info = conn.connection.info
    except Exception:  # a connection already closed or invalidated
        return None
    found = info.get(_DEADLINE)
    return found if isinstance(found, _Deadline) else None


def _clear(conn: Any) -> None:
    deadline = _deadline_of(conn)
    if deadline is not None:
        deadline.at = None


class _SqliteTimeout:
    """The engine listeners of :func:`install_sqlite_timeout`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def connect(self, dbapi_connection: Any, record: Any) -> None:
        deadline = _Deadline()
        record.info[_DEADLINE] = deadline
        if hasattr(dbapi_connection, "run_async"):  # aiosqlite, behind SQLAlchemy's adapter
            dbapi_connection.run_async(
                lambda conn: conn.set_progress_handler(deadline.passed, PROGRESS_STEPS)
            )
        else:
            dbapi_connection.set_progress_handler(deadline.passed, PROGRESS_STEPS)

    def start(self, conn: Any, *_args: Any) -> None:
        deadline = _deadline_of(conn)
        if deadline is not None:
            deadline.at = time.monotonic() + self.seconds

    def end(self, conn: Any, *_args: Any) -> None:
        _clear(conn)

    def failed(self, context: Any) -> None:
        if context.connection is not None:
            _clear(context.connection)


def install_sqlite_timeout(engine: Engine, timeout_ms: int) -> None:
    """Interrupt a statement of ``engine`` (SQLite, sync or an async engine's
    ``sync_engine``) that runs longer than ``timeout_ms``; 0 or less does nothing."""
    if timeout_ms <= 0 or engine.dialect.name != "sqlite":
        return
    listeners = _SqliteTimeout(timeout_ms / 1000)
    event.listen(engine, "connect", listeners.connect)
    event.listen(engine, "before_cursor_execute", listeners.start)
    event.listen(engine, "after_cursor_execute", listeners.end)
    event.listen(engine, "handle_error", listeners.failed)
