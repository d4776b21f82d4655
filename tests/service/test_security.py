"""Security review items, one test each: tokens are looked up by hash and compared in
constant time; token secrets and hashes never reach the logs; the audit log is
append-only through the API; production refuses introspection and development secrets."""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLObjectType
from sqlalchemy import event, text
from starlette.testclient import TestClient

from schema import build_schema
from service import auth
from service.auth import Role, authenticate, hash_token
from service.db.session import make_async_engine, make_async_sessionmaker, make_engine
from service.server import tokens_cli
from service.server.app import create_app
from service.server.cli import main
from service.settings import Settings, async_url
from tests.schema.api_support import bearer, create_tokens_sync, seeded_database, settings_for
from tests.schema.test_auth_http import CREATE, partner_input

READ = '{ district(code: "53.02") { name } }'


@pytest.fixture(scope="module")
def api(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with seeded_database(tmp_path_factory.mktemp("security"), seed=settings.seed) as url:
        yield url, create_tokens_sync(url)


def test_tokens_are_looked_up_by_hash_and_compared_in_constant_time(
    api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, tokens = api
    plaintext = tokens[Role.VIEWER]
    # Same length and prefix, last character changed (a random token ends in "A" one
    # time in sixteen, so the replacement is chosen to differ).
    near = plaintext[:-1] + ("B" if plaintext.endswith("A") else "A")
    assert near != plaintext
    statements: list[str] = []
    compared: list[tuple[Any, Any]] = []
    real_compare = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real_compare(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)

    async def run() -> list[Any]:
        engine = make_async_engine(async_url(url))

        def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
            statements.append(f"{statement} {params!r}")

        event.listen(engine.sync_engine, "before_cursor_execute", record)
        try:
            async with make_async_sessionmaker(engine)() as session:
                return [
                    await authenticate(session, plaintext, touch=False),
                    await authenticate(session, near, touch=False),
                ]
        finally:
            await engine.dispose()

    found, near_miss = asyncio.run(run())
    digest = hash_token(plaintext)
    assert found is not None and found.role is Role.VIEWER and near_miss is None
    assert not any(plaintext in s for s in statements), "the plaintext never reaches the database"
    assert any(digest in s for s in statements), "the lookup is by the SHA-256 of the token"
    # The final check of the found row is hmac.compare_digest, on digests, not plaintext.
    assert compared == [(digest, digest)]


def test_token_secrets_and_hashes_never_reach_the_logs(
    settings: Settings, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    url, tokens = api
    # An operator turning everything up, SQL statements included.
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    out = io.StringIO()
    local = settings_for(settings, url)
    assert tokens_cli.create(local, owner="log-check", role="planner", out=out) == 0
    created = out.getvalue().strip().splitlines()[-1]
    assert created.startswith(auth.TOKEN_PREFIX)
    listing = io.StringIO()
    assert tokens_cli.list_(local, include_revoked=True, out=listing) == 0
    with TestClient(create_app(local)) as client:
        for token in (created, tokens[Role.VIEWER], auth.TOKEN_PREFIX + "x" * 43):
            client.post("/graphql", json={"query": READ}, headers=bearer(token))
    assert "sqlalchemy.engine" in caplog.text or "SELECT" in caplog.text, "SQL was logged"
    for token in (created, tokens[Role.VIEWER]):
        for secret in (token, hash_token(token)):
            assert secret not in caplog.text
            assert secret not in listing.getvalue()


def _mentions_audit(type_: Any, seen: set[str]) -> bool:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    if not isinstance(type_, GraphQLInputObjectType | GraphQLObjectType) or type_.name in seen:
        return False
    seen.add(type_.name)
    return "audit" in type_.name.lower() or any(
        "audit" in name.lower() or _mentions_audit(f.type, seen) for name, f in type_.fields.items()
    )


def test_the_audit_log_is_append_only_through_the_api(settings: Settings, api: Any) -> None:
    url, tokens = api
    mutation = build_schema(settings)._schema.mutation_type
    assert mutation is not None
    for name, field in mutation.fields.items():
        assert "audit" not in name.lower()
        for arg_name, arg in field.args.items():
            assert not _mentions_audit(arg.type, set()), f"{name}({arg_name}) reaches the audit log"

    engine = make_engine(url)
    query = text("SELECT * FROM audit_log ORDER BY id")
    try:
        with engine.connect() as conn:
            before = [tuple(r) for r in conn.execute(query)]
        admin = tokens[Role.ADMIN]
        with TestClient(create_app(settings_for(settings, url))) as client:

            def call(query: str, variables: dict[str, Any]) -> dict[str, Any]:
                body = client.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=bearer(admin)
                ).json()
                assert "errors" not in body, body
                payload: dict[str, Any] = next(iter(body["data"].values()))
                assert payload["userErrors"] == [], payload
                return payload

            partner = call(CREATE, partner_input("Yayasan Jejak"))["partner"]["id"]
            call(
                "mutation($i: UpdatePartnerInput!) { updatePartner(input: $i) "
                "{ userErrors { code } } }",
                {"i": {"partnerId": partner, "description": "diubah"}},
            )
            call(
                "mutation($i: ArchivePartnerInput!) { archivePartner(input: $i) "
                "{ userErrors { code } } }",
                {"i": {"partnerId": partner}},
            )
        with engine.connect() as conn:
            after = [tuple(r) for r in conn.execute(query)]
    finally:
        engine.dispose()
    assert after[: len(before)] == before, "no earlier entry was changed or removed"
    assert len(after) == len(before) + 3, "each accepted write appended its own entry"


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"MITRA_INTROSPECTION": "true"}, "MITRA_INTROSPECTION is on"),
        (
            {"DATABASE_URL": "postgresql://mitra:postgres@db/mitra"},
            "DATABASE_URL uses a development",
        ),
        ({"MITRA_REDIS_URL": "redis://:secret@cache:6379/0"}, "MITRA_REDIS_URL uses a development"),
    ],
)
def test_production_refuses_to_start_with_introspection_or_a_development_secret(
    env: dict[str, str],
    problem: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    production = {"MITRA_ENV": "production", **env}
    with pytest.raises(ValueError, match=problem):
        Settings.from_env(production, dotenv=tmp_path / "none.env")
    # The CLI (mitra serve, and every other command) stops with the reason ...
    for key, value in production.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    assert main(["models"]) == 2
    assert problem in capsys.readouterr().err
    # ... and so does an app built from such settings directly.
    unsafe = dataclasses.replace(
        Settings.from_env({}, dotenv=tmp_path / "none.env"),
        environment="production",
        introspection="MITRA_INTROSPECTION" in env,
        database_url=env.get("DATABASE_URL", "sqlite:///x.db"),
        redis_url=env.get("MITRA_REDIS_URL"),
    )
    with pytest.raises(ValueError, match=problem):
        create_app(unsafe)
    # A real secret and introspection off are accepted.
    safe = Settings.from_env(
        {"MITRA_ENV": "production", "DATABASE_URL": "postgresql://mitra:Kq8v-3xTz@db/mitra"},
        dotenv=tmp_path / "none.env",
    )
    assert safe.production and not safe.introspection
