"""The partner's fields are written once: the API's types are built from the model."""

from __future__ import annotations

import dataclasses

from schema.errors import graphql_field
from schema.types.partner import Partner
from schema.types.payloads import CreatePartnerInput, UpdatePartnerInput
from service.db.models import Partner as PartnerRow
from service.domain.writes.partners import PARTNER_FIELDS


def _graphql_names(cls: type) -> list[str]:
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    return [f.graphql_name or graphql_field(f.python_name) for f in definition.fields]


def test_the_inputs_carry_every_field_a_write_sets_and_no_other() -> None:
    wanted = {graphql_field(f) for f in PARTNER_FIELDS}
    create = _graphql_names(CreatePartnerInput)
    assert set(create) == wanted and len(create) == len(wanted)
    assert _graphql_names(UpdatePartnerInput) == ["partnerId", *create]


def test_the_type_shows_every_column_in_the_models_order() -> None:
    columns = [c.key for c in PartnerRow.__table__.columns if c.key not in {"id", "created_at"}]
    shown = _graphql_names(Partner)
    assert shown[:2] == ["id", "databaseId"]
    assert shown[2 : 2 + len(columns)] == [graphql_field(c) for c in columns]


def test_a_new_input_defaults_as_before() -> None:
    given = CreatePartnerInput(name="Yayasan Contoh", kind="ngo", scope="local")  # type: ignore[call-arg]
    values = {f.name: getattr(given, f.name) for f in dataclasses.fields(given)}
    assert values["intervention_areas"] == [] and values["district_codes"] == []
    assert values["website"] is None and values["annual_budget_idr"] is None
