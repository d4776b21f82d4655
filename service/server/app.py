"""The ASGI application: ``create_app(settings)``.

The lifespan opens the async engine and the session factory and creates the runtime
recommender (:class:`service.domain.recommending.Recommender`); ``/graphql`` serves the
schema with a fresh context per request; ``/healthz`` reports liveness and ``/readyz``
readiness (:mod:`service.server.health`); ``/`` is the planner console
(:mod:`service.server.web`), ``/graphiql`` GraphiQL's own files
(:mod:`service.server.web.ide`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from schema import build_schema
from schema.availability import DATABASE_UNAVAILABLE, is_database_unavailable, unavailable_error
from schema.context import Context, build_context
from schema.dataloaders import make_loaders
from schema.permissions import principal_from_authorization
from schema.ratelimit import RATE_LIMITED
from schema.reference import ReferenceCache
from service.db.data_version import DataVersionWatcher
from service.db.session import make_async_engine, make_async_sessionmaker
from service.domain.recommending import Recommender
from service.ratelimit import make_rate_limiter
from service.server.exports import routes as export_routes
from service.server.health import healthz, readyz
from service.server.logs import configure_logging
from service.server.memory import fix_mmap_threshold
from service.server.result_cache import ResultCache, principal_from_scope
from service.server.web import routes as console_routes
from service.server.web.ide import graphiql_html
from service.server.web.ide import routes as graphiql_routes
from service.settings import Settings

if TYPE_CHECKING:
    from starlette.datastructures import Headers
    from starlette.responses import Response
    from starlette.types import ASGIApp, Message, Receive, Scope, Send
    from starlette.websockets import WebSocket
    from strawberry.schema import BaseSchema

    from service.auth import Principal

log = logging.getLogger("mitra.app")
T = TypeVar("T")


class BodySizeLimit:
    """Refuse HTTP request bodies above ``max_bytes`` with 413, before the app reads them."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        # No (or an honest) Content-Length: read up to the limit, then replay the body.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {
                "errors": [
                    {
                        "message": f"request body larger than {self.max_bytes} bytes",
                        "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                    }
                ]
            },
            status_code=413,
        )
        await response(scope, receive, send)


class MitraGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with our per-request :class:`Context`."""

    def __init__(self, schema: BaseSchema, settings: Settings, **kwargs: Any) -> None:
        super().__init__(schema, **kwargs)
        self.settings = settings

    @property
    def graphql_ide_html(self) -> str:
        # GraphiQL from this service's own files (service/server/web/ide.py), never a CDN.
        return graphiql_html()

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = request.app.state
        known = principal_from_scope(request.scope)  # looked up by the result cache
        header = request.headers.get("authorization")

        async def look_up() -> tuple[Principal | None, bool]:
            return await principal_from_authorization(state.session_factory, header)

        # Lost twice, the error reaches the app's handler: 503, without the driver's words.
        principal, rejected = known if known is not None else await _read_with_retry(look_up)
        reference, failure = None, None
        try:
            reference = await state.reference.get(await state.data_version.current())
        except Exception as exc:
            failure = exc
        context = build_context(
            state.session_factory,
            self.settings,
            reference=reference,
            recommender=state.recommender,
            request=request if isinstance(request, Request) else None,
            response=response,
            principal=principal,
            token_rejected=rejected,
            rate_limiter=state.rate_limiter,
        )
        context.reference_error = failure
        return context

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Run the operation; a query that lost its database connection runs once more.

        Reads are idempotent, so a connection the server ended (restart, failover,
        ``pg_terminate_backend``) costs the client nothing. Mutations are never re-run:
        the first attempt may have committed before the connection dropped.
        """
        result = await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )
        if _lost_connection(result) and _is_query(request_data):
            log.warning("database connection lost during a query: running it once more")
            # fresh loaders: none of the first attempt's failures
            context.loaders = make_loaders(context.session_factory, lambda: context.reference)
            sub_response.status_code = None  # the 503 of the first attempt
            result = await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        return result

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        """Status 429 with ``Retry-After`` for an operation refused by the rate limit."""
        response = super().create_response(response_data, sub_response)
        retry_after = _rate_limited(response_data)
        if retry_after is not None:
            response.status_code = 429
            response.headers["Retry-After"] = str(retry_after)
        return response


async def _read_with_retry(read: Callable[[], Awaitable[T]]) -> T:
    """A read that lost its database connection, run once more (the pool replaces it)."""
    try:
        return await read()
    except (OperationalError, InterfaceError) as exc:
        if not is_database_unavailable(exc):
            raise
        log.warning("database connection lost during a read: running it once more")
    return await read()


def _lost_connection(result: ExecutionResult) -> bool:
    return any(
        (error.extensions or {}).get("code") == DATABASE_UNAVAILABLE
        for error in result.errors or ()
    )


