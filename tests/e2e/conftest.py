"""Browser tests of the planner console: a real uvicorn server and Debian's Chromium.

The server runs in a thread on a free 127.0.0.1 port against a copy of the session's
seeded SQLite database (on PostgreSQL, against the test database itself; tests that
write clean up after themselves). Chromium is driven by the ``playwright`` package
with ``executable_path`` pointing at the system browser: no browser download. Without
``/usr/bin/chromium`` (or ``MITRA_CHROMIUM``) or without ``playwright`` the browser
tests skip, saying why; ``.ci/install-chromium.sh`` installs the browser.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import sqlite3
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from service.settings import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, ViewportSize

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path(os.environ.get("MITRA_CHROMIUM", "/usr/bin/chromium"))
# The flags this machine needs: no sandbox as root, and no calls home on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
LAPTOP: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


@dataclasses.dataclass(frozen=True)
class LiveServer:
    url: str
    settings: Settings

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """POST to the running server's /graphql, as the page does; returns the whole body."""
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body: dict[str, Any] = json.load(response)
        except urllib.error.HTTPError as exc:  # GraphQL errors may come with a 4xx
            body = json.load(exc)
        return body

    def has_field(self, type_name: str, field: str) -> bool:
        """Whether the running schema has ``type_name.field`` (introspection is on in tests)."""
        body = self.graphql(
            "query($n: String!) { __type(name: $n) { fields { name } } }", {"n": type_name}
        )
        fields = ((body.get("data") or {}).get("__type") or {}).get("fields") or []
        return any(f["name"] == field for f in fields)


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="session")
def console_settings(
    settings: Settings, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """The session's settings, on a private copy of the seeded database where possible."""
    # Every test loads the console from one address within seconds: far more map loads a
    # minute than a person makes, so the rate limits (tested on their own) are off here.
    settings = dataclasses.replace(
        settings, rate_limit_per_minute=0, anonymous_rate_limit_per_minute=0
    )
    url = make_url(settings.sync_database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return settings
    copy = tmp_path_factory.mktemp("e2e") / "mitra-e2e.db"
    # SQLite's backup API gives a consistent copy even with the engine's pool open.
    src = sqlite3.connect(url.database)
    dst = sqlite3.connect(copy)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return dataclasses.replace(settings, database_url=f"sqlite:///{copy}")


@pytest.fixture(scope="session")
def console_engine(console_settings: Settings) -> Iterator[Engine]:
    """A synchronous engine on the database the live server uses (for checks and tokens)."""
    from service.db.session import make_engine

    eng = make_engine(console_settings.sync_database_url)
    yield eng
    eng.dispose()


def build_console_app(settings: Settings) -> Any:
    """The real application; the console's routes are mounted here if the app lacks them."""
    from service.server.app import create_app
    from service.server.web import routes

    app = create_app(settings)
    paths = {getattr(route, "path", None) for route in app.router.routes}
    if "/" not in paths:
        app.router.routes.extend(routes())
    return app


# Module scope, not session: Playwright's sync API keeps an event loop running in the
# main thread while it is open, which would break the async tests collected after these.
@pytest.fixture(scope="module")
def live_server(console_settings: Settings) -> Iterator[LiveServer]:
    """uvicorn serving the application in a thread on a free loopback port."""
    import uvicorn

    sock = _free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        build_console_app(console_settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws="none",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the console's uvicorn server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", settings=console_settings)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@pytest.fixture(scope="module")
def playwright_instance() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Chromium at {CHROMIUM}: run .ci/install-chromium.sh "
            "(apt-get install chromium) or set MITRA_CHROMIUM"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="browser tests need the playwright package (pip install playwright)",
    )
    with sync_api.sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    # Playwright gives each context a fresh profile; the extra flags keep Chromium quiet.
    browser = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@dataclasses.dataclass
class PageRecord:
    page_errors: list[str] = dataclasses.field(default_factory=list)
    console_errors: list[str] = dataclasses.field(default_factory=list)
    requests: list[str] = dataclasses.field(default_factory=list)


@pytest.fixture
def record() -> PageRecord:
    return PageRecord()


def _new_page(browser: Browser, record: PageRecord, viewport: ViewportSize) -> Page:
    context = browser.new_context(viewport=viewport, service_workers="block")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda exc: record.page_errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: record.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("request", lambda req: record.requests.append(req.url))
    return page


def _check(record: PageRecord) -> None:
    assert record.page_errors == [], f"uncaught errors in the page: {record.page_errors}"
    blocked = [m for m in record.console_errors if "Content Security Policy" in m]
    assert blocked == [], f"the page breaks its own Content-Security-Policy: {blocked}"


@pytest.fixture
def page(browser: Browser, record: PageRecord) -> Iterator[Page]:
    """A laptop-sized page in a fresh context; a script error or CSP violation fails the test."""
    pg = _new_page(browser, record, LAPTOP)
    yield pg
    pg.context.close()
    _check(record)


@pytest.fixture
def phone_page(browser: Browser, record: PageRecord) -> Iterator[Page]:
    pg = _new_page(browser, record, PHONE)
    yield pg
    pg.context.close()
    _check(record)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
