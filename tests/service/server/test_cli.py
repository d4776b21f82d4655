"""The CLI refuses bad input in one line with exit code 2, never with a traceback.

Every subcommand gets at least one bad value; the ones the issue names run as real
processes (``python -m service.server.cli``), the rest through :func:`main` in this process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from service.server.cli import build_parser, main
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[3]

# (arguments, a word the one line must contain)
BAD_INPUT = [
    (["evaluate", "--bootstrap", "-5"], "--bootstrap"),
    (["evaluate", "--bootstrap", "0"], "--bootstrap"),
    (["evaluate", "--bootstrap", "many"], "--bootstrap"),
    (["train", "--bootstrap", "0"], "--bootstrap"),
    (["train", "--activate-later"], "unrecognized"),
    (["serve", "--port", "abc"], "--port"),
    (["serve", "--port", "0"], "--port"),
    (["serve", "--port", "65536"], "--port"),
    (["serve", "--workers", "0"], "--workers"),
    (["serve", "--workers", "two"], "--workers"),
    (["serve", "--host", "not a host"], "--host"),
    (["setup", "--no-train", "yes"], "unrecognized"),
    (["migrate", "now"], "unrecognized"),
    (["seed", "--seed", "7"], "unrecognized"),
    (["token"], "ACTION"),
    (["token", "create", "--owner", "Dina", "--role", "root"], "--role"),
    (["token", "create", "--owner", " ", "--role", "planner"], "--owner"),
    (["token", "revoke", "--id", "-1"], "--id"),
    (["token", "revoke"], "--id"),
    (["token", "list", "--everything"], "unrecognized"),
    (["models", "--all"], "unrecognized"),
    (["activate"], "VERSION"),
    (["activate", "no such/version"], "VERSION"),
    (["export-schema", "--output", "/no/such/folder/schema.graphql"], "--output"),
    (["backup"], "FILE"),
    (["backup", "/"], "FILE"),
    (["restore", "/no/such/mitra.backup"], "FILE"),
    (["bogus"], "COMMAND"),
    ([], "COMMAND"),
]


def run_cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.server.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_every_subcommand_is_covered():
    subcommands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    covered = {args[0] for args, _ in BAD_INPUT if args}
    assert set(subcommands) <= covered, set(subcommands) - covered


@pytest.mark.parametrize(("args", "word"), BAD_INPUT, ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_bad_input_is_one_line_and_exit_2(args: list[str], word: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("mitra") and "error:" in err and word in err


@pytest.mark.parametrize(
    "args",
    [["evaluate", "--bootstrap", "-5"], ["serve", "--port", "abc"], ["activate", "nope!"]],
)
def test_as_a_process_bad_input_prints_one_line_and_exits_2(args: list[str]) -> None:
    done = run_cli(args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_model_version_is_one_line_and_exit_2(settings: Settings, engine: Engine):
    done = run_cli(["activate", "nope"], env={"DATABASE_URL": settings.database_url})
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        "mitra activate: error: no model version 'nope': `mitra models` lists them; "
        "`transparent` selects the transparent scorer"
    )


def test_serve_on_a_missing_database_exits_non_zero_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    done = run_cli(["serve", "--port", "8765"], env={"DATABASE_URL": f"sqlite:///{missing}"})
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip() == (
        f"mitra serve: no database at {missing}: run `mitra setup` (or `make run`) to create it"
    )
    assert not missing.exists()


def test_a_failure_while_running_is_one_line_without_traceback(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")  # exists, but no tables
    done = run_cli(["models"], env={"DATABASE_URL": f"sqlite:///{empty}"})
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith(f"mitra models: database sqlite:///{empty}: no such table")
    assert "Traceback" not in done.stderr


def test_help_is_written_for_users(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for phrase in ("mitra setup", "mitra serve", "make run", "DATABASE_URL", "examples:"):
        assert phrase in text
    assert "Each command parses arguments" not in text  # no developer notes


def test_quiet_by_default_and_library_lines_with_debug(tmp_path: Path) -> None:
    quiet = run_cli(["migrate"], env={"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    assert quiet.returncode == 0, quiet.stderr
    assert (quiet.stdout, quiet.stderr) == ("database migrated to head\n", "")
    loud = run_cli(
        ["migrate"],
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'b.db'}", "MITRA_LOG_LEVEL": "debug"},
    )
    assert loud.returncode == 0, loud.stderr
    assert "alembic.runtime.migration: Running upgrade" in loud.stderr


def test_a_bad_log_level_is_a_configuration_error() -> None:
    done = run_cli(["models"], env={"MITRA_LOG_LEVEL": "loud"})
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "mitra: configuration error: MITRA_LOG_LEVEL must be one of debug, info, warning, "
        "error, not 'loud'"
    )


@pytest.mark.parametrize("pin", [False, True], ids=["floating", "pinned"])
def test_serve_with_two_workers_answers_from_both(
    settings: Settings, engine: Engine, pin: bool
) -> None:
    """`mitra serve --workers 2`: two processes, each on its own SO_REUSEPORT socket;
    with --pin-cpus each runs on a CPU of its own (threads included)."""
    import signal
    import socket
    import time
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "MITRA_MODEL_DIR": str(settings.model_dir),
        "MITRA_ENV": "test",
    }
    command = ["serve", "--port", str(port), "--workers", "2", *(["--pin-cpus"] if pin else [])]
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.server.cli", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def worker(_: int) -> str | None:
        try:  # a fresh connection each time, so the kernel picks the accepting process
            response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        except httpx.TransportError:
            return None
        return response.headers["x-mitra-worker"]

    workers: set[str] = set()
    affinity: dict[str, set[int]] = {}
    try:
        # Startup first, one request at a time: the workers import the app and build the
        # schema, slowly on a busy machine, and a flood of requests would only slow them.
        deadline = time.monotonic() + 180
        while not workers and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            first = worker(0)
            workers |= {first} if first else set()
            time.sleep(0.5)
        deadline = time.monotonic() + 60
        with ThreadPoolExecutor(max_workers=8) as pool:
            # Then eight at once: one idle worker would otherwise win every accept.
            while workers and len(workers) < 2 and time.monotonic() < deadline:
                workers |= {w for w in pool.map(worker, range(8)) if w}
                time.sleep(0.1)
        affinity = {w: os.sched_getaffinity(int(w)) for w in workers}
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert len(workers) == 2, (out, err)
    assert f"Mitra is serving on 127.0.0.1:{port} with 2 workers" in out
    assert "Traceback" not in err
    allowed = os.sched_getaffinity(0)
    if not pin:
        assert all(cpus == allowed for cpus in affinity.values()), affinity
    else:
        assert all(len(cpus) == 1 and cpus <= allowed for cpus in affinity.values()), affinity
        if len(allowed) >= 2:  # two CPUs to give: one each
            assert len(set.union(*affinity.values())) == 2, affinity


@pytest.mark.parametrize("pin", [False, True], ids=["floating", "pinned"])
def test_serve_with_one_worker_pins_itself_before_the_app_starts(
    settings: Settings, engine: Engine, pin: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mitra serve --pin-cpus` (one worker): this process asks for the first CPU it may
    use, before the app is built and uvicorn runs (the threads they start inherit it)."""
    import socket

    import uvicorn

    from service.server import app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for name, value in {
        "DATABASE_URL": settings.database_url,
        "MITRA_MODEL_DIR": str(settings.model_dir),
        "MITRA_ENV": "test",
    }.items():
        monkeypatch.setenv(name, value)
    events: list[tuple[object, ...]] = []
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {9, 3, 5})
    monkeypatch.setattr(os, "sched_setaffinity", lambda pid, cpus: events.append((pid, cpus)))
    monkeypatch.setattr(app, "create_app", lambda _settings: events.append(("app",)) or "the app")
    monkeypatch.setattr(uvicorn, "run", lambda the_app, **kw: events.append((the_app, kw["port"])))

    assert main(["serve", "--port", str(port), *(["--pin-cpus"] if pin else [])]) == 0
    pinned = [(0, {3})] if pin else []  # this process; the lowest of the CPUs it may use
    assert events == [*pinned, ("app",), ("the app", port)]


def test_workers_are_given_cpus_round_robin() -> None:
    from service.server.workers import worker_cpus

    assert worker_cpus(2, {0, 1}) == [0, 1]
    assert worker_cpus(2, {5, 3, 9}) == [3, 5]
    assert worker_cpus(3, {1, 0}) == [0, 1, 0]
    assert worker_cpus(1, {7}) == [7]


@pytest.mark.parametrize("workers", [1, 2])
def test_pin_cpus_without_cpu_affinity_says_so_in_one_line(
    workers: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a system without sched_setaffinity (macOS), `--pin-cpus` exits 1 with one line,
    with one worker as with several, before anything is served."""
    import uvicorn

    monkeypatch.delattr(os, "sched_setaffinity")
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: pytest.fail("served"))
    code = main(["serve", "--port", "8999", "--workers", str(workers), "--pin-cpus"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip() == "mitra serve: --pin-cpus needs sched_setaffinity (Linux)"
