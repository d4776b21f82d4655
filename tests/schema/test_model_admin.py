"""Admin model mutations through ``schema.execute``: permissions, userErrors, activation, reads.

They change the active model, so they run on a seeded scratch database of their own.
``trainModel`` over HTTP (with feedback recorded first) is in tests/notebooks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from schema import build_schema
from schema.context import build_context
from service.auth import Principal, Role
from service.db.models import AuditLog
from service.db.session import make_async_engine, make_async_sessionmaker, make_engine
from service.domain import model_registry
from service.settings import Settings, async_url
from tests.model_support import register_variant
from tests.schema.api_support import seeded_database

ACTIVATE = """mutation($v: String!) { activateModelVersion(version: $v) {
  modelVersion { version active } userErrors { field message code } } }"""
VERSIONS = "{ modelVersions { version active metrics card } }"


@dataclasses.dataclass
class Scratch:
    settings: Settings
    first: str
    variant: str


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Iterator[Scratch]:
    tmp = tmp_path_factory.mktemp("model-admin")
    with seeded_database(tmp, seed=settings.seed) as url:
        s = dataclasses.replace(settings, database_url=url, model_dir=Path(tmp / "models"))
        engine = make_engine(url)
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                first = model_registry.train_model(session, s, activate=True, n_boot=20).version
            variant = register_variant(engine, s, "variant-c2", C=2.0)
        finally:
            engine.dispose()
        yield Scratch(s, first, variant)


async def _run(scratch: Scratch, query: str, variables: dict[str, Any], role: Role | None) -> Any:
    engine = make_async_engine(async_url(scratch.settings.database_url))
    try:
        ctx = build_context(
            make_async_sessionmaker(engine),
            scratch.settings,
            principal=None if role is None else Principal(f"{role.value}-owner", role, 1),
        )
        return await build_schema(scratch.settings).execute(
            query, variable_values=variables, context_value=ctx
        )
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("role", "code"),
    [(None, "UNAUTHENTICATED"), (Role.VIEWER, "FORBIDDEN"), (Role.PLANNER, "FORBIDDEN")],
)
async def test_only_admins(scratch: Scratch, role: Role | None, code: str) -> None:
    for query, variables in (
        (ACTIVATE, {"v": scratch.variant}),
        ("mutation { trainModel(input: {activate: true}) { userErrors { code } } }", {}),
    ):
        result = await _run(scratch, query, variables, role)
        assert result.data is None
        assert [e.extensions["code"] for e in result.errors] == [code]


async def test_unknown_version_is_a_user_error(scratch: Scratch) -> None:
    result = await _run(scratch, ACTIVATE, {"v": "no-such-version"}, Role.ADMIN)
    assert result.errors is None
    payload = result.data["activateModelVersion"]
    assert payload["modelVersion"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("version", "NOT_FOUND")]


async def test_activate_switches_the_only_active_version_and_is_audited(scratch: Scratch) -> None:
    result = await _run(scratch, ACTIVATE, {"v": scratch.variant}, Role.ADMIN)
    assert result.errors is None
    payload = result.data["activateModelVersion"]
    assert payload == {
        "modelVersion": {"version": scratch.variant, "active": True},
        "userErrors": [],
    }
    versions = (await _run(scratch, VERSIONS, {}, None)).data["modelVersions"]
    assert [v["version"] for v in versions if v["active"]] == [scratch.variant]
    engine = make_engine(scratch.settings.database_url)
    try:
        with Session(engine) as session:
            audit = session.scalars(
                select(AuditLog).where(AuditLog.action == "activateModelVersion")
            ).all()
    finally:
        engine.dispose()
    assert [(a.actor, a.entity_id, a.summary["previous"]) for a in audit] == [
        ("admin-owner", scratch.variant, scratch.first)
    ]
    back = await _run(scratch, ACTIVATE, {"v": scratch.first}, Role.ADMIN)
    assert back.data["activateModelVersion"]["modelVersion"]["active"] is True


async def test_model_versions_carry_metrics_and_card(scratch: Scratch) -> None:
    versions = (await _run(scratch, VERSIONS, {}, None)).data["modelVersions"]
    trained = next(v for v in versions if v["version"] == scratch.first)
    assert {"time_split", "test_year", "training"} <= set(trained["metrics"])
    card = trained["card"]
    assert {"intended_use", "training_data", "features", "metrics", "known_limitations"} <= set(
        card
    )
    td = card["training_data"]
    assert td["window"] and td["partnerships"] > 0 and 0 < td["share_synthetic_partnerships"] < 1
    assert td["districts_with_imputed_prevalence"] == 50
    assert all("ci95" in m for m in card["metrics"].values())
    text = " ".join(card["known_limitations"]).lower()
    assert "synthetic" in text and "imputed" in text
