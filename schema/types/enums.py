"""The vocabulary (:mod:`recommender.vocab`, :mod:`service.db.enums`) exposed as GraphQL enums.

``strawberry.enum`` registers the classes themselves, so resolvers return the same
``StrEnum`` members the domain uses; GraphQL names are the member names.
"""

from __future__ import annotations

import enum

import strawberry

from recommender.emphasis import Emphasis
from recommender.vocab import (
    InterventionArea,
    PartnerKind,
    PartnerScope,
    PartnershipStatus,
    QuotaCategory,
)
from service.db.enums import DistrictType
from service.domain.worlds import World

strawberry.enum(PartnerKind, description="What kind of organisation a partner is.")
strawberry.enum(InterventionArea, description="A kind of stunting intervention.")
strawberry.enum(PartnershipStatus)
strawberry.enum(PartnerScope)
strawberry.enum(DistrictType, description="Kabupaten (regency) or kota (city).")
strawberry.enum(QuotaCategory, description="The campaign quota a partner kind counts towards.")
strawberry.enum(
    World,
    description="Which data a planner-facing answer uses. REAL: the real record only "
    "(reference data, partnerships reported in public sources and their partners, and "
    "everything recorded through the API). DEMO: the real record plus the generated demo "
    "world, every generated item marked `synthetic: true`; an error with code "
    "DEMO_UNAVAILABLE when the database holds no generated data.",
)
strawberry.enum(
    Emphasis,
    description="What a recommendation's match score weighs (docs/recommender.md, 'Fit "
    "versus need'). FIT: where the partner already is (the real record's evidence; the "
    "default). NEED: 30 % fit, 70 % need (the gap to 14 %, underdevelopment and burden "
    "for districts; the uncovered areas the partner brings for partners). BALANCED: 70 % "
    "fit, 30 % need.",
)


@strawberry.enum
class SortDirection(enum.Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.enum(description="Language of human-readable texts: English or Bahasa Indonesia.")
class Language(enum.Enum):
    EN = "en"
    ID = "id"


__all__ = [
    "DistrictType",
    "Emphasis",
    "InterventionArea",
    "Language",
    "PartnerKind",
    "PartnerScope",
    "PartnershipStatus",
    "QuotaCategory",
    "SortDirection",
    "World",
]
