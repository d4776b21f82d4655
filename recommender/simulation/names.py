"""Fictional names for synthetic partners, built so that none is a real organisation's.

Part of :mod:`recommender.simulation`: random syllable stems that avoid brands, real
organisations (every word of five letters or more in ``real_partnerships.csv``) and the
common words real Indonesian organisation names are built from, set in a pattern typical
of the partner's kind.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

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


def name_stems(rng: np.random.Generator, n: int) -> list[str]:
    """Draw ``n`` distinct capitalised stems that no real partner's name contains."""
    return _stems(rng, n, _real_name_tokens())


def fictional_name(rng: np.random.Generator, stem: str, kind: str, sector: str) -> str:
    """Set ``stem`` in a name pattern of ``kind`` (one draw of ``rng``), spaces collapsed."""
    pattern = _NAME_PATTERNS[kind][rng.integers(len(_NAME_PATTERNS[kind]))]
    name = pattern.format(s=stem, w=_SECTOR_WORDS.get(sector, "")).strip()
    return re.sub(r"\s+", " ", name)
