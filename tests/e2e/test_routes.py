"""The console's routes, without a browser: the page, its assets and their headers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from service.server.web import STATIC_DIR, routes


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=Starlette(routes=routes()))
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as c:
        yield c


async def test_index_is_served_at_root_with_a_strict_policy(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/app.js">' in response.text
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/static/app.js", "text/javascript"),
        ("/static/i18n.js", "text/javascript"),
        ("/static/styles.css", "text/css"),
    ],
)
async def test_assets_are_served_with_their_types(
    client: httpx.AsyncClient, path: str, media_type: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)


async def test_unknown_asset_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/static/nope.js")).status_code == 404
    assert (await client.get("/static/%2e%2e/__init__.py")).status_code == 404


def test_nothing_is_loaded_from_another_origin() -> None:
    """No CDN, no web fonts, no tiles: every URL in the sources is relative or /graphql."""
    offenders = []
    for path in sorted(STATIC_DIR.iterdir()):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(
            r"""(?:src|href|url\(|from|import)\s*=?\s*["'(]?(https?:)?//""", text
        ):
            offenders.append(f"{path.name}: {text[match.start() : match.end() + 40]!r}")
    assert offenders == []


def test_every_translation_key_exists_in_both_languages() -> None:
    source = (STATIC_DIR / "i18n.js").read_text(encoding="utf-8")
    id_block, en_block = source.split("\n  en: {\n", 1)
    key = re.compile(r'^\s+"([\w.]+)":', re.MULTILINE)
    id_keys = set(key.findall(id_block))
    en_keys = set(key.findall(en_block))
    assert id_keys and id_keys == en_keys
    used: set[str] = set()
    for path in Path(STATIC_DIR).glob("*.*"):
        if path.name == "i18n.js":
            continue
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'data-i18n="([\w.]+)"', text))
        used |= set(re.findall(r'\bt\("([\w.]+)"', text))
    assert used - id_keys == set()
