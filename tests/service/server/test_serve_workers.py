"""``mitra serve --workers 2``: two processes on one port (SO_REUSEPORT), connections
reach both, and SIGINT stops them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
from sqlalchemy import Engine

from service.settings import PROJECT_ROOT, Settings
from service.tools.loadtest import free_port


def test_two_workers_share_the_port_and_stop_together(settings: Settings, engine: Engine) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "MITRA_MODEL_DIR": str(settings.model_dir),
        "MITRA_ENV": "test",
        "PORT": str(port),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.server.cli", "serve", "--workers", "2"],
        cwd=PROJECT_ROOT,
        env=env,
    )
    seen: set[str] = set()
    try:
        deadline = time.monotonic() + 120
        while len(seen) < 2 and time.monotonic() < deadline:
            try:  # a fresh connection each time: the kernel picks a worker per connection
                reply = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                if reply.status_code == 200:
                    seen.add(reply.headers["x-mitra-worker"])
            except httpx.HTTPError:
                time.sleep(0.5)
        assert len(seen) == 2, f"workers that answered: {seen}"
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
    assert code == 0
    for pid in seen:
        assert not os.path.exists(f"/proc/{pid}"), f"worker {pid} still running"
