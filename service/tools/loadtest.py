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
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from service.db.scratch import postgres_database
from service.settings import PROJECT_ROOT, async_url, sync_url

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SEED = 20221

READS = {
    "districts": (
        "query($f: DistrictFilter, $a: String) { districts(filter: $f, first: 20, after: $a, "
        "orderBy: {field: PREVALENCE, direction: DESC}) { totalCount "
        "nodes { code name latestStuntingPrevalence { value year } } } }"
    ),
    "district": (
        "query($c: String!) { district(code: $c) { name province { name } "
        "latestStuntingPrevalence { value year survey } } }"
    ),
    "partners": (
        "query($f: PartnerFilter) { partners(filter: $f, first: 20) { totalCount "
        "nodes { id name kind interventionAreas } } }"
    ),
    "quotaProgress": (
        "query($c: String!) { province(code: $c) { name quotaProgress "
        "{ category target committed remaining met } } }"
    ),
    "recommendPartners": (
        "query($c: String!) { recommendPartners(districtCode: $c, first: 5) "
        "{ rank score modelVersion partner { id name } } }"
    ),
}
WRITES = {
    "proposePartnership": (
        "mutation($i: ProposePartnershipInput!) { proposePartnership(input: $i) "
        "{ partnership { databaseId status } userErrors { field code } } }"
    ),
    "updatePartnershipStatus": (
        "mutation($i: UpdatePartnershipStatusInput!) { updatePartnershipStatus(input: $i) "
        "{ partnership { databaseId status } userErrors { field code } } }"
    ),
    "recordRecommendationFeedback": (
        "mutation($i: RecordRecommendationFeedbackInput!) { recordRecommendationFeedback("
        "input: $i) { feedback { databaseId } userErrors { field code } } }"
    ),
    "createPartner": (
        "mutation($i: CreatePartnerInput!) { createPartner(input: $i) "
        "{ partner { databaseId } userErrors { field code } } }"
    ),
}
# Relative frequencies: mostly reads, as a planning console would do.
WEIGHTS = {
    "districts": 14,
    "district": 20,
    "partners": 12,
    "quotaProgress": 10,
    "recommendPartners": 8,
    "proposePartnership": 14,
    "updatePartnershipStatus": 10,
    "recordRecommendationFeedback": 8,
    "createPartner": 4,
}


@dataclass
class KindStats:
    count: int = 0
    errors: int = 0
    rejected: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    latencies: list[float] = field(default_factory=list, repr=False)


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


