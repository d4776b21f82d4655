"""The data version: a number in the database that every committed write increases.

Every session (sync or async, API, CLI or seed) that writes through the ORM bumps the
single ``data_version`` row inside its own transaction: a unit-of-work flush with
changes, or an ORM ``insert``/``update``/``delete`` statement. The bump commits or
rolls back with the write, so the version names a state of the data. Refreshing an
API token's ``last_used_at`` is not a change of the data and does not bump it.

:class:`DataVersionWatcher` gives the service the current version, reading the row at
most every ``poll_seconds`` (PostgreSQL and SQLite alike): every worker and every host
sees another worker's write within that interval, and its own at once
(:meth:`DataVersionWatcher.invalidate` after a write).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select, text, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from service.db.models import ApiToken, DataVersion

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger("mitra.data_version")
ROW_ID = 1
CHANNEL = "mitra_data_version"  # PostgreSQL LISTEN/NOTIFY channel of the bumps
_BUMPED = "mitra_data_version_bumped"
# Changes to these tables are bookkeeping, not data.
_NOT_DATA = (ApiToken, DataVersion)


def _bump(session: Session) -> None:
    if session.info.get(_BUMPED):
        return
    session.info[_BUMPED] = True  # before executing: the UPDATE below is ORM-executed too
    session.execute(
        update(DataVersion).where(DataVersion.id == ROW_ID).values(version=DataVersion.version + 1)
    )
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANNEL}"))  # delivered at commit, never on rollback


def _is_data(obj: Any) -> bool:
    return not isinstance(obj, _NOT_DATA)


@event.listens_for(Session, "before_flush")
def _bump_on_flush(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    changed = [*session.new, *session.dirty, *session.deleted]
    if any(_is_data(obj) for obj in changed):
        _bump(session)


@event.listens_for(Session, "do_orm_execute")
def _bump_on_dml(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, _NOT_DATA):
        return
    _bump(state.session)


@event.listens_for(Session, "after_transaction_end")
def _reset(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction ended: the next one bumps again
        session.info.pop(_BUMPED, None)


async def read_version(session: AsyncSession) -> int:
    """The committed data version (0 on a database without the row)."""
    stmt = select(DataVersion.version).where(DataVersion.id == ROW_ID)
    return int((await session.execute(stmt)).scalar_one_or_none() or 0)


class DataVersionWatcher:
    """The current data version, read from the database at most every ``poll_seconds``,
    and at once when a write is known to have happened: this worker's own
    (:meth:`invalidate`), a change of the SQLite file (``sqlite_path``: one ``stat`` per
    call), or a PostgreSQL notification (:meth:`listen`)."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        poll_seconds: float = 0.5,
        sqlite_path: str | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.poll_seconds = poll_seconds
        self.sqlite_path = sqlite_path
        self._file: tuple[int, int, int] | None = None
        self._version = -1
        self._checked = float("-inf")
        self._invalidations = 0  # how many invalidate() calls so far
        self._lock = asyncio.Lock()

    def _file_changed(self) -> bool:
        if self.sqlite_path is None:
            return False
        try:
            st = os.stat(self.sqlite_path)
        except OSError:
            return True
        signature = (st.st_mtime_ns, st.st_size, st.st_ino)
        changed, self._file = signature != self._file, signature
        return changed

    async def current(self) -> int:
        if self._file_changed():
            self.invalidate()
        if time.monotonic() - self._checked < self.poll_seconds:
            return self._version
        async with self._lock:
            if time.monotonic() - self._checked >= self.poll_seconds:
                started, invalidations = time.monotonic(), self._invalidations
                async with self.session_factory() as session:
                    self._version = await read_version(session)
                if invalidations == self._invalidations:
                    self._checked = started
                # else a write was announced while the row was being read: the value may
                # predate it, so the next call reads again instead of keeping it for a
                # whole polling interval
        return self._version

    def invalidate(self) -> None:
        """Read the version again on the next call (a write is known to have happened)."""
        self._invalidations += 1
        self._checked = float("-inf")

    async def listen(self, conninfo: str) -> None:
        """Invalidate on every PostgreSQL notification of a bump; runs until cancelled,
        reconnecting after a lost connection (the polling covers the gap)."""
        import psycopg

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.invalidate()  # anything missed while not listening
                    async for _notify in conn.notifies():
                        self.invalidate()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("data version: LISTEN connection lost; retrying", exc_info=True)
                await asyncio.sleep(1)
