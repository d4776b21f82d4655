"""Load test: ``python -m service.tools.loadtest --seconds 30 --workers 2`` (``--soak``: 5
minutes).

Creates a throwaway database (PostgreSQL by default; dropped afterwards), migrates and
seeds it, creates a planner token, starts uvicorn with ``--workers`` processes on
127.0.0.1 (``service.server.app:create_app_from_env`` with ``--factory``), and drives it for a
fixed time with a bounded number of concurrent asyncio/httpx clients: reads
(districts, district, partners, a province's quotaProgress, recommendPartners when the
schema has it) and writes (proposePartnership, updatePartnershipStatus,
recordRecommendationFeedback, createPartner). It reports requests per second, p50/p99
latency per operation, the error count (non-200 responses and GraphQL errors; userErrors
such as DUPLICATE are counted as rejections, not errors) and a final consistency check:
every acknowledged write must be in the database with its audit row (lost writes), and
no write may be half done (a row without its audit entry, or the reverse: partial rows).
It also reports each worker's resident memory after the warm-up and at the end;
``--soak`` (``make soak``) runs 5 minutes on 2 workers and fails on 10 % growth.

The stage (database, server) is :mod:`service.tools.load_server`, the clients
:mod:`service.tools.load_driver`; this module runs them and reports.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from service.settings import sync_url
from service.tools.load_driver import WEIGHTS, Acknowledged, KindStats, drive
from service.tools.load_server import (
    UNLIMITED,
    planner_token,
    prepare,
    throwaway_database,
    uvicorn_server,
)

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SOAK_SECONDS = 300.0
SOAK_WARMUP = 60.0  # the workers load the model and frames, and their heaps settle
MAX_SOAK_GROWTH = 0.10
# Tables written by the load, and the audit log's name for each.
AUDITED = {"partner": "Partner", "partnership": "Partnership",
           "recommendation_feedback": "RecommendationFeedback"}  # fmt: skip


@dataclass
class LoadReport:
    database: str
    seconds: float
    workers: int
    concurrency: int
    requests: int = 0
    requests_per_second: float = 0.0
    errors: int = 0
    rejected: int = 0
    acknowledged_writes: int = 0
    lost_writes: int = 0
    partial_rows: int = 0
    warmup_seconds: float = 0.0
    # worker pid -> resident memory in MB after the warm-up and at the end
    worker_memory_mb: dict[str, tuple[float, float]] = field(default_factory=dict)
    # worker pid -> resident memory in MB at each whole minute of the run (the trend)
    worker_memory_trend_mb: dict[str, list[float]] = field(default_factory=dict)
    operations: dict[str, KindStats] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)

    @property
    def memory_growth(self) -> float:
        """The largest relative growth of a worker's memory over the run (0.05 = 5 %)."""
        return max(
            ((end - start) / start for start, end in self.worker_memory_mb.values() if start),
            default=0.0,
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for stats in data["operations"].values():
            stats.pop("latencies", None)
        return data

    def render(self) -> str:
        lines = [
            f"load test: {self.seconds:.0f} s, {self.workers} uvicorn worker(s), "
            f"{self.concurrency} concurrent clients, {self.database}",
            f"{'operation':<30}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}{'rejected':>10}"
            f"{'errors':>8}",
        ]
        for kind, s in sorted(self.operations.items()):
            lines.append(
                f"{kind:<30}{s.count:>8}{s.p50_ms:>10.1f}{s.p99_ms:>10.1f}{s.rejected:>10}"
                f"{s.errors:>8}"
            )
        lines += [
            f"requests: {self.requests} ({self.requests_per_second:.1f}/s), errors: "
            f"{self.errors}, rejected by validation: {self.rejected}",
            f"acknowledged writes: {self.acknowledged_writes}, lost writes: {self.lost_writes}, "
            f"partial rows: {self.partial_rows}",
        ]
        if self.worker_memory_mb:
            lines.append(
                f"worker memory (RSS after a {self.warmup_seconds:.0f} s warm-up -> at the end): "
                + ", ".join(
                    f"{pid}: {start:.0f} -> {end:.0f} MB ({(end - start) / start:+.1%})"
                    for pid, (start, end) in sorted(self.worker_memory_mb.items())
                )
            )
        for pid, trend in sorted(self.worker_memory_trend_mb.items()):
            if trend:
                lines.append(
                    f"worker {pid} memory each minute: " + " ".join(f"{v:.0f}" for v in trend)
                )
        lines += [f"error sample: {e}" for e in self.error_samples]
        return "\n".join(lines)


def lost_writes(url: str, acked: Acknowledged) -> int:
    """Acknowledged writes missing from the database, in another state, or unaudited."""
    from service.db.session import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            partners = {r[0] for r in conn.execute(text("SELECT id FROM partner"))}
            statuses: dict[int, str] = {
                r[0]: r[1] for r in conn.execute(text("SELECT id, status FROM partnership"))
            }
            feedback = {r[0] for r in conn.execute(text("SELECT id FROM recommendation_feedback"))}
            audited = {
                (r[0], r[1])
                for r in conn.execute(text("SELECT entity_type, entity_id FROM audit_log"))
            }
    finally:
        engine.dispose()
    lost = len(
        [
            pid
            for pid in acked.partners
            if pid not in partners or ("Partner", str(pid)) not in audited
        ]
    )
    lost += len(
        [
            sid
            for sid, status in acked.partnerships.items()
            if statuses.get(sid, "").upper() not in (status, acked.unconfirmed.get(sid))
            or ("Partnership", str(sid)) not in audited
        ]
    )
    lost += len(
        [
            fid
            for fid in acked.feedback
            if fid not in feedback or ("RecommendationFeedback", str(fid)) not in audited
        ]
    )
    return lost


def high_water(url: str) -> dict[str, int]:
    """The largest id of each audited table and of the audit log, before a run."""
    from service.db.session import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: int(
                    conn.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {name}")).scalar_one()
                )
                for name in (*AUDITED, "audit_log")
            }
    finally:
        engine.dispose()


