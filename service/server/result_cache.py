"""A cache of query results in front of ``/graphql``, invalidated by the data version.

A POSTed query whose answer has no errors is kept as the response bytes, under a key of

* the document, normalised (parsed and printed again: whitespace and comments do not
  matter), and the operation name;
* the variables, as canonical JSON;
* the caller's role (anonymous, viewer, planner or admin): answers differ by role
  (a viewer is refused what a planner may read), never by the token beyond its role,
  as no query reads who the caller is (a test guards that);
* the data version (:mod:`service.db.data_version`), which every write bumps in the
  database, and the UTC date (answers that count commitments depend on the day).

So a write through any worker or host is visible to every worker's next read once it
has polled the version (within ``poll_seconds``; at once on the worker that wrote).
Mutations, subscriptions, GET requests, batches, answers with errors and non-200
responses are never kept. An answer served again is charged to its client's rate
limit (:mod:`schema.ratelimit`) at the cost the first run recorded, and refused with 429
and ``RATE_LIMITED`` like any other operation when the client is over budget. The
store is a least-recently-used map bounded by a byte budget
(``MITRA_RESULT_CACHE_BYTES``) that counts each entry's answer, key text and
bookkeeping; it is emptied whenever the data version moves, so it holds one version's
answers at most. ``MITRA_RESULT_CACHE=off`` removes the cache.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse, print_ast

from schema.documents import Memo
from schema.permissions import principal_from_authorization
from schema.ratelimit import COST_STATE, charge_client, refusal_body

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from service.db.data_version import DataVersionWatcher

V = TypeVar("V")
PRINCIPAL_STATE = "mitra_principal"  # scope["state"] key: (principal, token_rejected)


# Bytes an entry costs beyond its answer and the text of its key: the key tuple, the
# map's slot and link, the objects' headers (measured: about 450; rounded up).
ENTRY_OVERHEAD = 512


@dataclass(frozen=True, slots=True)
class _Entry:
    body: bytes
    cost: int  # the rate-limit cost its first run recorded


class ByteBudgetLRU(Generic[V]):
    """Least-recently-used values whose total size stays within ``max_bytes``.

    The caller states each value's size: for the result cache, the answer's bytes plus
    its key's text plus :data:`ENTRY_OVERHEAD`, so that many small answers cannot hold
    several times the budget in keys and bookkeeping.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        item = self._items.get(key)
        if item is None:
            return None
        self._items.move_to_end(key)
        return item[0]

    def put(self, key: Hashable, value: V, size: int) -> None:
        if size > self.max_bytes:
            return
        old = self._items.pop(key, None)
        if old is not None:
            self.size -= old[1]
        self._items[key] = (value, size)
        self.size += size
        while self.size > self.max_bytes:
            _, (_evicted, evicted_size) = self._items.popitem(last=False)
            self.size -= evicted_size

    def clear(self) -> None:
        self._items.clear()
        self.size = 0

    def values(self) -> list[V]:
        return [value for value, _size in self._items.values()]

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class _Document:
    normalised: str
    operations: dict[str | None, OperationType]  # by name; None: the only one


def _document(query: str) -> _Document | None:
    try:
        document = parse(query)
    except GraphQLError:
        return None
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operations: dict[str | None, OperationType] = {
        op.name.value: op.operation for op in ops if op.name is not None
    }
    if len(ops) == 1:
        operations[None] = ops[0].operation
    return _Document(print_ast(document), operations)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _invalidating(send: Send, watcher: DataVersionWatcher) -> Send:
    """``send`` that makes ``watcher`` read the version again before the answer leaves.

    A mutation's write has committed when its answer is sent. The client may send its
    next read the moment the answer arrives, and that read may be served before the
    mutation's request has finished (the rest of the middleware stack still awaits), so
    the worker must know of its own write before it answers, not after: otherwise the
    read is answered from the cache of the older version (and on PostgreSQL, until a
    notification or the poll, it stays so).
    """

    async def send_after_write(message: Message) -> None:
        if message["type"] == "http.response.start":
            watcher.invalidate()
        await send(message)

    return send_after_write


