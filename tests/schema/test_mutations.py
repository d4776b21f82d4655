"""Mutations through ``schema.execute``: payloads, userErrors, nothing changed on rejection.

Accepted mutations commit, so these run on a seeded database of their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.types import ExecutionResult
from strawberry.utils.str_converters import to_camel_case

from schema import build_schema
from schema.context import build_context
from schema.ids import to_global_id
from schema.model_admin import ModelAdminMutation
from schema.mutations import WriteMutation
from schema.permissions import PERMISSION_FOR_ROLE
from schema.types.audit import AuditQuery
from service.auth import Principal, Role
from service.db.models import Partner, Partnership
from service.db.session import make_async_engine, make_async_sessionmaker
from service.domain.actions import REQUIRED_ROLE, Action
from service.settings import Settings, async_url
from tests.schema.api_support import count_rows_sync, seeded_database, settings_for
from tests.service.writes_support import postgres_url

WRITE_MUTATIONS = [
    to_camel_case(f.python_name) for f in WriteMutation.__strawberry_definition__.fields
]

PLANNER = Principal(owner="Dina (planner)", role=Role.PLANNER, token_id=None)
ADMIN = Principal(owner="Ade (admin)", role=Role.ADMIN, token_id=None)
VIEWER = Principal(owner="Vera (viewer)", role=Role.VIEWER, token_id=None)

PARTNER_FIELDS = "id databaseId name kind scope description website interventionAreas archived"
ERRORS = "userErrors { field message code }"
CREATE = f"""
mutation($input: CreatePartnerInput!) {{
  createPartner(input: $input) {{ partner {{ {PARTNER_FIELDS} }} {ERRORS} }}
}}"""
UPDATE = f"""
mutation($input: UpdatePartnerInput!) {{
  updatePartner(input: $input) {{ partner {{ {PARTNER_FIELDS} }} {ERRORS} }}
}}"""
PROPOSE = """
mutation($input: ProposePartnershipInput!) {
  proposePartnership(input: $input) {
    partnership { id databaseId status startDate endDate district { code } partner { name }
                  interventionAreas }
    userErrors { field message code }
  }
}"""
STATUS = """
mutation($input: UpdatePartnershipStatusInput!) {
  updatePartnershipStatus(input: $input) {
    partnership { id status startDate endDate outcome }
    userErrors { field message code }
  }
}"""
FEEDBACK = """
mutation($input: RecordRecommendationFeedbackInput!) {
  recordRecommendationFeedback(input: $input) {
    feedback { databaseId verdict reason modelVersion actor createdAt
               partner { name } district { code } }
    userErrors { field message code }
  }
}"""


@pytest.fixture(scope="module")
def db_url(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with seeded_database(tmp_path_factory.mktemp("mutations"), seed=settings.seed) as url:
        yield url


@pytest.fixture(scope="module")
async def factory(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_async_engine(async_url(db_url))
    yield make_async_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture(scope="module")
def api_settings(settings: Settings, db_url: str) -> Settings:
    return settings_for(settings, db_url)


@pytest.fixture(scope="module")
def api_schema(api_settings: Settings) -> Any:
    return build_schema(api_settings)


@pytest.fixture
def gql(api_schema: Any, factory: async_sessionmaker[AsyncSession], api_settings: Settings) -> Any:
    async def execute(
        query: str, variables: dict[str, Any], *, actor: Principal | None = PLANNER
    ) -> ExecutionResult:
        return await api_schema.execute(
            query,
            variable_values=variables,
            context_value=build_context(factory, api_settings, principal=actor),
        )

    return execute


def ok(result: ExecutionResult, name: str) -> dict[str, Any]:
    assert result.errors is None, [e.formatted for e in result.errors or []]
    assert result.data is not None
    payload = result.data[name]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


def rejected(result: ExecutionResult, name: str) -> list[tuple[str, str]]:
    assert result.errors is None, [e.formatted for e in result.errors or []]
    assert result.data is not None
    payload = result.data[name]
    assert next(v for k, v in payload.items() if k != "userErrors") is None
    assert payload["userErrors"]
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def some_partner_id(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        pid = await session.scalar(
            select(Partner.id).where(Partner.archived_at.is_(None)).order_by(Partner.id).limit(1)
        )
    assert pid is not None
    return pid


async def count_partnerships(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(Partnership)) or 0)


def test_each_mutation_needs_the_role_the_domain_requires():
    # Each mutation resolver is named after the domain action it performs, and its
    # permission class is the one of that action's role in the domain's one role table.
    mutations = [
        *WriteMutation.__strawberry_definition__.fields,
        *ModelAdminMutation.__strawberry_definition__.fields,
    ]
    by_action = {Action(f.python_name): f for f in mutations}
    (by_action[Action.READ_AUDIT_LOG],) = AuditQuery.__strawberry_definition__.fields
    assert set(by_action) == set(REQUIRED_ROLE)
    for action, f in by_action.items():
        assert f.permission_classes == [PERMISSION_FOR_ROLE[REQUIRED_ROLE[action]]], action
    assert REQUIRED_ROLE[Action.CREATE_PARTNER] is Role.PLANNER
    assert REQUIRED_ROLE[Action.ACTIVATE_MODEL_VERSION] is Role.ADMIN
    assert REQUIRED_ROLE[Action.READ_AUDIT_LOG] is Role.ADMIN


async def test_roles_through_execute(gql: Any, db_url: str):
    before = count_rows_sync(db_url)
    variables = {"input": {"name": "Yayasan Peran", "kind": "NGO", "scope": "LOCAL"}}
    for actor, code in ((None, "UNAUTHENTICATED"), (VIEWER, "FORBIDDEN")):
        result = await gql(CREATE, variables, actor=actor)
        assert result.data is None
        assert [e.extensions["code"] for e in result.errors] == [code]
    assert count_rows_sync(db_url) == before


async def test_create_then_update_only_the_given_fields(gql: Any, db_url: str):
    created = ok(
        await gql(
            CREATE,
            {
                "input": {
                    "name": "  Yayasan Cahaya Timur  ",
                    "kind": "FOUNDATION",
                    "scope": "PROVINCIAL",
                    "interventionAreas": ["WASH", "WASH", "FUNDING"],
                    "provinceCodes": ["53"],
                    "description": "Sanitasi desa",
                    "website": "https://cahaya.example.org",
                    "annualBudgetIdr": "5000000000",
                }
            },
        ),
        "createPartner",
    )["partner"]
    assert created["name"] == "Yayasan Cahaya Timur"
    assert sorted(created["interventionAreas"]) == ["FUNDING", "WASH"]
    assert created["id"] == to_global_id("Partner", created["databaseId"])

    updated = ok(
        await gql(UPDATE, {"input": {"partnerId": created["id"], "website": None, "kind": "NGO"}}),
        "updatePartner",
    )["partner"]
    assert updated["website"] is None  # null clears
    assert updated["kind"] == "NGO"
    assert updated["description"] == "Sanitasi desa"  # not given: unchanged
    assert updated["name"] == "Yayasan Cahaya Timur"

    before = count_rows_sync(db_url)
    errors = rejected(
        await gql(UPDATE, {"input": {"partnerId": created["id"], "name": None}}), "updatePartner"
    )
    assert errors == [("name", "REQUIRED")]
    dup = rejected(
        await gql(
            CREATE,
            {"input": {"name": "yayasan cahaya timur", "kind": "NGO", "scope": "LOCAL"}},
        ),
        "createPartner",
    )
    assert dup == [("name", "DUPLICATE")]
    too_many = rejected(
        await gql(
            UPDATE, {"input": {"partnerId": created["id"], "interventionAreas": ["WASH"] * 200}}
        ),
        "updatePartner",
    )
    assert too_many == [("interventionAreas", "TOO_LONG")]  # the input's name, not the domain's
    assert count_rows_sync(db_url) == before


async def test_create_partner_reports_every_bad_field(gql: Any, db_url: str):
    before = count_rows_sync(db_url)
    errors = rejected(
        await gql(
            CREATE,
            {
                "input": {
                    "name": "x",
                    "kind": "NGO",
                    "scope": "LOCAL",
                    "districtCodes": ["99.99"],
                    "website": "javascript:alert(1)",
                    "typicalCommitmentMonths": 0,
                }
            },
        ),
        "createPartner",
    )
    assert {field for field, _ in errors} == {
        "name",
        "districtCodes",
        "website",
        "typicalCommitmentMonths",
    }
    assert count_rows_sync(db_url) == before


async def test_propose_with_end_before_start_is_a_user_error_and_adds_nothing(
    gql: Any, factory: async_sessionmaker[AsyncSession], db_url: str
):
    partner_id = await some_partner_id(factory)
    partnerships = await count_partnerships(factory)
    before = count_rows_sync(db_url)
    errors = rejected(
        await gql(
            PROPOSE,
            {
                "input": {
                    "partnerId": to_global_id("Partner", partner_id),
                    "districtCode": "53.02",
                    "startDate": "2025-06-01",
                    "endDate": "2025-01-31",
                }
            },
        ),
        "proposePartnership",
    )
    assert errors == [("endDate", "INVALID_DATE_ORDER")]
    assert await count_partnerships(factory) == partnerships
    assert count_rows_sync(db_url) == before


async def test_proposal_lifecycle_and_duplicates(
    gql: Any, factory: async_sessionmaker[AsyncSession], db_url: str
):
    created = ok(
        await gql(CREATE, {"input": {"name": "Yayasan Siklus", "kind": "NGO", "scope": "LOCAL"}}),
        "createPartner",
    )["partner"]
    proposal = {
        "input": {
            "partnerId": created["id"],
            "districtCode": "53.03",
            "interventionAreas": ["HEALTH_SERVICES"],
            "startDate": "2025-01-01",
            "durationMonths": 12,
        }
    }
    partnership = ok(await gql(PROPOSE, proposal), "proposePartnership")["partnership"]
    assert partnership["status"] == "PROPOSED"
    assert partnership["district"] == {"code": "53.03"}
    assert partnership["partner"] == {"name": "Yayasan Siklus"}
    assert partnership["interventionAreas"] == ["HEALTH_SERVICES"]

    before = count_rows_sync(db_url)
    dup = rejected(await gql(PROPOSE, proposal), "proposePartnership")
    assert dup == [("districtCode", "DUPLICATE")]
    bad_transition = rejected(
        await gql(STATUS, {"input": {"partnershipId": partnership["id"], "status": "COMPLETED"}}),
        "updatePartnershipStatus",
    )
    assert bad_transition == [("status", "INVALID_TRANSITION")]
    wrong_type = rejected(
        await gql(STATUS, {"input": {"partnershipId": created["id"], "status": "ACTIVE"}}),
        "updatePartnershipStatus",
    )
    assert wrong_type == [("partnershipId", "INVALID_ID")]
    assert count_rows_sync(db_url) == before

    active = ok(
        await gql(STATUS, {"input": {"partnershipId": partnership["id"], "status": "ACTIVE"}}),
        "updatePartnershipStatus",
    )["partnership"]
    assert active["status"] == "ACTIVE" and active["startDate"] == "2025-01-01"
    done = ok(
        await gql(
            STATUS,
            {
                "input": {
                    "partnershipId": partnership["id"],
                    "status": "COMPLETED",
                    "endDate": "2025-12-31",
                    "outcome": "Posyandu aktif di 12 desa",
                }
            },
        ),
        "updatePartnershipStatus",
    )["partnership"]
    assert done == {
        "id": partnership["id"],
        "status": "COMPLETED",
        "startDate": "2025-01-01",
        "endDate": "2025-12-31",
        "outcome": "Posyandu aktif di 12 desa",
    }
    # Completed, so no longer open: a new proposal for the pair is accepted.
    ok(await gql(PROPOSE, proposal), "proposePartnership")


@pytest.mark.parametrize(
    "partner_id",
    ["garbage", to_global_id("Partnership", 1), to_global_id("Partner", 999_999_999), ""],
)
async def test_bad_partner_ids_are_user_errors(gql: Any, db_url: str, partner_id: str):
    before = count_rows_sync(db_url)
    errors = rejected(
        await gql(PROPOSE, {"input": {"partnerId": partner_id, "districtCode": "53.02"}}),
        "proposePartnership",
    )
    assert errors[0][0] == "partnerId" and errors[0][1] in {"INVALID_ID", "NOT_FOUND"}
    assert count_rows_sync(db_url) == before


async def test_district_codes_without_the_dot_are_stored_in_the_kemendagri_form(gql: Any):
    create = CREATE.replace("archived }", "archived operatingDistricts { code } }")
    created = ok(
        await gql(
            create,
            {
                "input": {
                    "name": "Yayasan Kode Titik",
                    "kind": "NGO",
                    "scope": "LOCAL",
                    "districtCodes": ["5302", "53.02", "1101"],
                }
            },
        ),
        "createPartner",
    )["partner"]
    assert created["operatingDistricts"] == [{"code": "11.01"}, {"code": "53.02"}]
    proposed = ok(
        await gql(PROPOSE, {"input": {"partnerId": created["id"], "districtCode": "5302"}}),
        "proposePartnership",
    )["partnership"]
    assert proposed["district"] == {"code": "53.02"}
    again = await gql(PROPOSE, {"input": {"partnerId": created["id"], "districtCode": "53.02"}})
    assert rejected(again, "proposePartnership") == [("districtCode", "DUPLICATE")]


async def test_unknown_ids_are_named_as_the_client_sent_them(gql: Any):
    unknown_partner = to_global_id("Partner", 999_999_999)
    unknown_partnership = to_global_id("Partnership", 999_999_999)
    cases = [
        (PROPOSE, {"partnerId": unknown_partner, "districtCode": "5302"}, "proposePartnership"),
        (
            FEEDBACK,
            {"partnerId": unknown_partner, "districtCode": "53.02", "verdict": "ACCEPTED"},
            "recordRecommendationFeedback",
        ),
        (UPDATE, {"partnerId": unknown_partner, "name": "Nama Baru"}, "updatePartner"),
        (
            STATUS,
            {"partnershipId": unknown_partnership, "status": "ACTIVE"},
            "updatePartnershipStatus",
        ),
        (
            "mutation($input: ExtendCommitmentInput!) { extendCommitment(input: $input) "
            "{ userErrors { field message code } } }",
            {"partnershipId": unknown_partnership, "endDate": "2030-01-01"},
            "extendCommitment",
        ),
        (
            "mutation($input: EndCommitmentInput!) { endCommitment(input: $input) "
            "{ userErrors { field message code } } }",
            {"partnershipId": unknown_partnership},
            "endCommitment",
        ),
    ]
    for query, variables, name in cases:
        result = await gql(query, {"input": variables})
        assert result.data is not None, result.errors
        (error,) = result.data[name]["userErrors"]
        sent = variables.get("partnerId", variables.get("partnershipId"))
        assert error["code"] == "NOT_FOUND"
        assert error["message"].endswith(f" {sent}"), error  # the global id, not 999999999
        assert "999999999" not in error["message"]


async def test_archived_partner_takes_no_proposals(gql: Any, db_url: str):
    created = ok(
        await gql(CREATE, {"input": {"name": "Yayasan Tutup", "kind": "NGO", "scope": "LOCAL"}}),
        "createPartner",
    )["partner"]
    archive = (
        "mutation($input: ArchivePartnerInput!) { archivePartner(input: $input) "
        "{ partner { archived } userErrors { field code } } }"
    )
    ok(await gql(archive, {"input": {"partnerId": created["id"]}}, actor=ADMIN), "archivePartner")
    before = count_rows_sync(db_url)
    again = rejected(
        await gql(archive, {"input": {"partnerId": created["id"]}}, actor=ADMIN), "archivePartner"
    )
    assert again == [("partnerId", "ARCHIVED")]
    errors = rejected(
        await gql(PROPOSE, {"input": {"partnerId": created["id"], "districtCode": "53.02"}}),
        "proposePartnership",
    )
    assert ("partnerId", "ARCHIVED") in errors
    assert count_rows_sync(db_url) == before


async def test_record_recommendation_feedback(
    gql: Any, factory: async_sessionmaker[AsyncSession], db_url: str
):
    partner_id = to_global_id("Partner", await some_partner_id(factory))
    feedback = ok(
        await gql(
            FEEDBACK,
            {
                "input": {
                    "districtCode": "53.02",
                    "partnerId": partner_id,
                    "verdict": "ACCEPTED",
                    "reason": "Sudah bekerja di kabupaten tetangga",
                    "modelVersion": "transparent-v1",
                }
            },
        ),
        "recordRecommendationFeedback",
    )["feedback"]
    assert feedback["actor"] == PLANNER.owner
    assert feedback["verdict"] == "ACCEPTED"
    assert feedback["district"] == {"code": "53.02"}
    assert feedback["partner"]["name"]
    bps_form = ok(
        await gql(
            FEEDBACK,
            {"input": {"districtCode": "5302", "partnerId": partner_id, "verdict": "REJECTED"}},
        ),
        "recordRecommendationFeedback",
    )["feedback"]
    assert bps_form["district"] == {"code": "53.02"}  # stored in the Kemendagri form
    before = count_rows_sync(db_url)
    for code, expected, message in (
        (
            "53-02",
            "INVALID_FORMAT",
            'districtCode must be a Kemendagri district code such as "53.02" or "5302"',
        ),
        ("5399", "NOT_FOUND", "there is no district 5399"),  # named as the client sent it
    ):
        result = await gql(
            FEEDBACK,
            {"input": {"districtCode": code, "partnerId": partner_id, "verdict": "REJECTED"}},
        )
        assert rejected(result, "recordRecommendationFeedback") == [("districtCode", expected)]
        assert result.data is not None
        assert result.data["recordRecommendationFeedback"]["userErrors"][0]["message"] == message
    assert count_rows_sync(db_url) == before


async def test_audit_log_filters_and_pages(gql: Any):
    query = """
    query($filter: AuditLogFilter, $first: Int, $after: String) {
      auditLog(filter: $filter, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { actor action at }
      }
    }"""
    ok_ = await gql(query, {"filter": {"actor": PLANNER.owner}, "first": 2}, actor=ADMIN)
    assert ok_.errors is None
    log = ok_.data["auditLog"]
    assert log["totalCount"] >= 3 and log["pageInfo"]["hasNextPage"]
    assert {n["actor"] for n in log["nodes"]} == {PLANNER.owner}
    first_page = log["nodes"]
    assert first_page[0]["at"] >= first_page[1]["at"]  # newest first
    nxt = await gql(
        query,
        {"filter": {"actor": PLANNER.owner}, "first": 2, "after": log["pageInfo"]["endCursor"]},
        actor=ADMIN,
    )
    assert nxt.errors is None and nxt.data["auditLog"]["nodes"][0] != first_page[0]
    none = await gql(query, {"filter": {"action": "noSuchAction"}}, actor=ADMIN)
    assert none.data["auditLog"]["totalCount"] == 0


def test_sdl_declares_the_mutations(tmp_path: Path):
    from schema.export import export_sdl

    sdl = export_sdl()
    for name in WRITE_MUTATIONS:
        assert f"  {name}(input: " in sdl
    assert "auditLog(" in sdl and "userErrors: [UserError!]!" in sdl


# --- concurrency through the API ---------------------------------------------------------

RACE = """
mutation($input: ProposePartnershipInput!) {
  proposePartnership(input: $input) { partnership { id status } userErrors { field code } }
}"""


async def _race_through_api(settings: Settings, tmp_path: Path, callers: int) -> None:
    """``callers`` concurrent HTTP proposals for one partner and district, via the ASGI app."""
    import asyncio

    import httpx
    from sqlalchemy import text

    from service.db.migrate import upgrade
    from service.db.session import make_engine
    from service.server.app import create_app
    from tests.schema.api_support import bearer, create_tokens
    from tests.service.writes_support import insert_place_and_partner, scratch_database

    with scratch_database(tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            with engine.begin() as conn:
                partner_id = insert_place_and_partner(conn)
        finally:
            engine.dispose()
        token = (await create_tokens(url))[Role.PLANNER]
        app = create_app(settings_for(settings, url))
        variables = {
            "input": {"partnerId": to_global_id("Partner", partner_id), "districtCode": "53.01"}
        }
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://mitra.test"
            ) as client,
        ):
            responses = await asyncio.gather(
                *(
                    client.post(
                        "/graphql",
                        json={"query": RACE, "variables": variables},
                        headers=bearer(token),
                    )
                    for _ in range(callers)
                )
            )
        assert [r.status_code for r in responses] == [200] * callers  # nothing lost
        bodies = [r.json() for r in responses]
        assert [b for b in bodies if "errors" in b] == []  # no errors but userErrors
        payloads = [b["data"]["proposePartnership"] for b in bodies]
        accepted = [p for p in payloads if p["userErrors"] == []]
        refused = [p for p in payloads if p["userErrors"]]
        assert len(accepted) == 1 and accepted[0]["partnership"]["status"] == "PROPOSED"
        assert len(refused) == callers - 1
        for p in refused:
            assert p["partnership"] is None
            assert p["userErrors"] == [{"field": "districtCode", "code": "DUPLICATE"}]
        check = make_engine(url)
        try:
            with check.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM partnership")).scalar_one() == 1
                audits = conn.execute(
                    text("SELECT count(*) FROM audit_log WHERE action = 'proposePartnership'")
                ).scalar_one()
                assert audits == 1
        finally:
            check.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(
    postgres_url() is None,
    reason="the 50-way race needs PostgreSQL: set MITRA_TEST_DATABASE_URL to a PostgreSQL URL",
)
async def test_fifty_concurrent_proposals_through_the_api(settings: Settings, tmp_path: Path):
    await _race_through_api(settings, tmp_path, 50)


async def test_concurrent_proposals_through_the_api(settings: Settings, tmp_path: Path):
    """A smaller race that also runs on SQLite, where writers queue on BEGIN IMMEDIATE."""
    await _race_through_api(settings, tmp_path, 8)
