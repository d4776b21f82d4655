"""Throwaway PostgreSQL databases for the load script and tests that must commit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url

from service.db.session import make_engine
from service.settings import sync_url


@contextmanager
def postgres_database(server_url: str, *, prefix: str) -> Iterator[str]:
    """A new empty database on ``server_url``'s server, dropped afterwards (even if in use).

    Yields the synchronous URL of the new database, named ``<prefix>_<random hex>``.
    """
    url = make_url(sync_url(server_url))
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(
        url.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
