"""The result cache in front of /graphql: hits, invalidation by writes on every worker,
roles, what is never kept, the byte budget. Two app instances on one seeded scratch
database stand for two workers (each has its own cache and data-version watcher)."""

from __future__ import annotations

import ast
import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from service.auth import Role
from service.server.app import create_app
from service.server.result_cache import ENTRY_OVERHEAD, ByteBudgetLRU, ResultCache
from service.settings import PROJECT_ROOT, Settings
from tests.schema.api_support import bearer, create_tokens_sync, seeded_database, settings_for

POLL_SECONDS = 0.5  # DataVersionWatcher's default, as the service runs it
SEARCH = """query($s: String!) { partners(filter: {search: $s}) { totalCount nodes { name } } }"""
CREATE = """
mutation($input: CreatePartnerInput!) {
  createPartner(input: $input) { partner { name } userErrors { code } }
}"""
AUDIT = "{ auditLog(first: 5) { totalCount } }"


@pytest.fixture(scope="module")
def api(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[Role, str]]]:
    with seeded_database(tmp_path_factory.mktemp("cache"), seed=settings.seed) as url:
        yield url, create_tokens_sync(url)


@pytest.fixture(scope="module")
def workers(settings: Settings, api: Any) -> Iterator[tuple[TestClient, TestClient]]:
    local = settings_for(settings, api[0], result_cache=True)
    with TestClient(create_app(local)) as one, TestClient(create_app(local)) as two:
        yield one, two


def post(client: TestClient, query: str, variables: Any = None, token: str | None = None):
    response = client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers=bearer(token) if token else {},
    )
    assert response.status_code == 200, response.text
    return response.headers.get("x-mitra-cache"), response.json()


def test_a_repeated_query_is_answered_from_the_cache(workers: Any) -> None:
    one, _ = workers
    query = '{ district(code: "53.02") { name latestStuntingPrevalence { value } } }'
    first = post(one, query)
    again = post(one, query)
    spaced = post(one, query.replace(" {", "  {\n  # the same document\n "))
    assert first[0] == "miss" and again[0] == "hit" and spaced[0] == "hit"
    assert first[1] == again[1] == spaced[1]
    assert first[1]["data"]["district"]["name"]
    other = post(one, SEARCH, {"s": "no such partner anywhere"})
    assert other[0] == "miss" and other[1]["data"]["partners"]["totalCount"] == 0


def test_a_write_is_seen_by_the_next_read_on_both_workers(workers: Any, api: Any) -> None:
    one, two = workers
    name = "Yayasan Uji Cache (synthetic)"
    variables = {"s": "Uji Cache"}
    for worker in (one, two):
        post(worker, SEARCH, variables)
        cache, body = post(worker, SEARCH, variables)
        assert cache == "hit" and body["data"]["partners"]["totalCount"] == 0
    created = post(
        one,
        CREATE,
        {
            "input": {
                "name": name,
                "kind": "FOUNDATION",
                "scope": "LOCAL",
                "interventionAreas": ["WASH"],
                "districtCodes": ["53.02"],
            }
        },
        token=api[1][Role.PLANNER],
    )
    assert created[0] is None  # mutations bypass the cache
    assert created[1]["data"]["createPartner"]["userErrors"] == []
    cache, body = post(one, SEARCH, variables)  # the writing worker: at once
    assert cache == "miss" and [n["name"] for n in body["data"]["partners"]["nodes"]] == [name]
    time.sleep(POLL_SECONDS + 0.1)  # the other worker: within its polling interval
    cache, body = post(two, SEARCH, variables)
    assert cache == "miss" and body["data"]["partners"]["totalCount"] == 1


def test_roles_never_share_an_answer(workers: Any, api: Any) -> None:
    one, _ = workers
    tokens = api[1]
    post(one, AUDIT, token=tokens[Role.ADMIN])
    cache, body = post(one, AUDIT, token=tokens[Role.ADMIN])
    assert cache == "hit" and body["data"]["auditLog"]["totalCount"] >= 0
    for token in (tokens[Role.PLANNER], tokens[Role.VIEWER], None):
        cache, body = post(one, AUDIT, token=token)
        assert cache == "miss" and body["data"] is None
        assert body["errors"][0]["extensions"]["code"] in {"FORBIDDEN", "UNAUTHENTICATED"}
    cache, body = post(one, AUDIT, token="mitra_not-a-real-token")
    assert cache is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_errors_are_never_kept(workers: Any) -> None:
    one, _ = workers
    query = '{ district(code: "5302x") { name } }'  # malformed code: BAD_USER_INPUT
    for _ in range(2):
        cache, body = post(one, query)
        assert cache == "miss" and body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_off_switch(settings: Settings, api: Any) -> None:
    off = settings_for(settings, api[0], result_cache=False)
    with TestClient(create_app(off)) as client:
        for _ in range(2):
            cache, body = post(client, '{ province(code: "53") { name } }')
            assert cache is None and body["data"]["province"]["name"]
    assert Settings.from_env({"MITRA_RESULT_CACHE": "off"}, dotenv=Path("/nonexistent")) == (
        dataclasses.replace(Settings.from_env({}, dotenv=Path("/nonexistent")), result_cache=False)
    )


