"""The planner console: a static page at ``/`` that talks only to the public ``/graphql``.

No build step and nothing from a CDN: the HTML, CSS and ES modules in ``static/`` are
served as they are. :func:`routes` is mounted by ``service.server.app.create_app``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.responses import FileResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

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
    """Routes for the console: the page at ``/`` and its assets under ``/static``."""
    return [
        Route("/", index, methods=["GET", "HEAD"], name="console"),
        Mount("/static", app=_ConsoleStatic(directory=STATIC_DIR), name="console-static"),
    ]
