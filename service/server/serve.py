"""``mitra serve``: check the database, say where everything is, then run uvicorn.

One worker runs the application object in this process. More workers run as processes
of :func:`service.server.workers.serve_workers`, each listening on its own
``SO_REUSEPORT`` socket of the same port (uvicorn's supervisor shares one socket and
can leave a worker idle); each holds its own copy of the model and its own result cache.
"""

from __future__ import annotations

import os
import socket
import sys

from service.server.health import NotReady, preflight
from service.server.logs import uvicorn_log_level
from service.settings import Settings

WORKER_STARTUP_SECONDS = 60


def _can_listen(host: str, port: int) -> str | None:
    """None when ``host:port`` is free to listen on, else why not (one line)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host.strip("[]"), port))
    except OSError as exc:
        return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def banner(settings: Settings, *, database: str, model: str, workers: int) -> str:
    shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    base = f"http://{shown_host}:{settings.port}"
    lines = [
        f"Mitra is serving on {settings.host}:{settings.port}"
        + (f" with {workers} workers" if workers > 1 else ""),
        f"  planner console  {base}/",
        f"  GraphQL API      {base}/graphql"
        + ("" if settings.production else "  (GraphiQL in a browser)"),
        f"  database         {database}",
        f"  model            {model}",
        "Press Ctrl+C to stop.",
    ]
    return "\n".join(lines)


def serve(
    settings: Settings, *, workers: int = 1, prepare: bool = False, pin_cpus: bool = False
) -> int:
    """Serve until interrupted; exit 1 with one line if the database or port is not usable.

    ``pin_cpus``: each worker on a CPU of its own (:mod:`service.server.workers`); one
    worker on the first CPU this process may use."""
    import uvicorn

    if pin_cpus and not hasattr(os, "sched_setaffinity"):
        print("mitra serve: --pin-cpus needs sched_setaffinity (Linux)", file=sys.stderr)
        return 1
    if prepare:
        from service.server.setup import prepare_database

        prepare_database(settings, train=True)
    try:
        ready = preflight(settings)
    except NotReady as exc:
        print(f"mitra serve: {exc}", file=sys.stderr)
        return 1
    problem = _can_listen(settings.host, settings.port)
    if problem is not None:
        print(f"mitra serve: {problem}", file=sys.stderr)
        return 1
    print(banner(settings, database=ready.database, model=ready.model, workers=workers))
    sys.stdout.flush()
    level = uvicorn_log_level(settings.log_level)
    access_log = settings.log_level == "debug"
    if workers == 1:
        from service.server.app import create_app
        from service.server.workers import pin_to_cpu

        if pin_cpus:  # before the app starts a thread: they inherit it
            pin_to_cpu(0)

        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_level=level,
            access_log=access_log,
            log_config=None,
        )
    else:
        from service.server.workers import serve_workers

        return serve_workers(
            settings, workers, log_level=level, access_log=access_log, pin_cpus=pin_cpus
        )
    return 0
