"""HTTP benchmark: ``python -m service.tools.bench_http`` (``make bench-http``).

Measures, in one run on this machine, Mitra's own queries against a bare Strawberry
anchor app (:mod:`service.tools.bench_anchor`: 100 in-memory objects x 10 fields) and
prints every result as a ratio to the anchor, so that the numbers say something on a
noisy shared machine where absolute times do not.

Each server is one uvicorn worker pinned to CPU 0 (``taskset``); the load generator,
``wrk`` (Debian package ``wrk``), runs on CPU 1 with 32 keep-alive connections. Every
target is run for ``--seconds`` in each of ``--rounds`` rounds, the rounds interleaved
so that noise falls on all targets alike; the table gives the median of the rounds.
For each run the worker's CPU time (utime + stime from ``/proc``) divided by the
requests served gives the CPU milliseconds per request; each worker's resident memory
is read at the end. Mitra runs twice on the same seeded database: with the result
cache off (``MITRA_RESULT_CACHE=off``) and on. Last, the district page uncached is
served by one worker and by two (``--workers 2``, both CPUs) for the scaling ratio:
``mitra serve --workers 2`` with its workers free to run on either CPU and with
``--pin-cpus`` (one CPU each, as the one worker has one), and uvicorn's own
``--workers 2``. ``--only scaling`` runs that last part alone.

Before measuring, every query is sent once and must answer without errors, and the
cached server must answer exactly what the uncached one does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from service.settings import Settings
from service.tools.bench_anchor import ANCHOR_QUERY
from service.tools.bench_servers import (
    CONNECTIONS,
    LOAD_CPU,
    SERVER_CPU,
    Series,
    Server,
    ask,
    require_tools,
    serve,
    wrk,
)
from service.tools.load_server import UNLIMITED, throwaway_database

DISTRICT_PAGE = (
    "{ districts(first: 100) { edges { node { code name type province { code name } "
    "latestStuntingPrevalence { value year survey imputed } } } } }"
)
QUERIES: dict[str, str] = {
    "district page (100)": DISTRICT_PAGE,
    "district 53.02 + series": (
        '{ district(code: "53.02") { code name type population underdeveloped '
        "province { code name } latestStuntingPrevalence { value year survey imputed source } "
        "stuntingPrevalenceSeries { year survey value imputed source sourceUrl } } }"
    ),
    "quotaProgress (53)": (
        '{ province(code: "53") { code name quotaProgress '
        "{ category target committed remaining met } } }"
    ),
    "recommendPartners (10)": (
        '{ recommendPartners(districtCode: "53.02", first: 10) { rank score modelVersion '
        "partner { name kind synthetic } reasons { factor contribution sentence } } }"
    ),
    "recommendDistricts (10)": (
        "{ recommendDistricts(partnerId: $PARTNER, first: 10) { rank score modelVersion "
        "district { code name } reasons { factor contribution sentence } } }"
    ),
    "provincePlan (53)": (
        '{ provincePlan(provinceCode: "53") { modelVersion '
        "quotas { category target committed remaining } "
        "picks { category score partner { name kind } district { code name } "
        "reasons { factor sentence } } remainingAfterPlan { category remaining } } }"
    ),
    "{ __typename }": "{ __typename }",
}
ANCHOR = "anchor: 100 objects x 10 fields"
ANCHOR_TYPENAME = "anchor: { __typename }"


def prepare(url: str, model_dir: Path) -> str:
    """Migrate, seed and train on ``url``; a partner id for recommendDistricts."""
    from sqlalchemy import select

    from schema.ids import to_global_id
    from service.db.migrate import upgrade
    from service.db.models import Partner
    from service.db.session import make_engine, make_sessionmaker
    from service.domain.model_registry import ensure_active_model
    from service.seed import run_seed

    settings = Settings(database_url=url, model_dir=model_dir)
    engine = make_engine(settings.sync_database_url)
    try:
        upgrade(engine)
        run_seed(engine, seed=settings.seed)
        ensure_active_model(engine, settings)
        with make_sessionmaker(engine)() as session:
            partner_id = session.scalar(
                select(Partner.id).where(Partner.synthetic.is_(False)).order_by(Partner.id)
            )
    finally:
        engine.dispose()
    return json.dumps(to_global_id("Partner", partner_id))


@dataclass
class Report:
    machine: str
    database: str
    seconds: float
    rounds: int
    series: list[Series]
    rss_mib: dict[str, list[float]]
    worker_cpu_share: dict[str, list[float]]  # per multi-worker server

    def find(self, label: str, server: str) -> Series:
        return next(s for s in self.series if s.label == label and s.server == server)

    def render(self) -> str:
        has_anchor = any(s.server == "anchor" for s in self.series)  # not with --only scaling
        anchor = self.find(ANCHOR, "anchor").rps if has_anchor else 1.0
        anchor_cpu = self.find(ANCHOR, "anchor").cpu_ms if has_anchor else 1.0
        lines = [
            f"machine: {self.machine}",
            f"database: {self.database}; {self.rounds} rounds of {self.seconds:g} s per row, "
            f"medians; wrk -c{CONNECTIONS} on CPU {LOAD_CPU}, one uvicorn worker on CPU "
            f"{SERVER_CPU} unless stated",
            "",
            "| query | server | req/s (median) | x anchor | worker CPU ms/req "
            "| x anchor by CPU | CPUs busy | errors |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for s in self.series:
            x_anchor = f"{s.rps / anchor:.2f}" if has_anchor else "-"
            x_cpu = f"{anchor_cpu / s.cpu_ms:.2f}" if has_anchor else "-"
            lines.append(
                f"| {s.label} | {s.server} | {s.rps:,.0f} | {x_anchor} | "
                f"{s.cpu_ms:.2f} | {x_cpu} | {s.busy:.2f} | {s.errors} |"
            )
        lines.append("")
        one = self.find(DISTRICT_PAGE_LABEL, ONE_WORKER)
        for name in (TWO_WORKERS, TWO_PINNED, UVICORN_TWO):
            two = self.find(DISTRICT_PAGE_LABEL, name)
            share = ", ".join(f"{100 * c:.0f} %" for c in self.worker_cpu_share.get(name, []))
            ratio = two.rps / one.rps if one.rps else float("nan")
            lines.append(
                f"{name} / 1 worker, district page uncached: {ratio:.2f}x "
                f"(CPU share of the two workers: {share})"
            )
            # What the machine gave: two workers can serve 2x only if they get 2x the CPU.
            got = two.busy / one.busy if one.busy else float("nan")
            lines.append(
                f"  CPUs busy: one worker {one.busy:.2f}, the two workers {two.busy:.2f} "
                f"({got:.2f}x), wrk {two.load_busy:.2f} (with one worker: {one.load_busy:.2f}); "
                f"CPU ms per request {one.cpu_ms:.2f} -> {two.cpu_ms:.2f}"
            )
        for name, rss in self.rss_mib.items():
            lines.append(f"worker RSS, {name}: " + ", ".join(f"{r:.0f} MiB" for r in rss))
        return "\n".join(lines)


DISTRICT_PAGE_LABEL = "district page (100)"
ONE_WORKER = "mitra, cache off, 1 worker (scaling pair)"
TWO_WORKERS = "mitra serve --workers 2 (SO_REUSEPORT), cache off"
TWO_PINNED = "mitra serve --workers 2 --pin-cpus, cache off"
UVICORN_TWO = "uvicorn --workers 2 (shared socket), cache off"


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]
    return (
        f"{os.cpu_count()} CPUs ({model}), {int(mem) // 1024 // 1024} GiB, "
        f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f} at start"
    )


def _scaling(
    stack: ExitStack,
    app: str,
    env: dict[str, str],
    off: Server,
    page: str,
    seconds: float,
    rounds: int,
    scripts: Path,
    rss: dict[str, list[float]],
) -> tuple[list[Series], dict[str, list[float]]]:
    """One worker (``off``) against two on both CPUs, cache off: Mitra's own
    ``mitra serve --workers 2`` (a socket per worker), floating and pinned, and
    uvicorn's ``--workers 2``."""
    uncached = {**env, "MITRA_RESULT_CACHE": "off"}
    two = stack.enter_context(
        serve(TWO_WORKERS, app, env=uncached, workers=2, cpus="0,1", mitra_serve=True)
    )
    pinned = stack.enter_context(
        serve(TWO_PINNED, app, env=uncached, workers=2, cpus="0,1", mitra_serve=True, pin_cpus=True)
    )
    shared = stack.enter_context(
        serve(UVICORN_TWO, app, env=uncached, workers=2, cpus="0,1", factory=True)
    )
    multi = (two, pinned, shared)
    for server in (off, *multi):
        ask(server, page)
        wrk(server, page, seconds=2, scripts=scripts)
    series = [
        Series(DISTRICT_PAGE_LABEL, ONE_WORKER),
        Series(DISTRICT_PAGE_LABEL, TWO_WORKERS),
        Series(DISTRICT_PAGE_LABEL, TWO_PINNED),
        Series(DISTRICT_PAGE_LABEL, UVICORN_TWO),
    ]
    cpu_before = {s.name: s.cpu_seconds() for s in multi}
    for round_no in range(rounds):
        for row, server in zip(series, (off, *multi), strict=True):
            row.samples.append(wrk(server, page, seconds=seconds, scripts=scripts))
        print(f"scaling round {round_no + 1}/{rounds} done", file=sys.stderr)
    shares = {}
    for server in multi:
        after = server.cpu_seconds()
        used = [b - a for a, b in zip(cpu_before[server.name], after, strict=True)]
        shares[server.name] = [u / sum(used) for u in used] if sum(used) else []
        rss[server.name] = server.rss_mib()
    return series, shares


