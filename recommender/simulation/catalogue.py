"""Synthetic partners: a catalogue of invented organisations working in real districts.

Part of :mod:`recommender.simulation`; every name ends in ``" (synthetic)"`` and every
description starts with :data:`~recommender.simulation.world.DESCRIPTION_PREFIX`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recommender.simulation.world import (
    DESCRIPTION_PREFIX,
    SYNTHETIC_SUFFIX,
    Geo,
    district_geo,
)
from recommender.vocab import AREAS, COMPANY_KINDS, SCOPES


@dataclass(frozen=True)
class KindProfile:
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

# The stems of fictional names avoid these (brands, real organisations, and the common
# words that real Indonesian organisation names are built from).
BLOCKED_WORDS = (
    "mandiri",
    "pertamina",
    "telkom",
    "astra",
    "sinar",
    "bumi",
    "jaya",
    "adaro",
    "wilmar",
    "danone",
    "aqua",
    "indofood",
    "unilever",
    "nestle",
    "garuda",
    "semen",
    "pupuk",
    "bank",
    "bakti",
    "rakyat",
    "negara",
    "nusa",
    "indo",
    "sampoerna",
    "djarum",
    "tanoto",
    "freeport",
    "vale",
    "antam",
    "timah",
    "medco",
    "chevron",
    "unicef",
    "care",
    "plan",
    "wahana",
    "dompet",
    "rumah",
    "baznas",
    "lazis",
    "muhammad",
    "aisyiyah",
    "nahdl",
    "mitra",
    "kasih",
    "peduli",
    "sehat",
    "bina",
    "karya",
    "tunas",
    "harapan",
    "cahaya",
    "mulia",
    "abadi",
    "sentosa",
    "lestari",
    "mekar",
    "dharma",
    "amanah",
    "surya",
    "putra",
    "putri",
    "tani",
    "rama",
    "sari",
    "mas",
    "kota",
    "dana",
    "gizi",
    "anak",
    "ibu",
    "bapak",
    "kuda",
    "babi",
    "tai",
    "pantat",
    "kontol",
    "memek",
    "anjing",
    "bego",
    "tolol",
)
_ONSETS = ("b", "d", "g", "k", "l", "m", "n", "p", "r", "s", "t", "w", "j", "h", "v", "z")
_VOWELS = ("a", "i", "u", "e", "o")
_CODAS = ("", "", "", "n", "r", "l")
_NAME_PATTERNS: dict[str, tuple[str, ...]] = {
    "company": ("PT {s} {w}", "PT {s} {w} Tbk"),
    "state_owned_company": ("PT {s} {w} (Persero)", "Perum {s} {w}"),
    "foundation": ("Yayasan {s}", "Yayasan {s} Foundation"),
    "media": ("{s} Pos", "Radio {s} FM", "{s} TV", "{s}news.example"),
    "ngo": ("Perkumpulan {s}", "{s} Initiative", "Lembaga {s} Community Care"),
    "zakat_org": ("Lembaga Amil Zakat {s}",),
    "academia": ("Universitas {s}", "Politeknik Kesehatan {s}", "Institut {s}"),
    "international_org": ("{s} International Development Trust", "{s} Global Nutrition Fund"),
    "government_body": ("{s} Regional Development Fund", "Badan Pembangunan {s}"),
}
_SECTOR_WORDS: dict[str, str] = {
    "mining_coal": "Batubara",
    "mining_nickel": "Nikel",
    "mining_copper_gold": "Mineral",
    "mining_tin": "Stannum",
    "palm_oil": "Agro Sawit",
    "plantation_agriculture": "Perkebunan",
    "pulp_paper": "Pulp",
    "oil_gas": "Petro",
    "fertilizer_petrochemical": "Kimia",
    "cement": "Beton",
    "fmcg_food_beverage": "Pangan",
    "retail": "Retail",
    "banking": "Finansial",
    "telecom": "Telekomunikasi",
    "poultry_breeding": "Unggas",
    "power_energy": "Energi",
    "electricity": "Listrik",
    "ports_logistics": "Logistik",
}


# ---------------------------------------------------------------------------------------
# Catalogue


def _stems(rng: np.random.Generator, n: int, banned: set[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        k = int(rng.integers(2, 4))
        s = "".join(
            _ONSETS[rng.integers(len(_ONSETS))]
            + _VOWELS[rng.integers(len(_VOWELS))]
            + (_CODAS[rng.integers(len(_CODAS))] if i == k - 1 else "")
            for i in range(k)
        )
        if len(s) < 5 or s in seen:
            continue
        if any(w in s for w in BLOCKED_WORDS) or any(s in b or b in s for b in banned):
            continue
        seen.add(s)
        out.append(s.capitalize())
    return out


def _real_name_tokens() -> set[str]:
    path = Path(__file__).resolve().parents[2] / "data" / "reference" / "real_partnerships.csv"
    if not path.exists():
        return set()
    names = pd.read_csv(path, usecols=["partner_name"])["partner_name"].dropna().unique()
    return {t for n in names for t in re.findall(r"[a-z]{5,}", n.lower())}


def _site_weights(g: Geo, sector: str) -> np.ndarray:
    provs, style = SECTOR_SITES.get(sector, ((), CONSUMER))
    if style == EXTRACTIVE:
        w = np.sqrt(g.area) * np.where(g.is_kota, 0.05, 1.0)
    else:
        w = g.pop**0.8 * np.where(g.is_kota, 2.0, 1.0)
    if provs:
        w = w * np.where(np.isin(g.prov, provs), 1.0, 0.02 if style == EXTRACTIVE else 0.15)
    return w / w.sum()


def _choose(rng: np.random.Generator, w: np.ndarray, k: int) -> np.ndarray:
    k = min(k, int((w > 0).sum()))
    return rng.choice(len(w), size=k, replace=False, p=w / w.sum())


def generate_catalogue(districts: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    """Invent a catalogue of synthetic partners operating in real districts.

    Parameters
    ----------
    districts : pandas.DataFrame
        One row per district with ``code, province_code, latitude, longitude,
        population, area_km2, underdeveloped, prevalence, prevalence_imputed``;
        ``short_name`` and ``type`` are used when present.
    seed : int
        Seed of the numpy random generator; the same seed gives the same frame.

    Returns
    -------
    pandas.DataFrame
        One row per partner: ``name, kind, sector, scope, headquarters,
        annual_budget_idr, typical_commitment_months, description, website, areas,
        province_codes, district_codes``.
    """
    rng = np.random.default_rng([seed, 1])
    g = district_geo(districts)
    short = districts["short_name"].astype(str).to_numpy() if "short_name" in districts else g.codes
    n_total = sum(p.count for p in PROFILES.values())
    stems = _stems(rng, n_total, _real_name_tokens())
    pop_w = g.pop**0.7
    prov_codes = np.unique(g.prov)
    prov_pop = np.array([g.pop[g.prov == p].sum() for p in prov_codes])
    big_city = np.where(g.is_kota, g.pop, g.pop * 0.2) ** 1.5
    in_jakarta = np.where(g.prov == "31", big_city, 0.0)

    def jakarta() -> int:
        return int(rng.choice(len(in_jakarta), p=in_jakarta / in_jakarta.sum()))

    rows: list[dict[str, object]] = []
    names: set[str] = set()
    for kind, prof in PROFILES.items():
        area_w = np.array([prof.area_w.get(a, 0.0) for a in AREAS])
        for _ in range(prof.count):
            stem = stems[len(rows)]
            scope = SCOPES[rng.choice(3, p=prof.scope_p)]
            sector = prof.sectors[rng.integers(len(prof.sectors))]
            is_company = kind in COMPANY_KINDS
            if is_company:
                w = _site_weights(g, sector)
                if scope == "national":
                    sites = _choose(rng, w, int(rng.integers(4, 13)))
                else:
                    home = g.prov[rng.choice(len(w), p=w)]
                    wp = np.where(g.prov == home, w, 0.0)
                    k = (
                        int(rng.integers(1, 5))
                        if scope == "provincial"
                        else int(rng.integers(1, 3))
                    )
                    sites = _choose(rng, wp, k)
                hq = jakarta() if scope == "national" and rng.random() < 0.7 else sites[0]
            else:
                if scope == "national":
                    hq = (
                        jakarta()
                        if rng.random() < 0.7
                        else rng.choice(len(g.pop), p=big_city / big_city.sum())
                    )
                    # field offices where stunting is high
                    w = np.exp(0.8 * g.need) * pop_w
                    sites = np.concatenate([[hq], _choose(rng, w, int(rng.integers(2, 9)))])
                elif scope == "provincial":
                    home = prov_codes[rng.choice(len(prov_codes), p=prov_pop / prov_pop.sum())]
                    idx = np.flatnonzero(g.prov == home)
                    hq = idx[np.argmax(big_city[idx])] if rng.random() < 0.7 else rng.choice(idx)
                    w = np.where(g.prov == home, np.exp(0.5 * g.need), 0.0)
                    sites = np.concatenate([[hq], _choose(rng, w, int(rng.integers(1, 5)))])
                else:
                    hq = rng.choice(len(pop_w), p=pop_w / pop_w.sum())
                    near = np.argsort(np.where(g.prov == g.prov[hq], g.dist[hq], np.inf))
                    sites = np.concatenate([[hq], near[1 : 1 + int(rng.integers(0, 3))]])
            sites = np.unique(sites)
            provs = sorted(set(g.prov[sites]))
            if scope == "provincial" and not is_company and rng.random() < 0.2:
                nearest = g.prov[np.argsort(g.dist[hq])]
                provs = sorted(set(provs) | {next(p for p in nearest if p not in provs)})
            n_areas = int(rng.integers(1, 4)) + (kind in ("international_org", "ngo"))
            areas = [AREAS[i] for i in sorted(_choose(rng, area_w, n_areas))]
            scope_budget = {"national": 0.6, "provincial": 0.0, "local": -0.6}[scope]
            budget = 10 ** (prof.budget_log10 + scope_budget + rng.normal(0, 0.35))
            lo, hi = prof.commitment
            pattern = _NAME_PATTERNS[kind][rng.integers(len(_NAME_PATTERNS[kind]))]
            name = pattern.format(s=stem, w=_SECTOR_WORDS.get(sector, "")).strip()
            name = re.sub(r"\s+", " ", name) + SYNTHETIC_SUFFIX
            assert name not in names
            names.add(name)
            rows.append(
                {
                    "name": name,
                    "kind": kind,
                    "sector": sector,
                    "scope": scope,
                    "headquarters": str(short[hq]),
                    "annual_budget_idr": int(round(budget, -6)),
                    "typical_commitment_months": int(rng.integers(lo, hi + 1)),
                    "description": f"{DESCRIPTION_PREFIX} A {scope} {kind.replace('_', ' ')} "
                    f"({sector.replace('_', ' ')}) working on "
                    f"{', '.join(a.replace('_', ' ') for a in areas)}.",
                    "website": None,
                    "areas": areas,
                    "province_codes": provs,
                    "district_codes": [str(c) for c in g.codes[sites]],
                }
            )
    return pd.DataFrame(rows)
