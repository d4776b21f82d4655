"""Turn the synthetic generator's frames into partner and partnership rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from service.db.enums import PartnershipStatus
from service.db.models import Partner
from service.seed.catalogue import PARTNER_SEED_COLUMNS, partner_row
from service.seed.reference import Row

# The database allows one open partnership per partner and district (migration 0002).
OPEN_STATUSES = frozenset({PartnershipStatus.PROPOSED.value, PartnershipStatus.ACTIVE.value})


def _value(v: Any) -> Any:
    """A pandas/numpy cell as a plain Python value (NaN/NaT -> None)."""
    if v is None:
        return None
    if isinstance(v, list | tuple | set):
        return v
    if pd.isna(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v.item() if hasattr(v, "item") else v


def _int(v: Any) -> int | None:
    v = _value(v)
    return None if v is None else int(v)


def _date(v: Any) -> dt.date | None:
    v = _value(v)
    if v is None:
        return None
    return v.date() if isinstance(v, dt.datetime) else v


def _str(v: Any) -> str | None:
    v = _value(v)
    return None if v is None else str(v)


_AS: dict[type, Any] = {int: _int, str: _str}
_COLUMN_TYPES = {c.key: c.type.python_type for c in Partner.__table__.columns}


def _codes(v: Any) -> list[str]:
    return sorted({str(x) for x in v}) if v is not None else []


def catalogue_rows(
    catalogue: pd.DataFrame,
) -> tuple[list[Row], dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]:
    """Partner rows (``synthetic=True``) and their areas, provinces and districts by name."""
    partners: list[Row] = []
    areas: dict[str, list[str]] = {}
    provinces: dict[str, list[str]] = {}
    districts: dict[str, list[str]] = {}
    for rec in catalogue.to_dict("records"):
        name = str(rec["name"])
        # every column the catalogue has, as the column's Python type
        given = {c: _AS[_COLUMN_TYPES[c]](rec[c]) for c in PARTNER_SEED_COLUMNS if c in rec}
        partners.append(partner_row(**given | {"name": name, "synthetic": True}))
        areas[name] = _codes(rec["areas"])
        provinces[name] = _codes(rec["province_codes"])
        districts[name] = _codes(rec["district_codes"])
    return partners, areas, provinces, districts


def history_rows(history: pd.DataFrame) -> tuple[list[Row], list[list[str]]]:
    """Partnership rows (``synthetic=True``, ``partner_name`` instead of an id) and areas."""
    rows: list[Row] = []
    areas: list[list[str]] = []
    for rec in history.to_dict("records"):
        start = _date(rec["start_date"])
        rows.append(
            {
                "partner_name": str(rec["partner_name"]),
                "district_code": str(rec["district_code"]),
                "start_year": start.year if start else None,
                "start_date": start,
                "end_date": _date(rec["end_date"]),
                "duration_months": _int(rec["duration_months"]),
                "budget_idr": _int(rec["budget_idr"]),
                "target_beneficiaries": _int(rec["target_beneficiaries"]),
                "status": str(rec["status"]),
                "outcome": _str(rec["outcome"]),
                "source_url": None,
                "notes": None,
                "synthetic": True,
            }
        )
        areas.append(_codes(rec["areas"]))
    return rows, areas


def drop_second_open(
    rows: list[Row], areas: list[list[str]]
) -> tuple[list[Row], list[list[str]], list[str]]:
    """Keep the earliest open (proposed/active) partnership of each partner-district pair.

    The database holds at most one open partnership per pair; later open rows of a
    pair are dropped and described in the returned list so the report shows them.
    """
    kept_rows: list[Row] = []
    kept_areas: list[list[str]] = []
    dropped: list[str] = []
    open_pairs: set[tuple[str, str]] = set()
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["start_date"] or dt.date.min, i))
    keep = set(order)
    for i in order:
        r = rows[i]
        if r["status"] not in OPEN_STATUSES:
            continue
        pair = (r["partner_name"], r["district_code"])
        if pair in open_pairs:
            keep.discard(i)
            dropped.append(
                f"synthetic history: {r['partner_name']} / {r['district_code']} "
                f"{r['status']} from {r['start_date']}: pair already has an open partnership"
            )
        open_pairs.add(pair)
    for i, (r, a) in enumerate(zip(rows, areas, strict=True)):
        if i in keep:
            kept_rows.append(r)
            kept_areas.append(a)
    return kept_rows, kept_areas, dropped
