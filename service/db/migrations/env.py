"""Alembic environment: one set of migrations for SQLite and PostgreSQL.

The URL comes from ``config.attributes["connection"]`` (programmatic use, see
``service.db.migrate``) or else from the settings (the ``alembic`` command).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from service.db import models  # noqa: F401  (registers the tables)
from service.db.base import Base
from service.db.session import make_engine
from service.settings import Settings

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(Settings.from_env().sync_database_url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode for ALTER
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
