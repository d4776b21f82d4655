"""The campaign rule restated from the raw rows, independently of service.domain.

A commitment is a partnership with status active, completed or reported lasting at
least 6 months (duration_months, else whole months from start_date to end_date); its
partner counts once for the province of the partnership's district, in the category of
its kind -- media only where they are local media (not national; operating or
headquartered in the province). By default only the real record counts (no synthetic
partner or partnership).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict

from sqlalchemy import Engine, select

from service.db.models import (
    District,
    Partner,
    PartnerDistrict,
    PartnerProvince,
    Partnership,
    Province,
)

TARGETS = {"COMPANY": 5, "REGIONAL_PARTNER": 10, "LOCAL_MEDIA": 4}
NOT_LOCAL_MEDIA = "media that are not local media in the province"
WORLDS = {"REAL": False, "DEMO": True}


def category(kind: str) -> str:
    if kind in ("company", "state_owned_company"):
        return "COMPANY"
    if kind == "media":
        return "LOCAL_MEDIA"
    return "REGIONAL_PARTNER"


def months(start: dt.date, end: dt.date) -> int:
    """Whole months, counted by stepping one month at a time (not the code's formula);
    a step from the 31st lands on the last day of a shorter month."""
    count = 0
    while True:
        index = start.month - 1 + count + 1
        year, month = start.year + index // 12, index % 12 + 1
        step = dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
        if step > end:
            return count
        count += 1


def media_homes(engine: Engine) -> dict[int, set[str]]:
    """Provinces where each media partner is local media (national ones: none)."""
    with engine.connect() as conn:
        district_province = {
            key.lower(): code
            for name, short, code in conn.execute(
                select(District.name, District.short_name, District.province_code)
            )
            for key in (name, short)
        }
        of_district = dict(conn.execute(select(District.code, District.province_code)).all())
        homes: dict[int, set[str]] = {}
        for pid, scope, hq in conn.execute(
            select(Partner.id, Partner.scope, Partner.headquarters).where(Partner.kind == "media")
        ):
            home: set[str] = set()
            if scope != "national":
                if hq and hq.lower() in district_province:
                    home.add(district_province[hq.lower()])
                home |= set(
                    conn.execute(
                        select(PartnerProvince.province_code).where(
                            PartnerProvince.partner_id == pid
                        )
                    ).scalars()
                )
                home |= {
                    of_district[c]
                    for c in conn.execute(
                        select(PartnerDistrict.district_code).where(
                            PartnerDistrict.partner_id == pid
                        )
                    ).scalars()
                }
            homes[pid] = home
    return homes


def expected_progress(
    engine: Engine, *, demo: bool = False, min_months: int = 6
) -> tuple[dict[tuple[str, str], set[int]], list[str]]:
    homes = media_homes(engine)
    stmt = (
        select(
            Partnership.partner_id,
            Partner.kind,
            Partner.synthetic,
            Partnership.synthetic,
            District.province_code,
            Partnership.status,
            Partnership.duration_months,
            Partnership.start_date,
            Partnership.end_date,
        )
        .join(Partner, Partner.id == Partnership.partner_id)
        .join(District, District.code == Partnership.district_code)
    )
    committed: dict[tuple[str, str], set[int]] = defaultdict(set)
    with engine.connect() as conn:
        codes = sorted(conn.execute(select(Province.code)).scalars())
        for row in conn.execute(stmt):
            partner_id, kind, synthetic, synthetic_row, province, status, duration, start, end = row
            if status not in ("active", "completed", "reported"):
                continue
            if (synthetic or synthetic_row) and not demo:
                continue
            length = (
                duration
                if duration is not None
                else (months(start, end) if start is not None and end is not None else None)
            )
            if length is None or length < max(min_months, 6):
                continue
            if kind == "media" and province not in homes[partner_id]:
                # committed, counted nationally, but filling no province's quota
                committed[(province, NOT_LOCAL_MEDIA)].add(partner_id)
            else:
                committed[(province, category(kind))].add(partner_id)
    return committed, codes