def run(*, server_url: str, seconds: float, rounds: int, only: str | None = None) -> Report:
    require_tools()
    with ExitStack() as stack:
        url = stack.enter_context(throwaway_database(server_url))
        models = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mitra-bench-")))
        scripts = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mitra-wrk-")))
        partner = prepare(url, models)
        queries = {k: q.replace("$PARTNER", partner) for k, q in QUERIES.items()}
        env = {
            "DATABASE_URL": url,
            "MITRA_DATABASE_URL": url,
            "MITRA_ENV": "production",
            "MITRA_MODEL_DIR": str(models),
            # capacity, not a client: the per-client budgets would refuse most requests
            # (the district page costs 877 of an anonymous client's 200,000 a minute)
            **UNLIMITED,
        }
        app = "service.server.app:create_app_from_env"
        off = stack.enter_context(
            serve("mitra, cache off", app, env={**env, "MITRA_RESULT_CACHE": "off"}, factory=True)
        )
        page = queries[DISTRICT_PAGE_LABEL]
        if only == "scaling":
            rss: dict[str, list[float]] = {off.name: off.rss_mib()}
            rows, shares = _scaling(stack, app, env, off, page, seconds, rounds, scripts, rss)
        else:
            rows, rss, shares = _all_queries(
                stack, app, env, off, queries, page, seconds, rounds, scripts
            )
    return Report(
        machine=machine(),
        database=make_backend(server_url),
        seconds=seconds,
        rounds=rounds,
        series=rows,
        rss_mib=rss,
        worker_cpu_share=shares,
    )


