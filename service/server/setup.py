"""Prepare a database for serving: migrate, seed when empty, train when no model exists."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from service.db.migrate import upgrade
from service.db.models import District
from service.db.session import make_engine, make_sessionmaker
from service.settings import Settings

log = logging.getLogger(__name__)


def prepare_database(settings: Settings, *, train: bool = True) -> None:
    engine = make_engine(settings.sync_database_url)
    try:
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            seeded = session.scalar(select(func.count()).select_from(District)) or 0
        if seeded == 0:
            from service.seed import run_seed

            log.info("empty database: seeding")
            log.info("%s", run_seed(engine, seed=settings.seed))
        else:
            log.info("database already seeded (%d districts): keeping existing data", seeded)
        if train:
            try:
                from service.domain.model_registry import ensure_active_model
            except ImportError:  # the recommender is not wired in yet
                return
            ensure_active_model(engine, settings)
    finally:
        engine.dispose()
