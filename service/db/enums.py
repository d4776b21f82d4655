"""Vocabularies shared by the database, the domain, the recommender and the API.

The values are the stored strings; ``real_partnerships.csv`` uses the same ones.
"""

from __future__ import annotations

import enum


class PartnerKind(enum.StrEnum):
    COMPANY = "company"
    STATE_OWNED_COMPANY = "state_owned_company"
    FOUNDATION = "foundation"
    MEDIA = "media"
    NGO = "ngo"
    ZAKAT_ORG = "zakat_org"
    ACADEMIA = "academia"
    INTERNATIONAL_ORG = "international_org"
    GOVERNMENT_BODY = "government_body"


class InterventionArea(enum.StrEnum):
    FOOD_SUPPLEMENTATION = "food_supplementation"
    WASH = "wash"
    PARENTING_EARLY_CHILDHOOD = "parenting_early_childhood"
    BEHAVIOUR_CHANGE_CAMPAIGN = "behaviour_change_campaign"
    HEALTH_SERVICES = "health_services"
    FOSTER_PARENT_SPONSORSHIP = "foster_parent_sponsorship"
    ECONOMIC_EMPOWERMENT = "economic_empowerment"
    FOOD_SECURITY_AGRICULTURE = "food_security_agriculture"
    CAPACITY_BUILDING_DATA = "capacity_building_data"
    FUNDING = "funding"


class PartnershipStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    # A partnership reported in a public source whose current status the source does not give.
    REPORTED = "reported"


class PartnerScope(enum.StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    LOCAL = "local"


class DistrictType(enum.StrEnum):
    KABUPATEN = "kabupaten"
    KOTA = "kota"


class MeasurementLevel(enum.StrEnum):
    NATIONAL = "national"
    PROVINCE = "province"
    DISTRICT = "district"


class QuotaCategory(enum.StrEnum):
    """BKKBN's per-province campaign quota: 5 companies, 10 regional partners, 4 local media."""

    COMPANY = "company"
    REGIONAL_PARTNER = "regional_partner"
    LOCAL_MEDIA = "local_media"


QUOTA_TARGETS: dict[QuotaCategory, int] = {
    QuotaCategory.COMPANY: 5,
    QuotaCategory.REGIONAL_PARTNER: 10,
    QuotaCategory.LOCAL_MEDIA: 4,
}
NATIONAL_PARTNER_TARGET = 1000
MIN_COMMITMENT_MONTHS = 6
IDEAL_COMMITMENT_MONTHS = 12  # the campaign asks for 6 months at least, ideally 12
STUNTING_TARGET_PCT = 14.0
STUNTING_INDICATOR = "stunting_prevalence"


def quota_category(kind: PartnerKind | str) -> QuotaCategory:
    """Which campaign quota a partner of this kind counts towards.

    Companies and state-owned companies fill the company quota, media the local
    media quota, and every other kind (foundations, NGOs, zakat organisations,
    academia, international organisations, government bodies) the regional
    partner quota.
    """
    kind = PartnerKind(kind)
    if kind in (PartnerKind.COMPANY, PartnerKind.STATE_OWNED_COMPANY):
        return QuotaCategory.COMPANY
    if kind is PartnerKind.MEDIA:
        return QuotaCategory.LOCAL_MEDIA
    return QuotaCategory.REGIONAL_PARTNER


# The first digit of a Kemendagri province code names the island group.
ISLAND_GROUPS: dict[str, str] = {
    "1": "Sumatera",
    "2": "Sumatera",  # 21 Kepulauan Riau
    "3": "Jawa",
    "5": "Bali dan Nusa Tenggara",
    "6": "Kalimantan",
    "7": "Sulawesi",
    "8": "Maluku",
    "9": "Papua",
}


def island_group(province_code: str) -> str:
    return ISLAND_GROUPS[province_code[0]]
