"""The boundary choropleth in headless Chromium: polygons from the boundary file, the
three measures, hatched imputed figures, province outlines, zoom and attribution.

Expected values come from the boundary file and /graphql, never from the page's code.
"""

from __future__ import annotations

import gzip
import json
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.domain.boundaries import BOUNDARY_FILE
from tests.e2e.conftest import LiveServer, PageRecord
from tests.e2e.test_console import open_console

if TYPE_CHECKING:
    from playwright.sync_api import Page

TOPOLOGY = json.loads(BOUNDARY_FILE.read_text(encoding="utf-8"))


def fills(page: Page) -> dict[str, str]:
    result: dict[str, str] = page.eval_on_selector_all(
        "#map path.district",
        "ps => Object.fromEntries(ps.map(p => [p.dataset.code, p.getAttribute('fill')]))",
    )
    return result


def districts_from_api(server: LiveServer) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        body = server.graphql(
            """query($after: String) { districts(first: 100, after: $after) {
                 pageInfo { hasNextPage endCursor }
                 nodes { code latestStuntingPrevalence { value imputed } committedPartnerCount }
               } }""",
            {"after": after},
        )
        page = body["data"]["districts"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def test_every_district_is_a_polygon_from_the_boundary_file(
    page: Page, live_server: LiveServer, record: PageRecord, artifacts: Path
) -> None:
    expected = {
        g["properties"]["district_code"] for g in TOPOLOGY["objects"]["districts"]["geometries"]
    }
    provinces = {
        g["properties"]["province_code"] for g in TOPOLOGY["objects"]["provinces"]["geometries"]
    }
    assert len(expected) == 514 and len(provinces) == 38
    open_console(page, live_server)
    codes = page.eval_on_selector_all("#map path.district", "ps => ps.map(p => p.dataset.code)")
    assert len(codes) == 514 and set(codes) == expected
    assert page.get_attribute("body", "data-map-ready") == "514"
    outlines = page.eval_on_selector_all(
        "#map path.province-outline", "ps => ps.map(p => p.dataset.province)"
    )
    assert sorted(outlines) == sorted(provinces)
    # Each path has real geometry: at least a triangle's worth of points.
    lengths = page.eval_on_selector_all(
        "#map path.district", "ps => ps.map(p => p.getAttribute('d').split('L').length)"
    )
    assert min(lengths) >= 3
    # Kepulauan Seribu gets a point marker as well as its islet.
    assert page.locator('#map circle.district-marker[data-code="31.01"]').count() == 1
    # The boundary file came from this origin, compressed.
    assert any(u.endswith("/static/data/districts.topo.json") for u in record.requests)
    attribution = page.inner_text("#attribution")
    assert "CC BY 3.0 IGO" in attribution and "OCHA" in attribution
    page.screenshot(path=str(artifacts / "console-choropleth.png"), full_page=False)
    # The map and its legend alone (docs/img/map.png in the README is a copy of this one).
    page.locator(".map-wrap").screenshot(path=str(artifacts / "map.png"))


def test_colour_follows_the_chosen_measure(page: Page, live_server: LiveServer) -> None:
    open_console(page, live_server)
    by_prevalence = fills(page)
    page.select_option("#f-colour", "coverage")
    by_coverage = fills(page)
    page.select_option("#f-colour", "need")
    by_need = fills(page)
    changed = sum(1 for code in by_prevalence if by_prevalence[code] != by_coverage[code])
    assert changed > 400, changed
    assert sum(1 for c in by_prevalence if by_prevalence[c] != by_need[c]) > 100
    # Need versus response: a high-need district without committed partners has the
    # strong magenta corner colour; the legend shows the 3 x 3 grid.
    nodes = districts_from_api(live_server)
    high_alone = [
        n["code"]
        for n in nodes
        if n["latestStuntingPrevalence"]
        and not n["latestStuntingPrevalence"]["imputed"]
        and n["latestStuntingPrevalence"]["value"] >= 30
        and n["committedPartnerCount"] == 0
    ]
    assert high_alone, "the seeded data should have a high-need district with no commitment"
    assert {by_need[c] for c in high_alone} == {"#be64ac"}
    assert page.locator("#legend-body table.bivariate td .swatch").count() == 9
    page.select_option("#f-colour", "prevalence")
    assert fills(page) == by_prevalence


def test_imputed_figures_are_hatched(page: Page, live_server: LiveServer, artifacts: Path) -> None:
    nodes = districts_from_api(live_server)
    imputed = {n["code"] for n in nodes if (n["latestStuntingPrevalence"] or {}).get("imputed")}
    published = {n["code"] for n in nodes if n["latestStuntingPrevalence"]} - imputed
    assert imputed and published
    open_console(page, live_server)
    paths = fills(page)
    assert all(paths[c].startswith("url(#hatch-") for c in imputed)
    assert not any(paths[c].startswith("url(") for c in published)
    pattern = paths[sorted(imputed)[0]].removeprefix("url(#").removesuffix(")")
    assert page.locator(f"#map defs pattern#{pattern} line").count() == 1
    assert page.locator("#legend-body .swatch.hatched").count() == 1
    # Hatching is kept under the need measure and dropped under coverage (a count, not a figure).
    page.select_option("#f-colour", "coverage")
    assert not any(v.startswith("url(") for v in fills(page).values())


def test_zoom_to_a_province_and_back(page: Page, live_server: LiveServer, artifacts: Path) -> None:
    open_console(page, live_server)
    full = page.get_attribute("#map", "viewBox")
    page.select_option("#f-province", "53")
    page.wait_for_selector('#map[data-zoom="53"]')
    zoomed = page.get_attribute("#map", "viewBox")
    assert zoomed != full
    width = float((zoomed or "").split()[2])
    assert width < float((full or "").split()[2]) / 4
    assert page.is_visible("#zoom-out")
    page.screenshot(path=str(artifacts / "console-zoom-53.png"), full_page=False)
    page.click("#zoom-out")
    page.wait_for_selector('#map[data-zoom=""]')
    assert page.get_attribute("#map", "viewBox") == full
    assert page.input_value("#f-province") == ""


def test_keyboard_reaches_a_polygon_and_opens_it(page: Page, live_server: LiveServer) -> None:
    open_console(page, live_server)
    page.locator('#map path[data-code="53.02"]').focus()
    page.keyboard.press("ArrowUp")
    focused = page.evaluate("document.activeElement.dataset.code")
    assert focused and focused != "53.02"
    tooltip = page.locator("#tooltip")
    tooltip.wait_for(state="visible")
    page.keyboard.press("Enter")
    page.wait_for_selector(f'article.district[data-code="{focused}"]')


def test_boundary_file_is_served_gzipped(live_server: LiveServer) -> None:
    url = f"{live_server.url}/static/data/districts.topo.json"
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        packed = response.read()
        etag = response.headers["ETag"]
    assert len(packed) < 260_000
    assert gzip.decompress(packed) == BOUNDARY_FILE.read_bytes()
    plain = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    with urllib.request.urlopen(plain, timeout=30) as response:
        assert response.headers.get("Content-Encoding") is None
        assert response.read() == BOUNDARY_FILE.read_bytes()
    again = urllib.request.Request(url, headers={"If-None-Match": etag})
    try:
        urllib.request.urlopen(again, timeout=30)
        raise AssertionError("expected 304 Not Modified")
    except urllib.error.HTTPError as exc:
        assert exc.code == 304