def _is_query(request_data: GraphQLRequestData) -> bool:
    try:
        document = parse(request_data.query or "")
    except GraphQLError:
        return False
    operation = get_operation_ast(document, request_data.operation_name)
    return operation is not None and operation.operation == OperationType.QUERY


def _rate_limited(response_data: Any) -> int | None:
    """The ``retryAfter`` of a RATE_LIMITED error in a GraphQL response, if there is one."""
    if not isinstance(response_data, dict):
        return None
    for error in response_data.get("errors") or ():
        extensions = error.get("extensions") or {}
        if extensions.get("code") == RATE_LIMITED:
            return int(extensions.get("retryAfter", 1))
    return None


async def database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    """A database error that escaped a route (e.g. reading the caller's token): 503,
    in the GraphQL error shape, without the driver's text."""
    log.warning("database unavailable: %s", exc)
    return JSONResponse({"errors": [unavailable_error().formatted]}, status_code=503)


class StrictCORS(CORSMiddleware):
    """Starlette's CORS middleware, except that a refused preflight carries no
    ``Access-Control-*`` header at all: nothing about the policy is told to an origin
    that is not on the list."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 200:
            for name in [k for k in response.headers if k.lower().startswith("access-control-")]:
                del response.headers[name]
        return response


class WorkerHeader:
    """Adds ``X-Mitra-Worker: <process id>`` to every HTTP response.

    With several uvicorn workers (or replicas) it tells operators, and the multi-worker
    test, which process answered.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_worker(message: Any) -> None:
            if message["type"] == "http.response.start":
                worker = (b"x-mitra-worker", str(os.getpid()).encode())
                message["headers"] = [*message.get("headers", []), worker]
            await send(message)

        await self.app(scope, receive, send_with_worker)


def create_app(settings: Settings) -> Starlette:
    """The Starlette application for ``settings``; the database opens in the lifespan.

    Raises ValueError for production settings that must not serve
    (:meth:`Settings.check_production`).
    """
    settings.check_production()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Rebuilt feature matrices must go back to the system when freed (memory.py).
        fix_mmap_threshold()
        engine = make_async_engine(
            settings.async_database_url,
            pool_pre_ping=True,
            statement_timeout_ms=settings.statement_timeout_ms,
        )
        app.state.settings = settings
        app.state.engine = engine
        app.state.session_factory = make_async_sessionmaker(engine)
        url = engine.url
        sqlite = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
        app.state.data_version = DataVersionWatcher(
            app.state.session_factory, sqlite_path=url.database if sqlite else None
        )
        listener = None
        if url.get_backend_name() == "postgresql":  # a write on any host: at once
            conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
            listener = asyncio.create_task(app.state.data_version.listen(conninfo))
        app.state.reference = ReferenceCache(app.state.session_factory)
        try:  # load it now, before the freeze below; else the first request does
            await app.state.reference.get(await app.state.data_version.current())
        except Exception:  # the database may come up later; /healthz will say so
            log.warning("reference data not loaded at start-up", exc_info=True)
        # The runtime recommender: loads the active model (or the transparent fallback)
        # on first use and picks up newly activated versions and data changes.
        app.state.recommender = Recommender(
            app.state.session_factory, settings, data_version=app.state.data_version.current
        )
        app.state.rate_limiter = make_rate_limiter(
            settings.redis_url, database_url=settings.database_url
        )
        # Everything alive now (modules, the schema, SQLAlchemy's mappers) lives as long
        # as the process: move it out of the collector's sight, so full collections do
        # not walk hundreds of thousands of objects every few requests.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
            await app.state.rate_limiter.close()
            await engine.dispose()

    ide = not settings.production
    graphql: Any = MitraGraphQL(
        build_schema(settings),
        settings,
        graphql_ide="graphiql" if ide else None,
    )
    if settings.result_cache:
        graphql = ResultCache(graphql, max_bytes=settings.result_cache_bytes)
    app = Starlette(
        routes=[
            *console_routes(),
            *export_routes(),
            *(graphiql_routes() if ide else []),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/graphql", graphql, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
        exception_handlers={
            OperationalError: database_unavailable,
            InterfaceError: database_unavailable,
        },
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(WorkerHeader)
    # Outermost, so refusals by the inner layers (413) carry the CORS headers too.
    # No credentials: clients send a bearer token, never cookies.
    app.add_middleware(
        StrictCORS,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
        allow_credentials=False,
        max_age=600,
    )
    return app


def create_app_from_env() -> Starlette:
    """``create_app`` with settings from the environment: uvicorn's ``--factory`` target
    (``uvicorn --factory service.server.app:create_app_from_env --workers 2``)."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)  # each worker process sets up its own logging
    return create_app(settings)