def partial_rows(url: str, since: dict[str, int]) -> int:
    """Half-done writes since ``since`` (see :func:`high_water`).

    A row without its audit entry, or an audit entry whose row is missing. One
    transaction per write makes both 0.
    """
    from service.db.session import make_engine

    engine = make_engine(url)
    found = 0
    try:
        with engine.connect() as conn:
            for name, entity in AUDITED.items():
                found += int(
                    conn.execute(
                        text(
                            f"SELECT COUNT(*) FROM {name} t WHERE t.id > :since AND NOT EXISTS "
                            "(SELECT 1 FROM audit_log a WHERE a.entity_type = :entity "
                            "AND a.entity_id = CAST(t.id AS VARCHAR(40)))"
                        ),
                        {"since": since[name], "entity": entity},
                    ).scalar_one()
                )
                found += int(
                    conn.execute(
                        text(
                            "SELECT COUNT(*) FROM audit_log a WHERE a.id > :since "
                            f"AND a.entity_type = :entity AND NOT EXISTS (SELECT 1 FROM {name} t "
                            "WHERE CAST(t.id AS VARCHAR(40)) = a.entity_id)"
                        ),
                        {"since": since["audit_log"], "entity": entity},
                    ).scalar_one()
                )
    finally:
        engine.dispose()
    return found


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def worker_pids(base: str, workers: int, *, attempts: int = 200) -> list[int]:
    """The process ids of the server's workers, from ``X-Mitra-Worker`` on fresh connections."""
    seen: set[int] = set()
    for _ in range(attempts):
        response = httpx.get(f"{base}/healthz", timeout=10)
        seen.add(int(response.headers["x-mitra-worker"]))
        if len(seen) >= workers:
            break
    return sorted(seen)


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MB (Linux ``/proc``); None where unavailable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@contextmanager
def memory_sampled(
    pids: list[int], memory: dict[str, tuple[float, float]], trend: dict[str, list[float]]
) -> Iterator[None]:
    """Sample the workers' memory while the block runs: each minute into ``trend``, and
    before and after into ``memory`` (pid -> MB)."""
    start = {pid: rss_mb(pid) for pid in pids}
    trend.update({str(pid): [] for pid in pids})
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(60):
            for pid in pids:
                value = rss_mb(pid)
                if value is not None:
                    trend[str(pid)].append(round(value, 1))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield
    finally:
        stop.set()
        sampler.join(timeout=5)
    for pid in pids:
        before, after = start[pid], rss_mb(pid)
        if before is not None and after is not None:
            memory[str(pid)] = (round(before, 1), round(after, 1))


