"""Engines and session factories. Callers own transactions; nothing here commits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import sessionmaker

# Registers the listeners that bump the data version on every write (any session).
import service.db.data_version  # noqa: F401
from service.db.timeouts import install_sqlite_timeout, postgres_connect_args


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite") and ":///" in url and ":memory:" not in url:
        Path(url.split(":///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, *, statement_timeout_ms: int = 0, **kwargs: Any) -> Engine:
    """An engine for ``url``; ``statement_timeout_ms`` > 0 stops longer statements
    (:mod:`service.db.timeouts`)."""
    _ensure_sqlite_dir(url)
    # Bound values (token hashes, names) stay out of logs and error messages, even when
    # an operator turns SQL logging on.
    kwargs.setdefault("hide_parameters", True)
    kwargs.update(postgres_connect_args(url, statement_timeout_ms))
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        install_sqlite_timeout(engine, statement_timeout_ms)
    return engine


def make_async_engine(url: str, *, statement_timeout_ms: int = 0, **kwargs: Any) -> AsyncEngine:
    """The async engine for ``url``, as :func:`make_engine`."""
    _ensure_sqlite_dir(url)
    kwargs.setdefault("hide_parameters", True)
    kwargs.update(postgres_connect_args(url, statement_timeout_ms))
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        install_sqlite_timeout(engine.sync_engine, statement_timeout_ms)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker:  # type: ignore[type-arg]
    return sessionmaker(engine, expire_on_commit=False)


def make_async_sessionmaker(engine: AsyncEngine) -> async_sessionmaker:  # type: ignore[type-arg]
    return async_sessionmaker(engine, expire_on_commit=False)
