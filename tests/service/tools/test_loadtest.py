"""A very short run of the load script: a real uvicorn on loopback, a throwaway database
(PostgreSQL when the suite runs on it, else a SQLite file), zero errors, zero lost writes."""

from __future__ import annotations

import pytest

from service.tools import load_driver, loadtest
from tests.service.writes_support import postgres_url


@pytest.mark.slow
def test_short_load_run_has_no_errors_and_loses_no_writes() -> None:
    server = postgres_url() or "sqlite://"
    report = loadtest.run_load(seconds=3, workers=1, concurrency=4, server_url=server, warmup=1)
    data = report.to_dict()
    assert set(data) >= {
        "requests",
        "requests_per_second",
        "errors",
        "rejected",
        "acknowledged_writes",
        "lost_writes",
        "operations",
    }
    assert report.errors == 0, report.error_samples
    assert report.lost_writes == 0
    assert report.requests > 0 and report.requests_per_second > 0
    assert report.acknowledged_writes > 0
    for kind, stats in data["operations"].items():
        assert kind in load_driver.WEIGHTS
        assert stats["count"] > 0 and 0 < stats["p50_ms"] <= stats["p99_ms"]
        assert "latencies" not in stats
    reads = set(load_driver.READS) & set(data["operations"])
    assert {"district", "districts"} <= reads
    assert "lost writes: 0" in report.render()
    assert report.partial_rows == 0 and "partial rows: 0" in report.render()
    # The soak's memory report: one worker, measured after the warm-up and at the end.
    [(start, end)] = report.worker_memory_mb.values()
    assert start > 0 and end > 0
    assert "worker memory" in report.render()
