"""Write partners and partnerships (real or synthetic) with their association rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from service.db.models import (
    Partner,
    PartnerArea,
    PartnerDistrict,
    PartnerProvince,
    Partnership,
    PartnershipArea,
)
from service.seed.reference import Row
from service.seed.store import Written, sync_links, sync_rows

# The partner columns the seed writes: the model's, less the key and what only a write sets.
PARTNER_SEED_COLUMNS: tuple[str, ...] = tuple(
    c.key for c in Partner.__table__.columns if c.key not in {"id", "archived_at", "created_at"}
)


def partner_row(**values: Any) -> Row:
    """Return a partner row with every seeded column, ``None`` for those ``values`` leaves out."""
    unknown = sorted(set(values) - set(PARTNER_SEED_COLUMNS))
    if unknown:
        raise TypeError(f"unknown partner columns: {', '.join(unknown)}")
    return {c: values.get(c) for c in PARTNER_SEED_COLUMNS}


# Natural keys of a partnership: real rows are told apart by their source page,
# synthetic rows by their start date.
REAL_PARTNERSHIP_KEY = ("partner_id", "district_code", "start_year", "source_url")
SYNTHETIC_PARTNERSHIP_KEY = ("partner_id", "district_code", "start_date")


def write_partners(
    session: Session,
    partners: Sequence[Row],
    *,
    synthetic: bool,
    areas: Mapping[str, Sequence[str] | set[str]],
    provinces: Mapping[str, Sequence[str] | set[str]],
    districts: Mapping[str, Sequence[str] | set[str]],
    written: dict[str, Written],
) -> dict[str, int]:
    """Partners keyed by name, plus their areas, provinces and districts; name -> id."""
    result, keyed = sync_rows(
        session, Partner, partners, key=("name",), where=Partner.synthetic.is_(synthetic)
    )
    written["partner"].add(result)
    ids = {name: pk for (name,), pk in keyed.items()}
    mine = [ids[p["name"]] for p in partners]
    for model, value, links in (
        (PartnerArea, "area", areas),
        (PartnerProvince, "province_code", provinces),
        (PartnerDistrict, "district_code", districts),
    ):
        written[model.__tablename__].add(
            sync_links(
                session,
                model,
                owner="partner_id",
                value=value,
                links={(ids[name], v) for name, values in links.items() for v in values},
                owners=mine,
            )
        )
    return ids


def write_partnerships(
    session: Session,
    partnerships: Sequence[Row],
    areas: Sequence[Sequence[str]],
    *,
    partner_ids: Mapping[str, int],
    synthetic: bool,
    written: dict[str, Written],
) -> None:
    """Partnerships (rows name their partner as ``partner_name``) and their areas."""
    key = SYNTHETIC_PARTNERSHIP_KEY if synthetic else REAL_PARTNERSHIP_KEY
    rows: list[Row] = []
    for p in partnerships:
        row: dict[str, Any] = {k: v for k, v in p.items() if k != "partner_name"}
        row["partner_id"] = partner_ids[p["partner_name"]]
        rows.append(row)
    result, keyed = sync_rows(
        session, Partnership, rows, key=key, where=Partnership.synthetic.is_(synthetic)
    )
    written["partnership"].add(result)
    links: set[tuple[int, str]] = set()
    owners: list[int] = []
    for row, row_areas in zip(rows, areas, strict=True):
        pk = keyed[tuple(row[c] for c in key)]
        owners.append(pk)
        links.update((pk, a) for a in row_areas)
    written["partnership_area"].add(
        sync_links(
            session,
            PartnershipArea,
            owner="partnership_id",
            value="area",
            links=links,
            owners=owners,
        )
    )
