"""Rows for provinces, districts and stunting measurements, read from ``data/reference``.

Everything here is pure: CSV in, typed row dicts out, ready for a bulk insert. See
``data/reference/PROVENANCE.md`` for where each column comes from.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from recommender.geography import island_group
from service.db.enums import STUNTING_INDICATOR, MeasurementLevel
from service.settings import REFERENCE_DIR

Row = dict[str, Any]

# The two surveys that published district (kab/kota) figures. Only these are imputed.
DISTRICT_SURVEYS: tuple[str, ...] = ("SSGI 2021", "SSGI 2022")


def read_csv(name: str, directory: Path = REFERENCE_DIR) -> list[dict[str, str]]:
    """All rows of a reference CSV as strings; empty cells are empty strings."""
    with (directory / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _opt_float(value: str) -> float | None:
    return float(value) if value.strip() else None


def _opt_int(value: str) -> int | None:
    return int(value) if value.strip() else None


def _opt_str(value: str) -> str | None:
    return value.strip() or None


def _as_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered not in {"true", "false"}:
        raise ValueError(f"expected true/false, got {value!r}")
    return lowered == "true"


def source_host(url: str) -> str:
    """``https://www.databoks.katadata.co.id/x`` -> ``databoks.katadata.co.id``."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def source_label(survey: str, url: str) -> str:
    host = source_host(url)
    return f"{survey} via {host}" if host else survey


@dataclass(frozen=True)
class ReferenceRows:
    provinces: list[Row]
    districts: list[Row]
    measurements: list[Row]


def province_rows(directory: Path = REFERENCE_DIR) -> list[Row]:
    priority = {
        r["province_code"] for r in read_csv("stunting_priority_provinces_2022.csv", directory)
    }
    rows = []
    for r in read_csv("provinces.csv", directory):
        code = r["province_code"]
        rows.append(
            {
                "code": code,
                "name": r["name"],
                "latitude": _opt_float(r["latitude"]),
                "longitude": _opt_float(r["longitude"]),
                "area_km2": _opt_float(r["area_km2"]),
                "population": _opt_int(r["population_total"]),
                "island_group": island_group(code),
                "exists_pre_2022": _as_bool(r["exists_pre_2022"]),
                "pre_2022_code": _opt_str(r["pre_2022_province_code"]),
                "priority_2022": code in priority,
            }
        )
    unknown = priority - {row["code"] for row in rows}
    if unknown:
        raise ValueError(f"priority provinces not in provinces.csv: {sorted(unknown)}")
    return rows


def district_rows(directory: Path = REFERENCE_DIR) -> list[Row]:
    underdeveloped = {
        r["district_code"] for r in read_csv("underdeveloped_districts_2020_2024.csv", directory)
    }
    rows = []
    for r in read_csv("districts.csv", directory):
        rows.append(
            {
                "code": r["district_code"],
                "province_code": r["province_code"],
                "name": r["name"],
                "short_name": r["short_name"],
                "type": r["type"],
                "latitude": float(r["latitude"]),
                "longitude": float(r["longitude"]),
                "area_km2": _opt_float(r["area_km2"]),
                "population": _opt_int(r["population_total"]),
                "underdeveloped": r["district_code"] in underdeveloped,
                "bps_code_2020": _opt_str(r["bps_code_2020"]),
                "pre_2022_code": _opt_str(r["pre_2022_district_code"]),
            }
        )
    unknown = underdeveloped - {row["code"] for row in rows}
    if unknown:
        raise ValueError(f"underdeveloped districts not in districts.csv: {sorted(unknown)}")
    return rows


def _measurement(
    r: dict[str, str], *, level: MeasurementLevel, province: str | None, district: str | None
) -> Row:
    return {
        "level": level.value,
        "province_code": province,
        "district_code": district,
        "indicator": STUNTING_INDICATOR,
        "year": int(r["year"]),
        "survey": r["survey"],
        "value": float(r["prevalence_pct"]),
        "source": source_label(r["survey"], r["source_url"]),
        "source_url": _opt_str(r["source_url"]),
        "imputed": False,
        "boundary": _opt_str(r.get("boundary", "")),
        "notes": _opt_str(r["notes"]),
    }


def measurement_rows(directory: Path = REFERENCE_DIR) -> list[Row]:
    """Published national, province and district figures, plus imputed district rows.

    A district without a published figure for one of :data:`DISTRICT_SURVEYS` gets
    the figure of its province in that survey, flagged ``imputed``. Those surveys
    used the 34-province boundaries, so the province is the district's *pre-2022*
    province (districts of Papua Selatan/Tengah/Pegunungan take Papua's figure).
    """
    rows: list[Row] = []
    for r in read_csv("stunting_prevalence_national.csv", directory):
        rows.append(_measurement(r, level=MeasurementLevel.NATIONAL, province=None, district=None))

    province_figures: dict[tuple[str, str], dict[str, str]] = {}
    for r in read_csv("stunting_prevalence_province.csv", directory):
        rows.append(
            _measurement(
                r, level=MeasurementLevel.PROVINCE, province=r["province_code"], district=None
            )
        )
        province_figures[(r["province_code"], r["survey"])] = r

    published: set[tuple[str, str]] = set()
    for r in read_csv("stunting_prevalence_district.csv", directory):
        rows.append(
            _measurement(
                r,
                level=MeasurementLevel.DISTRICT,
                province=r["province_code"],
                district=r["district_code"],
            )
        )
        published.add((r["district_code"], r["survey"]))

    old_provinces = read_csv("provinces_pre_2022.csv", directory)
    old_names = {r["province_code"]: r["name"] for r in old_provinces}
    split = {r["province_code"] for r in old_provinces if ";" in r["successor_province_codes"]}
    for d in read_csv("districts.csv", directory):
        for survey in DISTRICT_SURVEYS:
            if (d["district_code"], survey) in published:
                continue
            old = d["pre_2022_province_code"]
            figure = province_figures.get((old, survey))
            if figure is None:
                raise ValueError(
                    f"no {survey} figure for province {old} to impute {d['district_code']}"
                )
            where = f"province {old} {old_names[old]}"
            if old in split:
                where += " (pre-2022 boundary, before the 2022 split)"
            rows.append(
                {
                    "level": MeasurementLevel.DISTRICT.value,
                    "province_code": d["province_code"],
                    "district_code": d["district_code"],
                    "indicator": STUNTING_INDICATOR,
                    "year": int(figure["year"]),
                    "survey": survey,
                    "value": float(figure["prevalence_pct"]),
                    "source": f"imputed: province figure, {survey}",
                    "source_url": _opt_str(figure["source_url"]),
                    "imputed": True,
                    "boundary": None,
                    "notes": (
                        f"No published {survey} figure for this district; "
                        f"imputed with the {survey} figure of {where}."
                    ),
                }
            )
    return rows


def reference_rows(directory: Path = REFERENCE_DIR) -> ReferenceRows:
    return ReferenceRows(
        provinces=province_rows(directory),
        districts=district_rows(directory),
        measurements=measurement_rows(directory),
    )
