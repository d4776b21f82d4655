"""The vocabulary (:mod:`recommender.vocab`, :mod:`service.db.enums`) exposed as GraphQL enums.

``strawberry.enum`` registers the classes themselves, so resolvers return the same
``StrEnum`` members the domain uses; GraphQL names are the member names.
"""

from __future__ import annotations

import enum

import strawberry

from recommender.vocab import (
    InterventionArea,
    PartnerKind,
    PartnerScope,
    PartnershipStatus,
    QuotaCategory,
)
from service.db.enums import DistrictType

strawberry.enum(PartnerKind, description="What kind of organisation a partner is.")
strawberry.enum(InterventionArea, description="A kind of stunting intervention.")
strawberry.enum(PartnershipStatus)
strawberry.enum(PartnerScope)
strawberry.enum(DistrictType, description="Kabupaten (regency) or kota (city).")
strawberry.enum(QuotaCategory, description="The campaign quota a partner kind counts towards.")


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
    "InterventionArea",
    "Language",
    "PartnerKind",
    "PartnerScope",
    "PartnershipStatus",
    "QuotaCategory",
    "SortDirection",
]