class ResultCache:
    """ASGI middleware for the GraphQL endpoint; see the module docstring."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.store: ByteBudgetLRU[_Entry] = ByteBudgetLRU(max_bytes)
        self._documents: Memo[_Document | None] = Memo()
        self._version: tuple[int, dt.date] | None = None
        self.hits = 0
        self.misses = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        replay = _replayer(body, receive)
        request = _graphql_request(body)
        document = (
            None
            if request is None
            else self._documents.get_or_compute(request[0], lambda: _document(request[0]))
        )
        operation = (
            None if document is None or request is None else document.operations.get(request[2])
        )
        watcher: DataVersionWatcher | None = getattr(scope["app"].state, "data_version", None)
        if watcher is None:  # no lifespan ran (no database opened): nothing to key by
            await self.app(scope, replay, send)
            return
        if operation is OperationType.MUTATION:
            await self.app(scope, replay, _invalidating(send, watcher))
            watcher.invalidate()
            return
        if operation is not OperationType.QUERY or request is None or document is None:
            await self.app(scope, replay, send)
            return
        role = await self._role(scope)
        if role is None:  # a token that was refused: the answer is an error
            await self.app(scope, replay, send)
            return
        try:
            version = (await watcher.current(), dt.datetime.now(dt.UTC).date())
        except Exception:
            await self.app(scope, replay, send)
            return
        if version != self._version:
            self.store.clear()  # every key of an older version is dead
            self._version = version
        key = (document.normalised, request[2], request[1], role, version)
        cached = self.store.get(key)
        if cached is not None:
            self.hits += 1
            await _serve_hit(scope, send, cached.body, cached.cost)
            return
        self.misses += 1
        captured = await _capture(self.app, scope, replay, send)
        recorded = (scope.get("state") or {}).get(COST_STATE)
        if captured is not None and _cacheable(captured) and isinstance(recorded, int):
            text = len(document.normalised) + len(request[1]) + len(request[2] or "")
            self.store.put(key, _Entry(captured, recorded), len(captured) + text + ENTRY_OVERHEAD)

    async def _role(self, scope: Scope) -> str | None:
        """The caller's role for the key: "anonymous" without a token, None when refused.

        The principal is left in ``scope["state"]`` for the GraphQL context (one lookup).
        """
        header = None
        for name, value in scope.get("headers") or ():
            if name == b"authorization":
                header = value.decode("latin-1")
        if header is None:
            return "anonymous"
        session_factory = scope["app"].state.session_factory
        principal, rejected = await principal_from_authorization(session_factory, header)
        scope.setdefault("state", {})[PRINCIPAL_STATE] = (principal, rejected)
        if rejected:
            return None
        return "anonymous" if principal is None else str(principal.role)


def _graphql_request(body: bytes) -> tuple[str, str, str | None] | None:
    """(query, canonical variables, operation name) of a single JSON request, else None."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    query, variables, name = data.get("query"), data.get("variables"), data.get("operationName")
    if not isinstance(query, str) or not isinstance(variables, dict | None):
        return None
    if not isinstance(name, str | None):
        return None
    return query, json.dumps(variables or {}, sort_keys=True, separators=(",", ":")), name


async def _serve_hit(scope: Scope, send: Send, cached: bytes, cost: int) -> None:
    refused = await _charge(scope, cost)
    if refused is not None:
        await _send_json(send, refused[0], "hit", status=429, retry_after=refused[1])
    else:
        await _send_json(send, cached, "hit")


async def _charge(scope: Scope, cost: int) -> tuple[bytes, int] | None:
    """Charge a cached answer to its client; the 429 body and ``Retry-After`` if refused."""
    state = scope["app"].state
    principal, _rejected = (scope.get("state") or {}).get(PRINCIPAL_STATE, (None, False))
    client = scope.get("client")
    refused = await charge_client(
        getattr(state, "rate_limiter", None),
        getattr(state, "settings", None),
        principal,
        client[0] if client else None,
        cost,
    )
    if refused is None:
        return None
    error, retry_after = refused
    return json.dumps(refusal_body(error)).encode(), retry_after


def _cacheable(body: bytes) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and not data.get("errors") and data.get("data") is not None


def _replayer(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _capture(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> bytes | None:
    """Run ``app``, passing its response on; the body when it was a plain 200 answer."""
    status = 0
    chunks: list[bytes] = []
    streamed = False

    async def capture(message: Message) -> None:
        nonlocal status, streamed
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = dict(message.get("headers") or [])
            streamed = headers.get(b"content-type", b"").split(b";")[0] != b"application/json"
            message["headers"] = [*message.get("headers", []), (b"x-mitra-cache", b"miss")]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
        await send(message)

    await app(scope, receive, capture)
    if status != 200 or streamed:
        return None
    return b"".join(chunks)


async def _send_json(
    send: Send, body: bytes, cache: str, *, status: int = 200, retry_after: int | None = None
) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-mitra-cache", cache.encode()),
    ]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def principal_from_scope(scope: Any) -> tuple[Any, bool] | None:
    """The (principal, rejected) pair the cache already looked up, if it did."""
    state = scope.get("state") if isinstance(scope, dict) else None
    return None if not state else state.get(PRINCIPAL_STATE)
