"""The one vocabulary of Mitra.

Partner kinds, scopes, intervention areas, partnership statuses, quota categories and
island groups.

The ORM (:mod:`service.db.enums` re-exports these classes), the seed, the recommender and
the GraphQL schema (:mod:`schema.types.enums` registers them as GraphQL enums) all use
these definitions. The values are the stored strings; ``real_partnerships.csv`` uses the
same ones. ``StrEnum`` members equal their strings, so frames of plain strings work too.
"""

from __future__ import annotations

import enum


class PartnerKind(enum.StrEnum):
    """What kind of organisation a partner is."""

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
    """The intervention areas of the stunting programme a partner works in."""

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
    """Where a partnership stands in its life cycle."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    # A partnership reported in a public source whose current status the source does not give.
    REPORTED = "reported"


class PartnerScope(enum.StrEnum):
    """How far a partner's reach extends."""

    NATIONAL = "national"
    PROVINCIAL = "provincial"
    LOCAL = "local"


class QuotaCategory(enum.StrEnum):
    """BKKBN's per-province campaign quota: 5 companies, 10 regional partners, 4 local media."""

    COMPANY = "company"
    REGIONAL_PARTNER = "regional_partner"
    LOCAL_MEDIA = "local_media"


# The kinds that fill the company quota.
COMPANY_KINDS: tuple[str, ...] = (PartnerKind.COMPANY.value, PartnerKind.STATE_OWNED_COMPANY.value)

# Plain-string tuples in definition order: the recommender's column order.
AREAS: tuple[str, ...] = tuple(a.value for a in InterventionArea)
KINDS: tuple[str, ...] = tuple(k.value for k in PartnerKind)
SCOPES: tuple[str, ...] = tuple(s.value for s in PartnerScope)

QUOTA_TARGETS: dict[QuotaCategory, int] = {
    QuotaCategory.COMPANY: 5,
    QuotaCategory.REGIONAL_PARTNER: 10,
    QuotaCategory.LOCAL_MEDIA: 4,
}
NATIONAL_PARTNER_TARGET = 1000
MIN_COMMITMENT_MONTHS = 6
IDEAL_COMMITMENT_MONTHS = 12  # the campaign asks for 6 months at least, ideally 12
STUNTING_TARGET_PCT = 14.0


def quota_category(kind: PartnerKind | str) -> QuotaCategory:
    """Which campaign quota a partner of this kind counts towards.

    Companies and state-owned companies fill the company quota, media the local
    media quota, and every other kind (foundations, NGOs, zakat organisations,
    academia, international organisations, government bodies) the regional
    partner quota.
    """
    kind = PartnerKind(kind)
    if kind in COMPANY_KINDS:
        return QuotaCategory.COMPANY
    if kind is PartnerKind.MEDIA:
        return QuotaCategory.LOCAL_MEDIA
    return QuotaCategory.REGIONAL_PARTNER


# Island groups by the code :func:`recommender.geography.island_code` gives a province
# (the first digit of its Kemendagri code; Kepulauan Riau, 21, counts as Sumatera).
ISLAND_GROUPS: dict[str, str] = {
    "1": "Sumatera",
    "3": "Jawa",
    "5": "Bali dan Nusa Tenggara",
    "6": "Kalimantan",
    "7": "Sulawesi",
    "8": "Maluku",
    "9": "Papua",
}

AREA_LABELS: dict[str, str] = {
    "food_supplementation": "food supplementation",
    "wash": "clean water and sanitation",
    "parenting_early_childhood": "parenting and early childhood",
    "behaviour_change_campaign": "behaviour-change campaigns",
    "health_services": "health services",
    "foster_parent_sponsorship": "foster-parent sponsorship",
    "economic_empowerment": "economic empowerment",
    "food_security_agriculture": "food security and agriculture",
    "capacity_building_data": "capacity building and data",
    "funding": "funding",
}
# Indonesian labels, for the reasons' sentences in Bahasa Indonesia.
AREA_LABELS_ID: dict[str, str] = {
    "food_supplementation": "pemberian makanan tambahan",
    "wash": "air bersih dan sanitasi",
    "parenting_early_childhood": "pengasuhan dan anak usia dini",
    "behaviour_change_campaign": "kampanye perubahan perilaku",
    "health_services": "layanan kesehatan",
    "foster_parent_sponsorship": "orang tua asuh",
    "economic_empowerment": "pemberdayaan ekonomi",
    "food_security_agriculture": "ketahanan pangan dan pertanian",
    "capacity_building_data": "peningkatan kapasitas dan data",
    "funding": "pendanaan",
}
KIND_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "company": "company",
        "state_owned_company": "state-owned company",
        "foundation": "foundation",
        "media": "media organisation",
        "ngo": "NGO",
        "zakat_org": "zakat organisation",
        "academia": "academic institution",
        "international_org": "international organisation",
        "government_body": "government body",
    },
    "id": {
        "company": "perusahaan",
        "state_owned_company": "BUMN",
        "foundation": "yayasan",
        "media": "media",
        "ngo": "LSM",
        "zakat_org": "lembaga zakat",
        "academia": "perguruan tinggi",
        "international_org": "organisasi internasional",
        "government_body": "lembaga pemerintah",
    },
}
SCOPE_LABELS: dict[str, dict[str, str]] = {
    "en": {"local": "local", "provincial": "provincial", "national": "national"},
    "id": {"local": "lokal", "provincial": "provinsi", "national": "nasional"},
}
QUOTA_LABELS: dict[str, str] = {
    "company": "companies",
    "regional_partner": "regional partners",
    "local_media": "local media",
}
QUOTA_LABELS_ID: dict[str, str] = {
    "company": "perusahaan",
    "regional_partner": "mitra daerah",
    "local_media": "media lokal",
}
# Sectors "in or related to natural resources": companies there are obliged by law to carry
# out social and environmental responsibility (UU 40/2007 on limited liability companies,
# art. 74). Matched as words of the free-text sector (e.g. "palm_oil", "mining_nickel").
NATURAL_RESOURCE_WORDS: tuple[str, ...] = (
    "mining",
    "coal",
    "nickel",
    "tin",
    "gold",
    "copper",
    "aluminium",
    "bauxite",
    "smelter",
    "oil",
    "gas",
    "lng",
    "palm",
    "plantation",
    "pulp",
    "paper",
    "timber",
    "forestry",
    "sugar",
    "rubber",
)


def natural_resource_sector(sector: object) -> bool:
    """Whether a free-text sector (``"palm_oil"``, ``"oil_gas_lng"``) is a natural-resource one."""
    if not isinstance(sector, str):
        return False
    words = set(sector.lower().replace("-", "_").replace(" ", "_").split("_"))
    return bool(words & set(NATURAL_RESOURCE_WORDS))
