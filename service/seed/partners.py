"""Real partners and partnerships from ``real_partnerships.csv``.

One CSV row is one publicly reported partner-district pair. Business units (PLN
units, Pertamina Patra Niaga regions, 'Aisyiyah branches, ...) are rolled up into
the company or organisation they belong to with ``partner_name_map.csv``; separate
legal entities are never merged. The name the source printed stays in the
partnership notes ("reported as: ...").

Partner fields are the collector's classification (kind, sector) and reported facts
(areas, provinces, districts). ``scope`` is rule-based on the reported footprint:
``national`` for international organisations or partners reported in two or more
provinces, ``provincial`` for two or more districts of one province, else ``local``.
It describes what the sources show, not the size of the organisation. A partner's
``source_url`` is the page of its first row in the CSV; ``headquarters`` is the
``partner_hq_city`` the CSV gives for the partner itself (a unit's office city is not
the head office of the company it is rolled into); budget, commitment, website and
description stay NULL because the sources do not give them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from service.db.enums import InterventionArea, PartnerKind, PartnerScope, PartnershipStatus
from service.seed.catalogue import partner_row
from service.seed.reference import Row, read_csv
from service.settings import REFERENCE_DIR

PARTNERSHIPS_CSV = "real_partnerships.csv"
NAME_MAP_CSV = "partner_name_map.csv"


@dataclass(frozen=True)
class RealPartners:
    """Partner rows (by name), partnership rows (``partner_name`` instead of an id)."""

    partners: list[Row]
    partner_areas: dict[str, set[str]]
    partner_provinces: dict[str, set[str]]
    partner_districts: dict[str, set[str]]
    partnerships: list[Row]
    partnership_areas: list[list[str]]  # parallel to ``partnerships``
    skipped: list[str]  # CSV rows that could not be mapped to a district, with the reason


def load_name_map(directory: Path = REFERENCE_DIR) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for r in read_csv(NAME_MAP_CSV, directory):
        source, target = r["source_name"].strip(), r["partner_name"].strip()
        if not source or not target or not r["reason"].strip():
            raise ValueError(f"{NAME_MAP_CSV}: incomplete row {r}")
        if source in mapping:
            raise ValueError(f"{NAME_MAP_CSV}: {source!r} mapped twice")
        mapping[source] = target
    return mapping


def parse_areas(value: str) -> list[str]:
    """``a;b;;a`` -> ``[a, b]``; raises ValueError on a value outside the vocabulary."""
    areas = [a.strip() for a in value.split(";") if a.strip()]
    for area in areas:
        InterventionArea(area)  # raises on a value outside the vocabulary
    return sorted(set(areas))


def _scope(kind: str, provinces: set[str], districts: set[str]) -> str:
    if kind == PartnerKind.INTERNATIONAL_ORG or len(provinces) >= 2:
        return PartnerScope.NATIONAL.value
    if len(districts) >= 2:
        return PartnerScope.PROVINCIAL.value
    return PartnerScope.LOCAL.value


def _one(values: set[str], what: str, partner: str) -> str:
    if len(values) != 1:
        raise ValueError(
            f"{PARTNERSHIPS_CSV}: {partner!r} has conflicting {what}: {sorted(values)}"
        )
    return next(iter(values))


def real_partner_rows(
    district_provinces: dict[str, str], directory: Path = REFERENCE_DIR
) -> RealPartners:
    """Rows for real partners and partnerships.

    ``district_provinces`` maps every known district code to its province code; a CSV
    row whose district code is empty or unknown is skipped (never guessed) and
    listed in ``skipped``.
    """
    name_map = load_name_map(directory)
    rows = read_csv(PARTNERSHIPS_CSV, directory)
    unused = set(name_map) - {r["partner_name"] for r in rows}
    if unused:
        raise ValueError(f"{NAME_MAP_CSV}: names not in {PARTNERSHIPS_CSV}: {sorted(unused)}")

    order: list[str] = []
    kinds: dict[str, set[str]] = {}
    sectors: dict[str, set[str]] = {}
    hqs: dict[str, set[str]] = {}
    first_url: dict[str, str | None] = {}
    areas: dict[str, set[str]] = {}
    provinces: dict[str, set[str]] = {}
    districts: dict[str, set[str]] = {}
    partnerships: list[Row] = []
    partnership_areas: list[list[str]] = []
    skipped: list[str] = []

    for line, r in enumerate(rows, start=2):  # line 1 is the header
        reported = r["partner_name"].strip()
        name = name_map.get(reported, reported)
        if name not in kinds:
            order.append(name)
            kinds[name], sectors[name], hqs[name] = set(), set(), set()
            areas[name], provinces[name], districts[name] = set(), set(), set()
            first_url[name] = r["source_url"].strip() or None
        kinds[name].add(PartnerKind(r["partner_kind"]).value)
        sectors[name].add(r["partner_sector"].strip())
        # A unit's office city is not the head office of the group it is rolled into.
        if name == reported and r["partner_hq_city"].strip():
            hqs[name].add(r["partner_hq_city"].strip())
        row_areas = parse_areas(r["intervention_areas"])
        areas[name].update(row_areas)

        code = r["district_code"].strip()
        if code not in district_provinces:
            why = "no district code" if not code else f"unknown district code {code!r}"
            skipped.append(
                f"{PARTNERSHIPS_CSV} line {line}: {reported} / {r['district_name']!r}: {why}"
            )
            # The province is still a reported fact when the row states it.
            if r["province_code"].strip() in set(district_provinces.values()):
                provinces[name].add(r["province_code"].strip())
            continue
        if r["province_code"].strip() and r["province_code"].strip() != district_provinces[code]:
            raise ValueError(
                f"{PARTNERSHIPS_CSV} line {line}: district {code} is not in province "
                f"{r['province_code']}"
            )
        provinces[name].add(district_provinces[code])
        districts[name].add(code)

        notes = r["notes"].strip() or None
        if name != reported:
            notes = f"reported as: {reported}" + (f"; {notes}" if notes else "")
        partnerships.append(
            {
                "partner_name": name,
                "district_code": code,
                "start_year": int(r["year"]) if r["year"].strip() else None,
                "start_date": None,
                "end_date": None,
                "duration_months": int(r["duration_months"])
                if r["duration_months"].strip()
                else None,
                "budget_idr": int(r["budget_idr"]) if r["budget_idr"].strip() else None,
                "target_beneficiaries": None,
                "status": PartnershipStatus.REPORTED.value,
                "outcome": None,
                "source_url": r["source_url"].strip() or None,
                "notes": notes,
                "synthetic": False,
            }
        )
        partnership_areas.append(row_areas)

    partners: list[Row] = []
    for name in order:
        kind = _one(kinds[name], "kinds", name)
        sector = _one(sectors[name], "sectors", name)
        hq = hqs[name]
        partners.append(  # what the sources report; budget, website, ... stay unknown
            partner_row(
                name=name,
                kind=kind,
                sector=sector or None,
                scope=_scope(kind, provinces[name], districts[name]),
                headquarters=next(iter(hq)) if len(hq) == 1 else None,
                source_url=first_url[name],
                synthetic=False,
            )
        )
    return RealPartners(
        partners=partners,
        partner_areas=areas,
        partner_provinces=provinces,
        partner_districts=districts,
        partnerships=partnerships,
        partnership_areas=partnership_areas,
        skipped=skipped,
    )


def real_partner_frames(
    districts: pd.DataFrame, directory: Path = REFERENCE_DIR
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Real partners and partnerships (with sources) as recommender frames.

    ``districts`` needs ``code`` and ``province_code``. The partners carry their
    ``areas``, ``district_codes`` and ``province_codes``; the partnerships their
    ``areas``, and a row that gives only a year starts on 1 January of it, as the
    service dates it when it reads the seeded rows back.
    """
    codes = dict(zip(districts["code"], districts["province_code"], strict=True))
    rp = real_partner_rows(codes, directory)
    p = pd.DataFrame(rp.partners)
    p["areas"] = [sorted(rp.partner_areas[n]) for n in p["name"]]
    p["district_codes"] = [sorted(rp.partner_districts[n]) for n in p["name"]]
    p["province_codes"] = [sorted(rp.partner_provinces[n]) for n in p["name"]]
    h = pd.DataFrame(rp.partnerships)
    h["areas"] = rp.partnership_areas
    h["start_date"] = [None if pd.isna(y) else dt.date(int(y), 1, 1) for y in h["start_year"]]
    return p, h
