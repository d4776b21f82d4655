"""The load test's stage: a throwaway seeded database and a uvicorn server on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from service.db.scratch import postgres_database
from service.settings import PROJECT_ROOT, async_url, sync_url

SEED = 20221
# How long the workers may take to answer /healthz: they import the app, open the
# database and fit nothing yet; on a busy 2-core machine this has taken over a minute.
STARTUP_SECONDS = 180
# The load test measures capacity: one planner token sends far more than a person would,
# so the per-client budgets are off (tests/schema/test_rate_limit_http.py covers them).
UNLIMITED = {"MITRA_RATE_LIMIT_PER_MINUTE": "0", "MITRA_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "0"}


@contextmanager
def throwaway_database(server_url: str) -> Iterator[str]:
    """A new empty database on ``server_url``'s server (or a SQLite file); dropped after."""
    url = make_url(sync_url(server_url))
    if url.get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory(prefix="mitra-load-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'load.db'}"
        return
    with postgres_database(server_url, prefix="mitra_load") as database_url:
        yield database_url


def prepare(url: str) -> None:
    from service.db.migrate import upgrade
    from service.db.session import make_engine
    from service.seed import run_seed

    engine = make_engine(url)
    try:
        upgrade(engine)
        run_seed(engine, seed=SEED)
    finally:
        engine.dispose()


async def planner_token(url: str) -> str:
    from service.auth import Role, create_token
    from service.db.session import make_async_engine, make_async_sessionmaker

    engine = make_async_engine(async_url(url))
    try:
        async with make_async_sessionmaker(engine)() as session, session.begin():
            _row, plaintext = await create_token(session, owner="loadtest", role=Role.PLANNER)
        return plaintext
    finally:
        await engine.dispose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def uvicorn_server(
    url: str, *, workers: int, model_dir: Path, env: dict[str, str] | None = None
) -> Iterator[str]:
    """uvicorn with ``workers`` processes on a free loopback port; the base URL.

    ``env`` adds to (or overrides) the environment the server is started with.
    """
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MITRA_DATABASE_URL": url,
        "MITRA_ENV": "production",
        "MITRA_MODEL_DIR": str(model_dir),
        **(env or {}),
    }
    cmd = [
        sys.executable, "-m", "uvicorn", "--factory", "service.server.app:create_app_from_env",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200

    with running(
        cmd,
        env=env,
        ready=healthy,
        what="uvicorn",
        seconds=STARTUP_SECONDS,
        waiting="become healthy",
        stop_seconds=20,
    ):
        yield base


@contextmanager
def running(
    cmd: list[str],
    *,
    env: dict[str, str],
    ready: Callable[[], bool],
    what: str,
    seconds: int,
    waiting: str = "answer",
    stop_seconds: float,
) -> Iterator[subprocess.Popen[bytes]]:
    """``cmd`` started in the project root, once ``ready()`` holds; interrupted after.

    ``ready`` is asked every 0.2 s (an HTTP error counts as not yet) until it holds or
    ``seconds`` have passed; ``what`` names the process in the errors. On the way out
    the process gets SIGINT and is killed when it has not exited ``stop_seconds`` later.
    """
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env)
    try:
        deadline = time.monotonic() + seconds
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{what} exited with {proc.returncode}")
            try:
                if ready():
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not {waiting} within {seconds} s")
            time.sleep(0.2)
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=stop_seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
