"""Back up a database to one file and restore it into a fresh database.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --single-transaction``, after
checking that the client tools are not older than the server (an older pg_dump refuses
a newer server, and an older pg_restore cannot read a newer dump). The connection
details go through libpq's environment variables, so a password never appears on a
command line. SQLite: the online backup API (:meth:`sqlite3.Connection.backup`), which
copies a consistent snapshot while the service keeps running.

A restore goes into an empty database only (no tables): it never merges into or
overwrites data. The file's format must match the target's backend.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url

from service.db.session import make_engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    backend: str
    size_bytes: int


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _pg_env(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[key] = str(value)
    return env


def _major(version_text: str) -> int:
    found = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if found is None:
        raise BackupError(f"cannot read a PostgreSQL version from {version_text!r}")
    return int(found.group(1))


def _check_client(tool: str, url: URL) -> str:
    """The path of ``tool``; BackupError when missing or older than the server."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"{tool} is not installed: install the PostgreSQL client tools")
    client = _major(subprocess.run([path, "--version"], capture_output=True, text=True).stdout)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            server = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    finally:
        engine.dispose()
    if client < server:
        raise BackupError(
            f"{tool} is version {client} but the server is PostgreSQL {server}: "
            f"install the version {server} client tools"
        )
    return path


def _tables(url: URL) -> list[str]:
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database page by page (a consistent snapshot while others write)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def backup(database_url: str, target: Path) -> BackupResult:
    """Write a backup of ``database_url`` to ``target`` (replaced only when complete)."""
    url = make_url(database_url)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    backend = url.get_backend_name()
    fd, partial_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(fd)
    partial = Path(partial_name)
    try:
        if backend == "sqlite":
            source = _sqlite_path(url)
            if not source.is_file():
                raise BackupError(f"no SQLite database at {source}")
            _sqlite_copy(source, partial)
        elif backend == "postgresql":
            pg_dump = _check_client("pg_dump", url)
            done = subprocess.run(
                [pg_dump, "--format=custom", "--no-owner", "--no-privileges", "--file", partial],
                env=_pg_env(url),
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        else:
            raise BackupError(f"backups of {backend} databases are not supported")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, backend, target.stat().st_size)


def restore(database_url: str, source: Path) -> BackupResult:
    """Restore the backup ``source`` into the empty database ``database_url``."""
    url = make_url(database_url)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    with source.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    backend = url.get_backend_name()
    expected = {"sqlite": SQLITE_MAGIC, "postgresql": PG_DUMP_MAGIC}.get(backend)
    if expected is None:
        raise BackupError(f"restoring into {backend} databases is not supported")
    if not head.startswith(expected):
        raise BackupError(
            f"{source} is not a {backend} backup made by `mitra backup` "
            "(a SQLite backup restores into SQLite, a PostgreSQL one into PostgreSQL)"
        )
    if backend == "sqlite":
        target = _sqlite_path(url)
        if target.exists() and _tables(url):
            raise BackupError(f"{target} already holds tables: restore into a new database")
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source, target)
    else:
        pg_restore = _check_client("pg_restore", url)
        if _tables(url):
            raise BackupError(
                f"database {url.database!r} already holds tables: restore into a new, empty "
                "database (createdb NAME, then DATABASE_URL=... mitra restore FILE)"
            )
        done = subprocess.run(
            [
                pg_restore, "--no-owner", "--no-privileges", "--single-transaction",
                "--exit-on-error", "--dbname", url.database or "", str(source),
            ],
            env=_pg_env(url),
            capture_output=True,
            text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed (nothing restored): {done.stderr.strip()}")
    return BackupResult(source, backend, source.stat().st_size)
