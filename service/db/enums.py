"""The stored vocabularies: those of :mod:`recommender.vocab`, plus the database's own.

Partner kinds, scopes, intervention areas, partnership statuses and quota categories are
defined once, in :mod:`recommender.vocab`; this module re-exports them for the ORM and the
domain and adds what only the database knows (district types, measurement levels).
"""

from __future__ import annotations

import enum

from recommender.vocab import (
    IDEAL_COMMITMENT_MONTHS,
    MIN_COMMITMENT_MONTHS,
    NATIONAL_PARTNER_TARGET,
    QUOTA_TARGETS,
    InterventionArea,
    PartnerKind,
    PartnerScope,
    PartnershipStatus,
    QuotaCategory,
    quota_category,
)


class DistrictType(enum.StrEnum):
    KABUPATEN = "kabupaten"
    KOTA = "kota"


class MeasurementLevel(enum.StrEnum):
    NATIONAL = "national"
    PROVINCE = "province"
    DISTRICT = "district"


STUNTING_INDICATOR = "stunting_prevalence"

__all__ = [
    "IDEAL_COMMITMENT_MONTHS",
    "MIN_COMMITMENT_MONTHS",
    "NATIONAL_PARTNER_TARGET",
    "QUOTA_TARGETS",
    "STUNTING_INDICATOR",
    "DistrictType",
    "InterventionArea",
    "MeasurementLevel",
    "PartnerKind",
    "PartnerScope",
    "PartnershipStatus",
    "QuotaCategory",
    "quota_category",
]
