"""One vocabulary: the ORM, the GraphQL schema and the recommender share recommender.vocab."""

from __future__ import annotations

import pytest

from recommender import vocab
from recommender.simulation import PROFILES
from schema import build_schema
from schema.types import enums as graphql_enums
from service.db import enums as db_enums

SHARED = ("PartnerKind", "PartnerScope", "InterventionArea", "PartnershipStatus", "QuotaCategory")


@pytest.mark.parametrize("name", SHARED)
def test_orm_and_schema_use_the_vocabulary_classes(name: str) -> None:
    assert getattr(db_enums, name) is getattr(vocab, name)
    assert getattr(graphql_enums, name) is getattr(vocab, name)


@pytest.mark.parametrize("name", SHARED)
def test_graphql_enum_values_are_the_vocabulary_members(name: str) -> None:
    enum_type = build_schema()._schema.type_map[name]
    assert list(enum_type.values) == [m.name for m in getattr(vocab, name)]


def test_the_recommender_tuples_follow_the_enums() -> None:
    assert vocab.KINDS == tuple(vocab.PartnerKind) == tuple(PROFILES)
    assert tuple(vocab.InterventionArea) == vocab.AREAS
    assert tuple(vocab.PartnerScope) == vocab.SCOPES
    assert {vocab.quota_category(k) for k in vocab.KINDS} == set(vocab.QuotaCategory)
    assert set(vocab.QUOTA_TARGETS) == set(vocab.QuotaCategory)
