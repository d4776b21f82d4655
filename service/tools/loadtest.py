"""Load test: ``python -m service.tools.loadtest --seconds 30 --workers 2``.

Creates a throwaway database (PostgreSQL by default; dropped afterwards), migrates and
seeds it, creates a planner token, starts uvicorn with ``--workers`` processes on
127.0.0.1 (``service.server.app:create_app_from_env`` with ``--factory``), and drives it for a
fixed time with a bounded number of concurrent asyncio/httpx clients: reads
(districts, district, partners, a province's quotaProgress, recommendPartners when the
schema has it) and writes (proposePartnership, updatePartnershipStatus,
recordRecommendationFeedback, createPartner). It reports requests per second, p50/p99
latency per operation, the error count (non-200 responses and GraphQL errors; userErrors
such as DUPLICATE are counted as rejections, not errors) and a final consistency check:
every acknowledged write must be in the database with its audit row (lost writes).

The stage (database, server) is :mod:`service.tools.load_server`, the clients
:mod:`service.tools.load_driver`; this module runs them and reports.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from service.settings import sync_url
from service.tools.load_driver import WEIGHTS, Acknowledged, KindStats, drive
from service.tools.load_server import (
    planner_token,
    prepare,
    throwaway_database,
    uvicorn_server,
)

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


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
    operations: dict[str, KindStats] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)

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
            f"acknowledged writes: {self.acknowledged_writes}, lost writes: {self.lost_writes}",
        ]
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
            if statuses.get(sid, "").upper() != status or ("Partnership", str(sid)) not in audited
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


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_load(
    *, seconds: float, workers: int, concurrency: int, server_url: str = DEFAULT_SERVER
) -> LoadReport:
    """The whole run: database, server, load, consistency check. Drops what it made."""
    kinds = list(WEIGHTS)
    backend = make_url(sync_url(server_url)).get_backend_name()
    with throwaway_database(server_url) as url, tempfile.TemporaryDirectory() as models:
        prepare(url)
        token = asyncio.run(planner_token(url))
        with uvicorn_server(url, workers=workers, model_dir=Path(models)) as base:
            driver, elapsed = asyncio.run(
                drive(base, token, seconds=seconds, concurrency=concurrency, kinds=kinds)
            )
        report = LoadReport(
            database=backend, seconds=elapsed, workers=workers, concurrency=concurrency
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
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    report = run_load(
        seconds=args.seconds,
        workers=args.workers,
        concurrency=args.concurrency,
        server_url=args.server_url,
    )
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.render())
    return 0 if report.errors == 0 and report.lost_writes == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
