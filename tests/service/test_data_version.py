"""Every write bumps the data version in its own transaction; token bookkeeping does not."""

from __future__ import annotations

from pathlib import Path

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