def _all_queries(
    stack: ExitStack,
    app: str,
    env: dict[str, str],
    off: Server,
    queries: dict[str, str],
    page: str,
    seconds: float,
    rounds: int,
    scripts: Path,
) -> tuple[list[Series], dict[str, list[float]], dict[str, list[float]]]:
    """The anchor and every query, cache off and on, then the scaling pair."""
    anchor = stack.enter_context(serve("anchor", "service.tools.bench_anchor:app", env={}))
    on = stack.enter_context(
        serve("mitra, cache on", app, env={**env, "MITRA_RESULT_CACHE": "on"}, factory=True)
    )
    targets: list[tuple[Series, Server, str]] = [
        (Series(ANCHOR, "anchor"), anchor, ANCHOR_QUERY),
        (Series(ANCHOR_TYPENAME, "anchor"), anchor, "{ __typename }"),
    ]
    for server in (off, on):
        for label, query in queries.items():
            targets.append((Series(label, server.name), server, query))
    # Every answer must be an answer, and the cache must not change one.
    for _series, server, query in targets:
        first = ask(server, query)
        if server is on:
            plain = ask(off, query)
            if ask(on, query) != plain or first != plain:
                raise RuntimeError(f"the cached answer differs for {query[:60]}...")
    for _series, server, query in targets:  # warm-up: caches, pools, the recommender
        wrk(server, query, seconds=1, scripts=scripts)
    for round_no in range(rounds):
        for series, server, query in targets:
            series.samples.append(wrk(server, query, seconds=seconds, scripts=scripts))
        print(f"round {round_no + 1}/{rounds} done", file=sys.stderr)
    rss = {s.name: s.rss_mib() for s in (anchor, off, on)}
    scaling, shares = _scaling(stack, app, env, off, page, seconds, rounds, scripts, rss)
    return [t[0] for t in targets] + scaling, rss, shares


def make_backend(server_url: str) -> str:
    from sqlalchemy.engine import make_url

    from service.settings import sync_url

    return make_url(sync_url(server_url)).get_backend_name()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.tools.bench_http", description=__doc__)
    parser.add_argument("--seconds", type=int, default=8, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per target (medians)")
    parser.add_argument(
        "--server-url",
        default="sqlite://",
        help="where to create the throwaway database: sqlite:// (a temporary file, the "
        "default) or a PostgreSQL server URL",
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument(
        "--only",
        choices=["scaling"],
        help="run one part: 'scaling' is the district page uncached, one worker against two",
    )
    args = parser.parse_args(argv)
    report = run(
        server_url=args.server_url, seconds=args.seconds, rounds=args.rounds, only=args.only
    )
    print(report.render())
    if args.json:
        data = {
            "machine": report.machine,
            "database": report.database,
            "rows": [
                {"query": s.label, "server": s.server, "rps": s.rps, "cpu_ms": s.cpu_ms}
                for s in report.series
            ],
            "rss_mib": report.rss_mib,
        }
        args.json.write_text(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