def run_load(
    *,
    seconds: float,
    workers: int,
    concurrency: int,
    server_url: str = DEFAULT_SERVER,
    warmup: float = 0.0,
) -> LoadReport:
    """The whole run: database, server, load, consistency check. Drops what it made.

    With ``warmup`` the same load runs that long first (its writes are checked too), so
    that the workers' memory is measured after they have loaded the model and the data.
    """
    kinds = list(WEIGHTS)
    backend = make_url(sync_url(server_url)).get_backend_name()
    with throwaway_database(server_url) as url, tempfile.TemporaryDirectory() as models:
        prepare(url)
        token = asyncio.run(planner_token(url))
        since = high_water(url)
        memory: dict[str, tuple[float, float]] = {}
        trend: dict[str, list[float]] = {}
        with uvicorn_server(url, workers=workers, model_dir=Path(models), env=UNLIMITED) as base:
            warm = None
            if warmup > 0:
                warm, _ = asyncio.run(
                    drive(base, token, seconds=warmup, concurrency=concurrency, kinds=kinds)
                )
            with memory_sampled(worker_pids(base, workers), memory, trend):
                driver, elapsed = asyncio.run(
                    drive(base, token, seconds=seconds, concurrency=concurrency, kinds=kinds)
                )
        report = LoadReport(
            database=backend,
            seconds=elapsed,
            workers=workers,
            concurrency=concurrency,
            warmup_seconds=warmup,
            worker_memory_mb=memory,
            worker_memory_trend_mb=trend,
        )
        for kind, stats in driver.stats.items():
            stats.p50_ms = round(_percentile(stats.latencies, 0.50), 1)
            stats.p99_ms = round(_percentile(stats.latencies, 0.99), 1)
            report.operations[kind] = stats
        report.requests = sum(s.count for s in driver.stats.values())
        report.requests_per_second = round(report.requests / elapsed, 1)
        report.errors = sum(s.errors for s in driver.stats.values())
        report.rejected = sum(s.rejected for s in driver.stats.values())
        report.acknowledged_writes = driver.acked.count
        report.error_samples = driver.samples
        report.lost_writes = lost_writes(url, driver.acked)
        if warm is not None:
            report.errors += sum(s.errors for s in warm.stats.values())
            report.error_samples += warm.samples
            report.acknowledged_writes += warm.acked.count
            report.lost_writes += lost_writes(url, warm.acked)
        report.partial_rows = partial_rows(url, since)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.tools.loadtest", description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients")
    parser.add_argument(
        "--server-url",
        default=DEFAULT_SERVER,
        help="where to create the throwaway database (a PostgreSQL URL, or sqlite:// for a "
        "temporary SQLite file)",
    )
    parser.add_argument(
        "--warmup", type=float, default=0, help="seconds of load before memory is measured"
    )
    parser.add_argument(
        "--soak",
        action="store_true",
        help=f"the soak test: {SOAK_SECONDS:.0f} s on 2 workers after a {SOAK_WARMUP:.0f} s "
        f"warm-up; also fails when a worker's memory grows by {MAX_SOAK_GROWTH:.0%} or more",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if args.soak:
        args.seconds, args.workers, args.warmup = SOAK_SECONDS, 2, SOAK_WARMUP
    report = run_load(
        seconds=args.seconds,
        workers=args.workers,
        concurrency=args.concurrency,
        server_url=args.server_url,
        warmup=args.warmup,
    )
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.render())
    ok = report.errors == 0 and report.lost_writes == 0 and report.partial_rows == 0
    if args.soak and report.memory_growth >= MAX_SOAK_GROWTH:
        print(f"memory grew by {report.memory_growth:.1%}", file=sys.stderr)
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
