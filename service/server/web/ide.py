"""GraphiQL at ``/graphql`` without the internet.

Strawberry's GraphiQL page loads React, GraphiQL and its explorer plugin from a CDN;
this module serves the same files, vendored byte for byte under ``graphiql/`` (see
``graphiql/VENDORED.md``), and rewrites the page to load them from ``/graphiql/``.
The page keeps its Subresource Integrity hashes, so a browser refuses a vendored file
that differs from the one Strawberry pins.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from strawberry.http.ides import get_graphql_ide_html

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

ASSETS_DIR = Path(__file__).resolve().parent / "graphiql"
MOUNT = "/graphiql"
CDN = re.compile(r"https://unpkg\.com/")


@cache
def graphiql_html() -> str:
    """Strawberry's GraphiQL page with every CDN address pointing at :data:`MOUNT`."""
    return CDN.sub(f"{MOUNT}/", get_graphql_ide_html("graphiql"))


def asset_paths(html: str) -> list[str]:
    """The ``/graphiql/...`` files a page loads (``src`` and ``href`` attributes)."""
    return re.findall(rf'(?:src|href)="{MOUNT}/([^"]+)"', html)


def routes() -> list[BaseRoute]:
    """The vendored files under ``/graphiql``."""
    return [Mount(MOUNT, app=StaticFiles(directory=ASSETS_DIR), name="graphiql-assets")]
