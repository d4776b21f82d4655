"""The planner console: a static page at ``/`` that talks only to the public ``/graphql``.

No build step and nothing from a CDN: the HTML, CSS and ES modules in ``static/`` are
served as they are. :func:`routes` is mounted by ``service.server.app.create_app``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from service.domain.boundaries import BOUNDARY_FILE

if TYPE_CHECKING:
    from os import PathLike

    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import BaseRoute
    from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent / "static"

# Everything the page needs comes from this origin; the API is same-origin too.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidate so a new deployment's page is never mixed with an old script.
    "Cache-Control": "no-cache",
}


async def index(_request: Request) -> FileResponse:
    """The console's single page."""
    return FileResponse(
        STATIC_DIR / "index.html", media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS
    )


@lru_cache(maxsize=1)
def _boundary_bytes() -> tuple[bytes, bytes, str]:
    """The boundary file plain and gzipped (level 9), and its ETag; read once."""
    raw = BOUNDARY_FILE.read_bytes()
    return raw, gzip.compress(raw, compresslevel=9, mtime=0), hashlib.sha256(raw).hexdigest()[:32]


async def boundaries(request: Request) -> Response:
    """The district boundaries (TopoJSON, ~600 kB), gzipped (~200 kB) when the client accepts it."""
    raw, packed, digest = await run_in_threadpool(_boundary_bytes)
    etag = f'"{digest}"'
    headers = {
        "ETag": etag,
        "Vary": "Accept-Encoding",
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type="application/json", headers=headers)
    return Response(raw, media_type="application/json", headers=headers)


class _ConsoleStatic(StaticFiles):
    """Static files with the console's headers and a JavaScript type browsers accept for modules."""

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        if str(full_path).endswith(".js"):
            response.headers["content-type"] = "text/javascript; charset=utf-8"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-cache"
        return response


def routes() -> list[BaseRoute]:
    """Routes for the console: the page at ``/``, its assets under ``/static`` and the
    district boundaries (compressed) at ``/static/data/districts.topo.json``."""
    return [
        Route("/", index, methods=["GET", "HEAD"], name="console"),
        Route(
            "/static/data/districts.topo.json",
            boundaries,
            methods=["GET", "HEAD"],
            name="console-boundaries",
        ),
        Mount("/static", app=_ConsoleStatic(directory=STATIC_DIR), name="console-static"),
    ]
