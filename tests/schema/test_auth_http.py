"""Access control and hardening through HTTP: bearer tokens, roles, reads policy, limits,
GET refusing mutations, production masking. Runs on a seeded database of its own,
because accepted mutations commit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from service.auth import Role, revoke_token
from service.db.session import make_async_engine, make_async_sessionmaker
from service.domain import writes
from service.server.app import create_app
from service.settings import Settings, async_url
from tests.schema.api_support import (
    bearer,
    count_rows_sync,
    create_tokens_sync,
    seeded_database,
    settings_for,
)

CREATE = """
mutation Create($input: CreatePartnerInput!) {
  createPartner(input: $input) {
    partner { id name kind scope interventionAreas }
    userErrors { field message code }
  }
}"""
AUDIT = """
query Audit($filter: AuditLogFilter, $first: Int) {
  auditLog(filter: $filter, first: $first) {
    totalCount
    nodes { actor role action entityType entityId entityGlobalId at summary }
  }
}"""
PARTNER = "query P($id: ID!) { partner(id: $id) { name archived } }"
READ = '{ district(code: "53.02") { name } }'


def partner_input(name: str) -> dict[str, Any]:
    return {
        "input": {
            "name": name,
            "kind": "FOUNDATION",
            "scope": "LOCAL",
            "interventionAreas": ["FOOD_SUPPLEMENTATION", "WASH"],
            "districtCodes": ["53.02"],
        }
    }


@pytest.fixture(scope="module")
def api(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[Role, str]]]:
    with seeded_database(tmp_path_factory.mktemp("auth-http"), seed=settings.seed) as url:
        yield url, create_tokens_sync(url)


@pytest.fixture(scope="module")
def client(settings: Settings, api: tuple[str, dict[Role, str]]) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(settings, api[0]))) as test_client:
        yield test_client


@pytest.fixture
def tokens(api: tuple[str, dict[Role, str]]) -> dict[Role, str]:
    return api[1]


def post(client: TestClient, query: str, variables: Any = None, token: str | None = None) -> Any:
    response = client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers=bearer(token) if token else {},
    )
    assert response.status_code == 200, response.text
    return response.json()


def codes(body: Any) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def test_create_partner_without_token_is_unauthenticated(client: TestClient, api: Any):
    before = count_rows_sync(api[0])
    body = post(client, CREATE, partner_input("Yayasan Tanpa Token"))
    assert codes(body) == ["UNAUTHENTICATED"]
    assert body["data"] is None
    assert count_rows_sync(api[0]) == before


def test_create_partner_as_viewer_is_forbidden(client: TestClient, api: Any, tokens: Any):
    before = count_rows_sync(api[0])
    body = post(client, CREATE, partner_input("Yayasan Penonton"), tokens[Role.VIEWER])
    assert codes(body) == ["FORBIDDEN"]
    assert "planner" in body["errors"][0]["message"]
    assert count_rows_sync(api[0]) == before


@pytest.mark.parametrize(
    "header",
    ["Bearer mitra_not-a-real-token", "Bearer garbage", "Bearer " + "x" * 500],
)
def test_unknown_token_is_unauthenticated_even_for_open_reads(client: TestClient, header: str):
    for query in (READ, CREATE):
        response = client.post(
            "/graphql",
            json={"query": query, "variables": partner_input("Yayasan Palsu")},
            headers={"Authorization": header},
        )
        assert codes(response.json()) == ["UNAUTHENTICATED"]


def test_planner_creates_partner_and_audit_log_names_the_owner(
    client: TestClient, tokens: Any, api: Any
):
    before = count_rows_sync(api[0])
    body = post(client, CREATE, partner_input("Yayasan Gizi Sumba"), tokens[Role.PLANNER])
    assert "errors" not in body, body
    payload = body["data"]["createPartner"]
    assert payload["userErrors"] == []
    partner = payload["partner"]
    assert partner["name"] == "Yayasan Gizi Sumba"
    assert sorted(partner["interventionAreas"]) == ["FOOD_SUPPLEMENTATION", "WASH"]
    after = count_rows_sync(api[0])
    assert after["partner"] == before["partner"] + 1
    assert after["audit_log"] == before["audit_log"] + 1

    # The partner is there for anyone to read (reads are open by default) ...
    read = post(client, PARTNER, {"id": partner["id"]})
    assert read["data"]["partner"] == {"name": "Yayasan Gizi Sumba", "archived": False}
    # ... and the audit log, for admins only, names the token's owner.
    audit = post(
        client, AUDIT, {"filter": {"action": "createPartner"}, "first": 5}, tokens[Role.ADMIN]
    )
    assert "errors" not in audit, audit
    entry = next(
        n for n in audit["data"]["auditLog"]["nodes"] if n["entityGlobalId"] == partner["id"]
    )
    assert entry["actor"] == "planner-owner"
    assert entry["role"] == "planner"
    assert entry["entityType"] == "Partner"
    assert entry["summary"]["name"] == "Yayasan Gizi Sumba"
    assert entry["at"]
    for role in (Role.PLANNER, Role.VIEWER):
        assert codes(post(client, AUDIT, {}, tokens[role])) == ["FORBIDDEN"]
    assert codes(post(client, AUDIT, {})) == ["UNAUTHENTICATED"]


def test_archive_needs_planner(client: TestClient, tokens: Any):
    created = post(client, CREATE, partner_input("Yayasan Arsip"), tokens[Role.PLANNER])
    partner_id = created["data"]["createPartner"]["partner"]["id"]
    archive = (
        "mutation A($id: ID!) { archivePartner(input: {partnerId: $id}) "
        "{ partner { archived } userErrors { field code } } }"
    )
    assert codes(post(client, archive, {"id": partner_id}, tokens[Role.VIEWER])) == ["FORBIDDEN"]
    assert codes(post(client, archive, {"id": partner_id})) == ["UNAUTHENTICATED"]
    assert post(client, PARTNER, {"id": partner_id})["data"]["partner"]["archived"] is False
    body = post(client, archive, {"id": partner_id}, tokens[Role.PLANNER])
    assert body["data"]["archivePartner"] == {"partner": {"archived": True}, "userErrors": []}


def test_reads_open_by_default_and_closed_when_configured(
    settings: Settings, api: Any, tokens: Any, client: TestClient
):
    assert post(client, READ)["data"]["district"]["name"]
    closed = settings_for(settings, api[0], reads_require_token=True)
    with TestClient(create_app(closed)) as closed_client:
        body = post(closed_client, READ)
        assert codes(body) == ["UNAUTHENTICATED"] and body["data"] is None
        assert post(closed_client, READ, token=tokens[Role.VIEWER])["data"]["district"]["name"]
        assert codes(post(closed_client, "{ __schema { queryType { name } } }")) == [
            "UNAUTHENTICATED"
        ]


def test_settings_read_the_reads_policy_from_the_environment():
    assert Settings.from_env({}, dotenv=Path("/nonexistent")).reads_require_token is False
    env = {"MITRA_READS_REQUIRE_TOKEN": "true"}
    assert Settings.from_env(env, dotenv=Path("/nonexistent")).reads_require_token is True


def test_revoked_token_is_unauthenticated(client: TestClient, api: Any):
    token = create_tokens_sync(api[0])[Role.PLANNER]
    assert "errors" not in post(client, READ, token=token)

    async def revoke() -> None:
        engine = make_async_engine(async_url(api[0]))
        try:
            async with make_async_sessionmaker(engine)() as session, session.begin():
                assert await revoke_token(session, prefix=token[:14]) is not None
        finally:
            await engine.dispose()

    asyncio.run(revoke())
    assert codes(post(client, READ, token=token)) == ["UNAUTHENTICATED"]


def test_mutations_are_refused_over_get(client: TestClient, tokens: Any, api: Any):
    before = count_rows_sync(api[0])
    query = (
        'mutation { archivePartner(input: {partnerId: "UGFydG5lcjox"}) { userErrors { code } } }'
    )
    response = client.get("/graphql", params={"query": query}, headers=bearer(tokens[Role.ADMIN]))
    assert response.status_code in (400, 405)
    assert count_rows_sync(api[0]) == before


def test_alias_limit_applies_to_mutations(
    client: TestClient, tokens: Any, api: Any, settings: Settings
):
    before = count_rows_sync(api[0])
    fields = " ".join(
        f'm{i}: createPartner(input: {{name: "Yayasan Alias {i}", kind: NGO, scope: LOCAL}}) '
        "{ userErrors { code } }"
        for i in range(settings.max_aliases + 1)
    )
    body = post(client, f"mutation {{ {fields} }}", token=tokens[Role.PLANNER])
    assert body["data"] is None and "aliases" in body["errors"][0]["message"]
    assert count_rows_sync(api[0]) == before


def test_audit_log_page_size_is_capped(client: TestClient, tokens: Any):
    body = post(client, AUDIT, {"first": 1000}, tokens[Role.ADMIN])
    assert codes(body) == ["BAD_USER_INPUT"]


def test_body_size_cap_applies_to_mutations(settings: Settings, api: Any, tokens: Any):
    small = settings_for(settings, api[0], max_body_bytes=1_000)
    before = count_rows_sync(api[0])
    with TestClient(create_app(small)) as small_client:
        variables = partner_input("Yayasan Besar")
        variables["input"]["description"] = "x" * 2_000
        response = small_client.post(
            "/graphql",
            json={"query": CREATE, "variables": variables},
            headers=bearer(tokens[Role.PLANNER]),
        )
        assert response.status_code == 413
    assert count_rows_sync(api[0]) == before


def test_production_keeps_access_codes_and_masks_internal_errors(
    settings: Settings,
    api: Any,
    tokens: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
):
    prod = settings_for(settings, api[0], environment="production", introspection=False)

    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError('SELECT * FROM partner -- psycopg said: relation "secret"')

    with TestClient(create_app(prod)) as prod_client:
        body = post(prod_client, CREATE, partner_input("Yayasan Produksi"))
        assert codes(body) == ["UNAUTHENTICATED"]
        assert "bearer token" in body["errors"][0]["message"]
        body = post(prod_client, CREATE, partner_input("Yayasan Produksi"), tokens[Role.VIEWER])
        assert codes(body) == ["FORBIDDEN"]
        monkeypatch.setattr(writes, "create_partner", broken)
        body = post(prod_client, CREATE, partner_input("Yayasan Produksi"), tokens[Role.PLANNER])
        assert body["errors"][0]["message"] == "Unexpected error."
        text = json.dumps(body)
        for leak in ("SELECT", "psycopg", "secret", "Traceback", "RuntimeError"):
            assert leak not in text
        assert "secret" in caplog.text  # the detail is in the server log
        # Bad input values are the client's mistake: reported, not masked, not logged as bugs.
        bad = partner_input("Yayasan Produksi")
        bad["input"]["annualBudgetIdr"] = "lots"
        body = post(prod_client, CREATE, bad, tokens[Role.PLANNER])
        assert "BigInt cannot represent" in body["errors"][0]["message"]
        intro = post(prod_client, "{ __schema { queryType { name } } }", token=tokens[Role.ADMIN])
        assert "introspection" in intro["errors"][0]["message"].lower()


@pytest.mark.parametrize("text", ["a\x00b", "\ud800"])
def test_unstorable_text_is_bad_user_input(client: TestClient, tokens: Any, api: Any, text: str):
    before = count_rows_sync(api[0])
    query = "query($s: String) { districts(filter: {search: $s}) { totalCount } }"
    response = client.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": {"s": text}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert codes(response.json()) == ["BAD_USER_INPUT"]
    variables = partner_input("Yayasan" + text)
    response = client.post(
        "/graphql",
        content=json.dumps({"query": CREATE, "variables": variables}).encode(),
        headers={"Content-Type": "application/json", **bearer(tokens[Role.PLANNER])},
    )
    assert codes(response.json()) == ["BAD_USER_INPUT"]
    assert count_rows_sync(api[0]) == before
