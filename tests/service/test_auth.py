"""Tokens, roles and principals (service.auth) and the token CLI functions."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service import auth
from service.auth import Forbidden, Principal, Role, Unauthenticated
from service.db.migrate import upgrade
from service.db.models import ApiToken
from service.db.session import make_async_engine, make_async_sessionmaker, make_engine
from service.server import tokens_cli
from service.settings import Settings
from tests.service import writes_support as support
from tests.service.writes_support import scratch_database

asession = support.asession

pytestmark = pytest.mark.filterwarnings("error")


def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def test_roles_are_ordered() -> None:
    assert Role.ADMIN.includes(Role.PLANNER) and Role.ADMIN.includes("viewer")
    assert Role.PLANNER.includes(Role.VIEWER) and Role.PLANNER.includes(Role.PLANNER)
    assert not Role.VIEWER.includes(Role.PLANNER)
    assert not Role.PLANNER.includes(Role.ADMIN)
    assert sorted(Role, key=lambda r: r.rank) == [Role.VIEWER, Role.PLANNER, Role.ADMIN]


def test_require() -> None:
    planner = Principal(owner="ana", role=Role.PLANNER, token_id=1)
    assert auth.require(planner, Role.VIEWER) is planner
    assert auth.require(planner, "planner") is planner
    with pytest.raises(Forbidden) as forbidden:
        auth.require(planner, Role.ADMIN)
    assert forbidden.value.code == "FORBIDDEN"
    with pytest.raises(Unauthenticated) as missing:
        auth.require(None, Role.VIEWER)
    assert missing.value.code == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("Basic abc", None),
        ("Bearer", None),
        ("Bearer ", None),
    ],
)
def test_parse_bearer(header: str | None, expected: str | None) -> None:
    assert auth.parse_bearer(header) == expected


@given(st.one_of(st.none(), st.text(max_size=300)))
def test_parse_bearer_never_raises(header: str | None) -> None:
    result = auth.parse_bearer(header)
    assert result is None or (result and result == result.strip())


@given(st.text(max_size=300))
def test_clean_owner_accepts_or_raises_value_error(owner: str) -> None:
    try:
        cleaned = auth.clean_owner(owner)
    except ValueError:
        return
    assert cleaned == cleaned.strip() and 1 <= len(cleaned) <= auth.MAX_OWNER_LENGTH


async def test_create_and_authenticate(asession: AsyncSession) -> None:
    row, plaintext = await auth.create_token(asession, owner="  Dinas Kesehatan  ", role="planner")
    assert plaintext.startswith(auth.TOKEN_PREFIX) and len(plaintext) >= 40
    assert row.owner == "Dinas Kesehatan" and row.role == "planner"
    assert row.prefix == plaintext[: auth.PREFIX_LENGTH]
    # Only the hash is stored, never the token.
    assert row.token_hash == auth.hash_token(plaintext) and plaintext not in row.token_hash
    stored = (await asession.scalars(select(ApiToken.token_hash))).all()
    assert plaintext not in stored

    principal = await auth.authenticate(asession, plaintext)
    assert principal == Principal(owner="Dinas Kesehatan", role=Role.PLANNER, token_id=row.id)
    assert row.last_used_at is not None


async def test_unknown_or_mangled_tokens_fail(asession: AsyncSession) -> None:
    _, plaintext = await auth.create_token(asession, owner="ana", role="viewer")
    for candidate in (
        None,
        "",
        plaintext[:-1],
        plaintext + "x",
        plaintext.upper(),
        "mitra_" + "A" * 43,
        "x" * 10_000,
    ):
        assert await auth.authenticate(asession, candidate) is None


async def test_revoked_tokens_fail(asession: AsyncSession) -> None:
    row, plaintext = await auth.create_token(asession, owner="ana", role="admin")
    other, other_plain = await auth.create_token(asession, owner="budi", role="viewer")
    revoked = await auth.revoke_token(asession, token_id=row.id)
    assert revoked is not None and revoked.revoked_at is not None
    assert await auth.authenticate(asession, plaintext) is None
    assert await auth.authenticate(asession, other_plain) is not None
    assert await auth.revoke_token(asession, token_id=row.id) is None  # already revoked
    live = [t.id for t in await auth.list_tokens(asession)]
    assert other.id in live and row.id not in live
    assert row.id in [t.id for t in await auth.list_tokens(asession, include_revoked=True)]
    assert (await auth.revoke_token(asession, prefix=other.prefix)) is other
    with pytest.raises(ValueError):
        await auth.revoke_token(asession)


async def test_last_used_is_refreshed_at_most_once_a_minute(asession: AsyncSession) -> None:
    row, plaintext = await auth.create_token(asession, owner="ana", role="viewer")
    await auth.authenticate(asession, plaintext)
    first = row.last_used_at
    assert first is not None
    await auth.authenticate(asession, plaintext)
    assert row.last_used_at == first
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    row.last_used_at = stale
    await auth.authenticate(asession, plaintext, touch=False)
    assert row.last_used_at == stale
    await auth.authenticate(asession, plaintext)
    assert row.last_used_at is not None and row.last_used_at >= first


def test_bad_role_or_owner_is_refused() -> None:
    with pytest.raises(ValueError):
        Role("root")
    with pytest.raises(ValueError):
        auth.clean_owner("\x00ana")
    with pytest.raises(ValueError):
        auth.clean_owner("   ")


def test_authenticate_never_raises_on_random_input(tmp_path: Path) -> None:
    """Whatever arrives in the Authorization header, authenticate answers None or a principal."""
    url = f"sqlite:///{tmp_path / 'auth.db'}"
    _migrate(url)
    runner = asyncio.Runner()
    engine = make_async_engine(url.replace("sqlite:", "sqlite+aiosqlite:"))
    factory = make_async_sessionmaker(engine)

    async def check(candidate: str) -> None:
        async with factory() as session, session.begin():
            assert await auth.authenticate(session, candidate) is None

    @hsettings(max_examples=150, deadline=None)
    @given(st.one_of(st.text(max_size=250), st.text(max_size=60).map(lambda s: "mitra_" + s)))
    def prop(candidate: str) -> None:
        runner.run(check(candidate))

    try:
        prop()
    finally:
        runner.run(engine.dispose())
        runner.close()


def test_token_cli_create_list_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with scratch_database(tmp_path) as url:
        _migrate(url)
        settings = Settings(database_url=url, environment="test")
        out = io.StringIO()
        assert tokens_cli.create(settings, owner="Bappeda NTT", role="planner", out=out) == 0
        lines = out.getvalue().splitlines()
        plaintext = lines[-1]
        assert plaintext.startswith("mitra_") and "planner" in lines[0]

        out = io.StringIO()
        assert tokens_cli.list_(settings, out=out) == 0
        listing = out.getvalue()
        assert "Bappeda NTT" in listing and plaintext not in listing
        assert plaintext[: auth.PREFIX_LENGTH] in listing

        assert tokens_cli.create(settings, owner="x", role="root", out=io.StringIO()) == 2
        assert (
            tokens_cli.revoke(settings, prefix=plaintext[: auth.PREFIX_LENGTH], out=io.StringIO())
            == 0
        )
        assert (
            tokens_cli.revoke(settings, prefix=plaintext[: auth.PREFIX_LENGTH], out=io.StringIO())
            == 1
        )

        out = io.StringIO()
        tokens_cli.list_(settings, out=out)
        assert "Bappeda NTT" not in out.getvalue()
        out = io.StringIO()
        tokens_cli.list_(settings, include_revoked=True, out=out)
        assert "Bappeda NTT" in out.getvalue()
        assert "revoke" in capsys.readouterr().err