# --- the database and the server ---------------------------------------------------------------


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
def uvicorn_server(url: str, *, workers: int, model_dir: Path) -> Iterator[str]:
    """uvicorn with ``workers`` processes on a free loopback port; the base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MITRA_DATABASE_URL": url,
        "MITRA_ENV": "production",
        "MITRA_MODEL_DIR": str(model_dir),
    }
    cmd = [
        sys.executable, "-m", "uvicorn", "--factory", "service.server.app:create_app_from_env",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {proc.returncode}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not become healthy within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the load ----------------------------------------------------------------------------------


@dataclass
class Acknowledged:
    """Writes the server confirmed, to be found in the database afterwards."""

    partners: set[int] = field(default_factory=set)
    partnerships: dict[int, str] = field(default_factory=dict)  # id -> last confirmed status
    feedback: set[int] = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.partners) + len(self.partnerships) + len(self.feedback)


class Driver:
    def __init__(self, client: httpx.AsyncClient, token: str, catalogue: dict[str, list[str]]):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.catalogue = catalogue
        self.rng = random.Random(SEED)
        self.stats: dict[str, KindStats] = defaultdict(KindStats)
        self.acked = Acknowledged()
        self.proposed: list[int] = []  # confirmed PROPOSED, free to move on
        self.active: list[int] = []
        self.samples: list[str] = []

    async def call(self, kind: str, query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
        stats = self.stats[kind]
        start = time.perf_counter()
        try:
            response = await self.client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=self.headers
            )
            body = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError) as exc:
            body, response = None, None
            self._error(kind, f"{type(exc).__name__}: {exc}")
        stats.latencies.append((time.perf_counter() - start) * 1000)
        stats.count += 1
        if response is not None and body is None:
            self._error(kind, f"HTTP {response.status_code}: {response.text[:200]}")
            return None
        if body is not None and body.get("errors"):
            self._error(kind, json.dumps(body["errors"])[:300])
            return None
        return body["data"] if body is not None else None

    def _error(self, kind: str, message: str) -> None:
        self.stats[kind].errors += 1
        if len(self.samples) < 5:
            self.samples.append(f"{kind}: {message}")

    def _payload(self, kind: str, data: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
        if data is None:
            return None
        payload = data[kind]
        if payload["userErrors"]:
            self.stats[kind].rejected += 1
            return None
        return payload[key]  # type: ignore[no-any-return]

    async def one(self, kind: str) -> None:
        c, rng = self.catalogue, self.rng
        if kind in READS:
            variables: dict[str, Any] = {}
            if kind == "districts":
                variables = {"f": {"provinceCode": rng.choice(c["provinces"])}}
            elif kind in ("district", "recommendPartners"):
                variables = {"c": rng.choice(c["districts"])}
            elif kind == "partners":
                variables = {"f": {"operatingProvinceCode": rng.choice(c["provinces"])}}
            elif kind == "quotaProgress":
                variables = {"c": rng.choice(c["provinces"])}
            await self.call(kind, READS[kind], variables)
        elif kind == "proposePartnership":
            data = await self.call(
                kind,
                WRITES[kind],
                {
                    "i": {
                        "partnerId": rng.choice(c["partners"]),
                        "districtCode": rng.choice(c["districts"]),
                        "interventionAreas": ["HEALTH_SERVICES"],
                        "durationMonths": 12,
                    }
                },
            )
            row = self._payload(kind, data, "partnership")
            if row is not None:
                self.acked.partnerships[row["databaseId"]] = row["status"]
                self.proposed.append(row["databaseId"])
        elif kind == "updatePartnershipStatus":
            # Take a partnership no other client is moving; without one, propose instead.
            if self.active and (not self.proposed or rng.random() < 0.4):
                pid, new = self.active.pop(rng.randrange(len(self.active))), "COMPLETED"
            elif self.proposed:
                pid = self.proposed.pop(rng.randrange(len(self.proposed)))
                new = rng.choice(["ACTIVE", "ACTIVE", "ACTIVE", "CANCELLED"])
            else:
                await self.one("proposePartnership")
                return
            from schema.ids import to_global_id

            data = await self.call(
                kind,
                WRITES[kind],
                {"i": {"partnershipId": to_global_id("Partnership", pid), "status": new}},
            )
            row = self._payload(kind, data, "partnership")
            if row is not None:
                self.acked.partnerships[pid] = row["status"]
                if row["status"] == "ACTIVE":
                    self.active.append(pid)
        elif kind == "recordRecommendationFeedback":
            data = await self.call(
                kind,
                WRITES[kind],
                {
                    "i": {
                        "districtCode": rng.choice(c["districts"]),
                        "partnerId": rng.choice(c["partners"]),
                        "verdict": rng.choice(["ACCEPTED", "REJECTED"]),
                        "modelVersion": "transparent",
                    }
                },
            )
            row = self._payload(kind, data, "feedback")
            if row is not None:
                self.acked.feedback.add(row["databaseId"])
        elif kind == "createPartner":
            data = await self.call(
                kind,
                WRITES[kind],
                {
                    "i": {
                        "name": f"Yayasan Uji Beban {uuid.uuid4().hex[:10]}",
                        "kind": "NGO",
                        "scope": "LOCAL",
                        "districtCodes": [rng.choice(c["districts"])],
                        "interventionAreas": ["WASH"],
                    }
                },
            )
            row = self._payload(kind, data, "partner")
            if row is not None:
                self.acked.partners.add(row["databaseId"])


async def catalogue_of(client: httpx.AsyncClient) -> dict[str, list[str]]:
    """District codes, province codes and partner ids to pick requests from."""
    query = "{ provinces { code districts { code } } partners(first: 100) { nodes { id } } }"
    data = (await client.post("/graphql", json={"query": query})).json()["data"]
    return {
        "provinces": [p["code"] for p in data["provinces"]],
        "districts": [d["code"] for p in data["provinces"] for d in p["districts"]],
        "partners": [p["id"] for p in data["partners"]["nodes"]],
    }


async def drive(base: str, token: str, *, seconds: float, concurrency: int, kinds: list[str]):
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        driver = Driver(client, token, await catalogue_of(client))
        weights = [WEIGHTS[k] for k in kinds]
        deadline = time.monotonic() + seconds

        async def worker() -> None:
            while time.monotonic() < deadline:
                await driver.one(driver.rng.choices(kinds, weights)[0])

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return driver, time.monotonic() - started


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
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def has_recommendations() -> bool:
    from schema import build_schema

    return "recommendPartners(" in build_schema().as_str()


def run_load(
    *, seconds: float, workers: int, concurrency: int, server_url: str = DEFAULT_SERVER
) -> LoadReport:
    """The whole run: database, server, load, consistency check. Drops what it made."""
    kinds = [k for k in WEIGHTS if k != "recommendPartners" or has_recommendations()]
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
