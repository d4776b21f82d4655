"""GraphiQL at /graphql in headless Chromium with every other host unreachable.

The browser context aborts any request that does not go to the live server, as on a
machine without internet; GraphiQL must still load and run a query.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING

from tests.e2e.conftest import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

QUERY = '{ district(code: "5302") { name } }'


def test_graphiql_runs_a_query_offline(page: Page, live_server: LiveServer, artifacts: Path):
    refused: list[str] = []

    def only_the_server(route: Route) -> None:
        url = route.request.url
        if url.startswith(live_server.url + "/"):
            route.continue_()
        else:
            refused.append(url)
            route.abort("internetdisconnected")

    page.context.route("**/*", only_the_server)
    page.goto(f"{live_server.url}/graphql?q={urllib.parse.quote(QUERY)}")
    page.wait_for_selector(".graphiql-execute-button", timeout=30_000)
    page.click(".graphiql-execute-button")
    response = page.locator(".graphiql-response")
    response.get_by_text("Timor Tengah Selatan").wait_for(timeout=30_000)
    assert '"name": "Kabupaten Timor Tengah Selatan"' in response.inner_text()
    page.screenshot(path=str(artifacts / "graphiql-offline.png"))
    assert refused == [], f"GraphiQL tried to reach other hosts: {refused}"
