"""The recommender keeps its feature state between requests until the data version moves."""

from __future__ import annotations

from sqlalchemy import Engine, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from service.db.data_version import DataVersionWatcher
from service.db.models import Partner
from service.domain.recommending import Recommender
from service.domain.worlds import World
from service.settings import Settings


async def test_feature_state_is_kept_until_a_write_bumps_the_data_version(
    engine: Engine, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    watcher = DataVersionWatcher(session_factory, poll_seconds=3600)
    # a long poll: only the data version can make it look again
    rec = Recommender(session_factory, settings, poll_seconds=3600, data_version=watcher.current)
    first = await rec.snapshot(World.DEMO)
    blocks = first.state.blocks
    again = await rec.snapshot(World.DEMO)
    assert again is first and again.state.blocks is blocks  # nothing rebuilt per request
    with Session(engine) as s:
        pid, months = s.execute(
            select(Partner.id, Partner.typical_commitment_months)
            .where(Partner.archived_at.is_(None))
            .order_by(Partner.id)
            .limit(1)
        ).one()
    new = (months or 0) + 7
    with Session(engine) as s, s.begin():  # no new row, no audit entry: only the version moves
        s.execute(update(Partner).where(Partner.id == pid).values(typical_commitment_months=new))
    try:
        watcher.invalidate()  # what the server does when it knows of a write
        after = await rec.snapshot(World.DEMO)
        assert after is not first and after.state is not first.state
        assert after.state.blocks is not blocks
        row = after.frames.partners.set_index("id").loc[pid]
        assert row["typical_commitment_months"] == new
        assert await rec.snapshot(World.DEMO) is after  # and kept again
    finally:
        with Session(engine) as s, s.begin():
            s.execute(
                update(Partner).where(Partner.id == pid).values(typical_commitment_months=months)
            )
