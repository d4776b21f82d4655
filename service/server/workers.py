"""``mitra serve --workers N`` (N > 1): N uvicorn processes, each with its own socket.

uvicorn's own ``--workers`` binds one socket in the supervisor and lets every worker
accept on it. Long-lived keep-alive connections then stay where the first ``accept``
happened to wake up, and under a burst of new connections one worker can take nearly
all of them (``make bench-http`` measured 100 % of the CPU in one of two workers).
Here every worker binds its own socket to the same address with ``SO_REUSEPORT``, so
the kernel spreads new connections over the workers by a hash of their addresses.

The supervisor restarts a worker that dies and stops them all on SIGINT or SIGTERM.
Linux (and BSD) only: ``SO_REUSEPORT`` must exist.

With ``pin_cpus`` (``mitra serve --workers N --pin-cpus``) each worker, and so every
thread it starts, runs on one CPU of its own (round-robin over the CPUs the supervisor
may use). A worker is not one thread: each SQLite connection (aiosqlite) has a thread,
and a request hands its statements to it and back, several times. Left to float, those
threads wake up on the other CPU, in the middle of the other worker, and the two
workers' requests cost more CPU each (``docs/performance.md``, "Two workers").
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.process import BaseProcess

    from service.settings import Settings

log = logging.getLogger("mitra.serve")


def reuseport_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` with SO_REUSEPORT (not yet listening)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def worker_cpus(workers: int, allowed: set[int]) -> list[int]:
    """The CPU of each of ``workers`` workers: ``allowed`` in order, round-robin."""
    cpus = sorted(allowed)
    return [cpus[i % len(cpus)] for i in range(workers)]


def pin_to_cpu(slot: int) -> None:
    """Pin this process to the CPU of worker ``slot`` (:func:`worker_cpus`).

    The CPUs are the ones this process may use now: a worker inherits the supervisor's.
    Call it before the process starts a thread; only threads started later inherit it.
    """
    cpu = worker_cpus(slot + 1, os.sched_getaffinity(0))[slot]
    os.sched_setaffinity(0, {cpu})


def _worker(
    settings: Settings, port: int, log_level: str, access_log: bool, slot: int | None = None
) -> None:
    if slot is not None:  # first: the threads started from here on inherit it
        pin_to_cpu(slot)
    import uvicorn

    from service.server.app import create_app
    from service.server.logs import configure_logging

    configure_logging(settings.log_level)  # a spawned process starts with none
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor stops us with SIGTERM
    sock = reuseport_socket(settings.host, port)
    sock.listen(2048)
    config = uvicorn.Config(
        create_app(settings), log_level=log_level, access_log=access_log, log_config=None
    )
    uvicorn.Server(config).run(sockets=[sock])


def _restart_dead(processes: list[BaseProcess], start: Callable[[int], BaseProcess]) -> None:
    for i, process in enumerate(processes):
        if not process.is_alive():
            log.warning("worker %s exited (%s): restarting", process.pid, process.exitcode)
            time.sleep(1)  # a worker that cannot start must not spin
            processes[i] = start(i)  # in the same slot: on the same CPU, if pinned


def _stop(processes: list[BaseProcess]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn shuts down gracefully
    for process in processes:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()


def serve_workers(
    settings: Settings,
    workers: int,
    *,
    log_level: str = "info",
    access_log: bool = False,
    pin_cpus: bool = False,
) -> int:
    """Run ``workers`` processes on ``settings.host:settings.port`` until a signal;
    with ``pin_cpus``, each on a CPU of its own (:func:`pin_to_cpu`)."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise SystemExit("mitra serve --workers needs SO_REUSEPORT (Linux or BSD)")
    # Bound (and kept) here first: a port of 0 becomes one real port for every worker.
    anchor = reuseport_socket(settings.host, settings.port)
    port = int(anchor.getsockname()[1])
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start(slot: int) -> BaseProcess:
        process = context.Process(
            target=_worker,
            args=(settings, port, log_level, access_log, slot if pin_cpus else None),
            name="mitra-worker",
        )
        process.start()
        return process

    def stop(_signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    processes = [start(slot) for slot in range(workers)]
    try:
        while not stopping:
            wait([p.sentinel for p in processes], timeout=0.5)
            if not stopping:
                _restart_dead(processes, start)
    finally:
        _stop(processes)
        anchor.close()
    return 0
