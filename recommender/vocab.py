"""Vocabularies the recommender needs, repeated from ``service.db.enums``.

The recommender never imports the service; a service test can assert these equal the
enums (phase-3 wiring).
"""

from __future__ import annotations

AREAS: tuple[str, ...] = (
    "food_supplementation",
    "wash",
    "parenting_early_childhood",
    "behaviour_change_campaign",
    "health_services",
    "foster_parent_sponsorship",
    "economic_empowerment",
    "food_security_agriculture",
    "capacity_building_data",
    "funding",
)
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
KINDS: tuple[str, ...] = (
    "company",
    "state_owned_company",
    "foundation",
    "media",
    "ngo",
    "zakat_org",
    "academia",
    "international_org",
    "government_body",
)
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
SCOPES: tuple[str, ...] = ("local", "provincial", "national")
SCOPE_LABELS: dict[str, dict[str, str]] = {
    "en": {"local": "local", "provincial": "provincial", "national": "national"},
    "id": {"local": "lokal", "provincial": "provinsi", "national": "nasional"},
}
# BKKBN campaign quota per province: 5 companies, 10 regional partners, 4 local media.
QUOTA_OF_KIND: dict[str, str] = {
    "company": "company",
    "state_owned_company": "company",
    "media": "local_media",
}
QUOTA_TARGETS: dict[str, int] = {"company": 5, "regional_partner": 10, "local_media": 4}
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
MIN_COMMITMENT_MONTHS = 6

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


STUNTING_TARGET_PCT = 14.0


def quota_category(kind: str) -> str:
    """Quota a partner kind counts towards (``service.db.enums.quota_category``)."""
    return QUOTA_OF_KIND.get(kind, "regional_partner")


def island_group(province_code: str) -> str:
    """First digit of the Kemendagri province code; Kepulauan Riau (21) is Sumatera."""
    return "1" if province_code[0] == "2" else province_code[0]
