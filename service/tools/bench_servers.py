"""The bench's servers and load: uvicorn workers pinned to a CPU, and ``wrk`` on the other.

Used by :mod:`service.tools.bench_http`: :func:`serve` starts a server (the bare anchor,
Mitra under uvicorn, or ``mitra serve --workers``) and waits until every worker answers;
:func:`wrk` loads it for a while and reads requests per second, errors and the workers'
CPU time per request from ``/proc``.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from service.tools.load_server import free_port, running

CONNECTIONS = 32
SERVER_CPU = "0"
LOAD_CPU = "1"


@dataclass
class Sample:
    rps: float
    cpu_ms: float  # worker CPU per request
    busy: float  # worker CPU seconds per second of the run: how many CPUs it got
    errors: int  # non-2xx responses, socket errors and timeouts
    load_busy: float = 0.0  # the same for wrk: the CPU the load generator took


@dataclass
class Series:
    label: str
    server: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return statistics.median(s.rps for s in self.samples)

    @property
    def cpu_ms(self) -> float:
        return statistics.median(s.cpu_ms for s in self.samples)

    @property
    def busy(self) -> float:
        return statistics.median(s.busy for s in self.samples)

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.samples)

    @property
    def load_busy(self) -> float:
        return statistics.median(s.load_busy for s in self.samples)


@dataclass
class Server:
    name: str
    base: str
    proc: subprocess.Popen[bytes]
    workers: int

    def pids(self) -> list[int]:
        """The processes that serve requests: the workers, not uvicorn's supervisor."""
        if self.workers == 1:
            return [self.proc.pid]
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        # uvicorn spawns its workers with multiprocessing, beside a resource tracker
        return [
            int(pid)
            for pid in children.split()
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]

    def cpu_seconds(self) -> list[float]:
        ticks = os.sysconf("SC_CLK_TCK")
        out = []
        for pid in self.pids():
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            out.append((int(fields[11]) + int(fields[12])) / ticks)  # utime + stime
        return out

    def rss_mib(self) -> list[float]:
        out = []
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(int(line.split()[1]) / 1024)
        return out


def require_tools() -> None:
    missing = [tool for tool in ("wrk", "taskset") if shutil.which(tool) is None]
    if missing:
        raise SystemExit(
            f"bench-http needs {' and '.join(missing)}: install the Debian packages "
            "(apt-get install wrk util-linux) or run `make bench-http`, which tries to"
        )
    if (os.cpu_count() or 1) < 2:
        raise SystemExit("bench-http needs 2 CPUs: one for the server, one for wrk")


@contextmanager
def serve(
    name: str,
    app: str,
    *,
    env: dict[str, str],
    workers: int = 1,
    cpus: str = SERVER_CPU,
    factory: bool = False,
    mitra_serve: bool = False,
    pin_cpus: bool = False,
) -> Iterator[Server]:
    """uvicorn serving ``app`` (or, with ``mitra_serve``, ``mitra serve --workers``,
    with ``pin_cpus`` each worker on one of ``cpus``)."""
    port = free_port()
    if mitra_serve:
        cmd = ["taskset", "-c", cpus, sys.executable, "-m", "service.server.cli", "serve",
               "--workers", str(workers), *(["--pin-cpus"] if pin_cpus else [])]  # fmt: skip
        env = {**env, "HOST": "127.0.0.1", "PORT": str(port)}
    else:
        cmd = [
            "taskset", "-c", cpus, sys.executable, "-m", "uvicorn", app,
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        if factory:
            cmd.append("--factory")
    base = f"http://127.0.0.1:{port}"
    seen: set[str] = set()

    def answered() -> bool:
        reply = httpx.post(f"{base}/graphql", json={"query": "{ __typename }"}, timeout=2)
        if reply.status_code == 200:
            seen.add(reply.headers.get("x-mitra-worker", ""))
        return len(seen) >= workers  # each worker answered on a fresh connection

    with running(
        cmd,
        env={**os.environ, **env},
        ready=answered,
        what=f"{name}: uvicorn",
        seconds=120,
        stop_seconds=30,
    ) as proc:
        yield Server(name, base, proc, workers)


def ask(server: Server, query: str) -> dict[str, Any]:
    """One request; the body, which must hold data and no errors."""
    reply = httpx.post(f"{server.base}/graphql", json={"query": query}, timeout=300)
    body = reply.json()
    if reply.status_code != 200 or body.get("errors") or not body.get("data"):
        raise RuntimeError(f"{server.name}: {query[:60]}... answered {reply.text[:300]}")
    return body  # type: ignore[no-any-return]


_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_COUNT = re.compile(r"(\d+) requests in")
_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def wrk(server: Server, query: str, *, seconds: float, scripts: Path) -> Sample:
    """``seconds`` of wrk on CPU 1 against ``server``; requests/s and CPU per request."""
    script = scripts / f"{abs(hash(query))}.lua"
    if not script.exists():
        body = json.dumps({"query": query})
        script.write_text(
            'wrk.method = "POST"\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = {json.dumps(body)}\n"
        )
    before = sum(server.cpu_seconds())
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    command = [
        "taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{CONNECTIONS}",
        f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", str(script),
        f"{server.base}/graphql",
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    used = sum(server.cpu_seconds()) - before
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk has exited: it is counted
    load = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    rps_match, count_match = _RPS.search(out), _COUNT.search(out)
    if rps_match is None or count_match is None:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    requests = int(count_match.group(1))
    errors = int(m.group(1)) if (m := _NON2XX.search(out)) else 0
    if m := _SOCKET.search(out):
        errors += sum(int(g) for g in m.groups())
    return Sample(
        rps=float(rps_match.group(1)),
        cpu_ms=1000 * used / requests if requests else float("nan"),
        busy=used / wall,
        errors=errors,
        load_busy=load / wall,
    )
