"""Every write bumps the data version in its own transaction; token bookkeeping does not."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.db.data_version import DataVersionWatcher, read_version
from service.db.migrate import upgrade
from service.db.models import ApiToken, DataVersion, Partner, Province
from service.db.session import (
    make_async_engine,
    make_async_sessionmaker,
    make_engine,
    make_sessionmaker,
)
from service.settings import async_url
from tests.service.writes_support import scratch_database


def _version(session: Session) -> int:
    return session.scalar(select(DataVersion.version)) or 0


def test_writes_bump_once_per_transaction_and_rollbacks_do_not(tmp_path: Path) -> None:
    with scratch_database(tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            factory = make_sessionmaker(engine)
            with factory() as session:
                start = _version(session)
            with factory() as session, session.begin():  # two flushes, one transaction
                session.add(Province(code="99", name="Uji", island_group="Uji"))
                session.flush()
                session.execute(update(Province).values(name="Uji 2"))
            with factory() as session:
                assert _version(session) == start + 1
            with factory() as session:
                session.add(Province(code="98", name="Batal", island_group="Uji"))
                session.flush()
                session.rollback()
            with factory() as session:
                assert _version(session) == start + 1
                assert session.get(Province, "98") is None
            with factory() as session, session.begin():  # bookkeeping only
                session.add(ApiToken(owner="t", role="viewer", token_hash="x" * 64, prefix="p"))
            with factory() as session:
                assert _version(session) == start + 1
            with factory() as session, session.begin():  # a Core-style ORM DML statement
                session.execute(update(Partner).where(Partner.id == -1).values(name="n"))
            with factory() as session:
                assert _version(session) == start + 2
        finally:
            engine.dispose()


async def test_watcher_polls_and_invalidates(tmp_path: Path) -> None:
    with scratch_database(tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        aengine = make_async_engine(async_url(url))
        try:
            factory = make_async_sessionmaker(aengine)
            watcher = DataVersionWatcher(factory, poll_seconds=3600)
            first = await watcher.current()
            with make_sessionmaker(engine)() as session, session.begin():
                session.add(Province(code="97", name="Baru", island_group="Uji"))
            assert await watcher.current() == first  # within the polling interval
            watcher.invalidate()
            assert await watcher.current() == first + 1
            async with factory() as session:
                assert await read_version(session) == first + 1
        finally:
            await aengine.dispose()
            engine.dispose()


async def test_an_invalidation_during_a_read_is_not_lost() -> None:
    """A read of the version that began before a write committed may return the old
    version; if ``invalidate`` came while it ran, the next call reads again instead of
    serving that old version for a whole polling interval (a page that reloads right
    after its write would otherwise get the result cached under the old version)."""
    versions = iter([1, 2])
    reading = asyncio.Event()
    release = asyncio.Event()
    calls = 0

    class _Session:
        async def __aenter__(self) -> _Session:
            return self

        async def __aexit__(self, *exc: object) -> None:
            return None

        async def execute(self, _stmt: object) -> Any:
            nonlocal calls
            calls += 1
            value = next(versions)  # the statement sees the state before the commit
            reading.set()
            await release.wait()

            class _Result:
                def scalar_one_or_none(self) -> int:
                    return value

            return _Result()

    watcher = DataVersionWatcher(lambda: _Session(), poll_seconds=3600)  # type: ignore[arg-type]
    first = asyncio.create_task(watcher.current())
    await reading.wait()
    watcher.invalidate()  # the write commits and its worker invalidates, mid-read
    release.set()
    assert await first == 1  # the read that began before the write
    assert await watcher.current() == 2  # read again: the invalidation was not lost
    assert calls == 2
