"""Who the synthetic partners are: a profile per partner kind, and where each sector sits.

Part of :mod:`recommender.simulation` (read by :mod:`~recommender.simulation.catalogue` and
:mod:`~recommender.simulation.history`). The numbers are the simulator's assumptions,
documented in ``docs/synthetic-data.md``; nothing here describes a real organisation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KindProfile:
    """How many partners of one kind to invent, their scope odds and sectors."""

    count: int
    scope_p: tuple[float, float, float]  # national, provincial, local
    sectors: tuple[str, ...]
    area_w: dict[str, float]
    budget_log10: float  # median annual stunting budget, log10 IDR
    commitment: tuple[int, int]  # typical commitment months, low/high
    site_bonus: float  # utility of working where it operates
    need_weight: float  # how much district need drives its choice
    success_effect: float  # kind effect on the success logit
    rate: float  # relative number of partnerships per year


PROFILES: dict[str, KindProfile] = {
    "company": KindProfile(
        92,
        (0.25, 0.40, 0.35),
        (
            "mining_coal",
            "mining_nickel",
            "mining_copper_gold",
            "palm_oil",
            "oil_gas",
            "pulp_paper",
            "fmcg_food_beverage",
            "retail",
            "banking",
            "telecom",
            "cement",
            "poultry_breeding",
            "power_energy",
        ),
        {
            "wash": 3,
            "food_supplementation": 3,
            "funding": 2,
            "economic_empowerment": 2,
            "foster_parent_sponsorship": 2,
            "health_services": 1,
            "food_security_agriculture": 1,
        },
        9.4,
        (6, 24),
        3.0,
        0.4,
        0.2,
        1.0,
    ),
    "state_owned_company": KindProfile(
        40,
        (0.50, 0.40, 0.10),
        (
            "banking",
            "electricity",
            "oil_gas",
            "fertilizer_petrochemical",
            "plantation_agriculture",
            "mining_tin",
            "cement",
            "telecom",
            "ports_logistics",
        ),
        {
            "foster_parent_sponsorship": 3,
            "food_supplementation": 3,
            "funding": 2,
            "wash": 2,
            "economic_empowerment": 1,
            "food_security_agriculture": 1,
        },
        9.6,
        (6, 24),
        2.5,
        0.6,
        0.3,
        1.2,
    ),
    "foundation": KindProfile(
        40,
        (0.30, 0.40, 0.30),
        ("philanthropy", "corporate_foundation", "religious_foundation"),
        {
            "food_supplementation": 3,
            "parenting_early_childhood": 2,
            "funding": 2,
            "foster_parent_sponsorship": 2,
            "health_services": 1,
            "wash": 1,
        },
        9.0,
        (6, 24),
        1.5,
        1.0,
        0.3,
        1.0,
    ),
    "media": KindProfile(
        60,
        (0.10, 0.30, 0.60),
        ("media_news", "media_broadcast", "media_radio", "media_online"),
        {
            "behaviour_change_campaign": 6,
            "parenting_early_childhood": 1,
            "capacity_building_data": 1,
        },
        8.0,
        (3, 12),
        1.5,
        0.6,
        -0.8,
        0.8,
    ),
    "ngo": KindProfile(
        50,
        (0.15, 0.35, 0.50),
        ("development_ngo", "health_ngo", "child_development_ngo", "religious_womens_org"),
        {
            "parenting_early_childhood": 3,
            "behaviour_change_campaign": 3,
            "health_services": 2,
            "wash": 2,
            "capacity_building_data": 2,
            "economic_empowerment": 1,
        },
        8.6,
        (6, 24),
        1.5,
        1.0,
        0.2,
        1.0,
    ),
    "zakat_org": KindProfile(
        30,
        (0.15, 0.30, 0.55),
        ("zakat",),
        {
            "food_supplementation": 4,
            "foster_parent_sponsorship": 3,
            "economic_empowerment": 2,
            "funding": 2,
        },
        8.7,
        (3, 12),
        1.5,
        1.0,
        -0.3,
        1.0,
    ),
    "academia": KindProfile(
        30,
        (0.05, 0.45, 0.50),
        ("university", "polytechnic"),
        {
            "capacity_building_data": 4,
            "health_services": 2,
            "parenting_early_childhood": 2,
            "food_security_agriculture": 2,
            "behaviour_change_campaign": 1,
        },
        8.3,
        (4, 12),
        1.5,
        0.8,
        0.0,
        0.8,
    ),
    "international_org": KindProfile(
        10,
        (1.0, 0.0, 0.0),
        ("un_agency", "bilateral_donor", "international_ngo"),
        {
            "health_services": 3,
            "wash": 3,
            "capacity_building_data": 3,
            "food_security_agriculture": 2,
            "food_supplementation": 2,
            "funding": 1,
        },
        10.0,
        (12, 36),
        1.5,
        1.3,
        0.6,
        1.4,
    ),
    "government_body": KindProfile(
        10,
        (0.40, 0.60, 0.0),
        ("development_agency", "regional_development_bank"),
        {
            "capacity_building_data": 3,
            "funding": 3,
            "health_services": 2,
            "economic_empowerment": 1,
        },
        9.5,
        (12, 24),
        1.5,
        1.0,
        0.1,
        1.0,
    ),
}

# Where a company of a sector has its sites: preferred provinces (empty = anywhere),
# whether it sits in kabupaten (land) or in big towns (people).
EXTRACTIVE = "extractive"
CONSUMER = "consumer"
SECTOR_SITES: dict[str, tuple[tuple[str, ...], str]] = {
    "mining_coal": (("63", "64", "65", "15", "16", "62"), EXTRACTIVE),
    "mining_nickel": (("72", "73", "74", "82"), EXTRACTIVE),
    "mining_copper_gold": (("52", "94", "71", "75", "81"), EXTRACTIVE),
    "mining_tin": (("19", "21"), EXTRACTIVE),
    "palm_oil": (("14", "15", "16", "12", "61", "62", "63", "64", "76", "92"), EXTRACTIVE),
    "plantation_agriculture": (("12", "14", "16", "18", "35", "33", "61", "73"), EXTRACTIVE),
    "pulp_paper": (("14", "15", "16", "64", "61"), EXTRACTIVE),
    "oil_gas": (("14", "64", "35", "16", "15", "11", "92", "96", "32"), EXTRACTIVE),
    "fertilizer_petrochemical": (("35", "32", "11", "16", "64"), CONSUMER),
    "cement": (("32", "33", "35", "73", "13", "36"), CONSUMER),
    "fmcg_food_beverage": (("31", "32", "33", "35", "36", "34", "51", "12"), CONSUMER),
    "poultry_breeding": (("32", "33", "35", "12", "18", "73"), CONSUMER),
}