def test_lru_keeps_within_its_byte_budget() -> None:
    lru: ByteBudgetLRU[bytes] = ByteBudgetLRU(max_bytes=10)
    lru.put("a", b"1234", 4)
    lru.put("b", b"1234", 4)
    assert lru.get("a") == b"1234"  # now the most recently used
    lru.put("c", b"1234", 4)  # 12 bytes: the least recently used ("b") goes
    assert lru.get("b") is None and lru.get("a") == b"1234" and lru.get("c") == b"1234"
    assert lru.size == 8 and len(lru) == 2
    lru.put("big", b"x", 11)  # larger than the whole budget: not kept
    assert lru.get("big") is None and lru.size == 8
    lru.put("a", b"12", 2)  # replacing a value gives its old size back
    assert lru.size == 6 and len(lru) == 2


def _result_cache(app: Any) -> ResultCache:
    [route] = [r for r in app.routes if getattr(r, "path", None) == "/graphql"]
    assert isinstance(route.endpoint, ResultCache)
    return route.endpoint


def test_cache_counts_keys_and_bookkeeping_in_its_budget(settings: Settings, api: Any) -> None:
    """Many small answers under distinct variables cannot hold more than the budget:
    each entry is charged its answer, its key's text and ENTRY_OVERHEAD."""
    budget = 20 * ENTRY_OVERHEAD
    small = settings_for(settings, api[0], result_cache_bytes=budget)
    app = create_app(small)
    query = "query($c: String!) { district(code: $c) { name } }"
    codes = [f"53.{i:02d}" for i in range(1, 23)] + [f"11.{i:02d}" for i in range(1, 19)]
    with TestClient(app) as client:
        for code in codes:
            response = client.post("/graphql", json={"query": query, "variables": {"c": code}})
            assert response.status_code == 200, response.text
        cache = _result_cache(app)
        answers = sum(len(e.body) for e in cache.store.values())
        assert 0 < len(cache.store) < 20 <= len(codes)
        assert answers + len(cache.store) * ENTRY_OVERHEAD <= cache.store.size <= budget


def test_no_query_resolver_reads_who_the_caller_is() -> None:
    """The cache keys answers by role only: only mutations may read the principal."""
    offenders = []
    for path in sorted((PROJECT_ROOT / "schema").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            if cls.name.endswith("Mutation"):
                continue
            for node in ast.walk(cls):
                if isinstance(node, ast.Attribute) and node.attr == "principal":
                    offenders.append(f"{path.name}:{cls.name}:{node.lineno}")
    assert offenders == []


def test_a_write_from_elsewhere_is_seen_without_waiting_for_the_poll(
    workers: Any, api: Any
) -> None:
    """Another process writes straight to the database: SQLite's file changes (checked
    on every request), PostgreSQL notifies; either way no stale answer is served."""
    from sqlalchemy.orm import Session

    from service.db.models import Partner
    from service.db.session import make_engine

    one, _ = workers
    variables = {"s": "Uji Dari Luar"}
    post(one, SEARCH, variables)
    assert post(one, SEARCH, variables)[0] == "hit"
    engine = make_engine(api[0])
    try:
        with Session(engine) as session, session.begin():
            session.add(
                Partner(name="Yayasan Uji Dari Luar (synthetic)", kind="ngo", scope="local")
            )
    finally:
        engine.dispose()
    deadline = time.monotonic() + (0.0 if engine.dialect.name == "sqlite" else 1.0)
    while True:
        cache, body = post(one, SEARCH, variables)
        if body["data"]["partners"]["totalCount"] == 1 or time.monotonic() > deadline:
            break
    assert cache == "miss" and body["data"]["partners"]["totalCount"] == 1


def test_a_mutation_invalidates_before_its_answer_leaves() -> None:
    """The next read may be served before the mutation's request has finished: the
    worker must know of its own write when the answer goes out, not only afterwards."""
    import asyncio
    import json
    from types import SimpleNamespace

    class Watcher:
        def __init__(self) -> None:
            self.invalidated = 0

        def invalidate(self) -> None:
            self.invalidated += 1

    watcher = Watcher()
    seen_at_start: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:  # a mutation's answer
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b'{"data": {}}'})

    async def send(message: Any) -> None:
        if message["type"] == "http.response.start":
            seen_at_start.append(watcher.invalidated)

    body = json.dumps({"query": "mutation { createPartner(input: {}) { partner { name } } }"})
    messages = [{"type": "http.request", "body": body.encode(), "more_body": False}]

    async def receive() -> Any:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    scope = {
        "type": "http",
        "method": "POST",
        "app": SimpleNamespace(state=SimpleNamespace(data_version=watcher)),
        "headers": [],
    }
    asyncio.run(ResultCache(app, max_bytes=1 << 20)(scope, receive, send))
    assert seen_at_start == [1]  # invalidated before the answer's first byte
