"""Seed the database: real reference data, real reported partnerships, synthetic history.

:func:`run_seed` loads, in one transaction,

1. the 38 provinces and 514 districts (``data/reference``),
2. the published stunting figures (national, province, district) plus imputed district
   rows for the SSGI 2021/2022 gaps (see :mod:`service.seed.reference`),
3. the publicly reported partners and partnerships (:mod:`service.seed.partners`),
4. a synthetic catalogue and partnership history from :mod:`recommender.simulation`,
   generated from the districts just loaded (their SSGI 2022 figures, in the frame
   :func:`~service.domain.recommender_data.district_frame` builds) and marked
   ``synthetic``.

Rows are matched on natural keys (province and district code; level, province,
district, indicator and survey of a measurement; partner name; partner, district,
start year and source page of a real partnership; partner, district and start date of
a synthetic one): new rows are inserted, changed ones updated, nothing is deleted.
Running it again with the same seed writes nothing; if anything fails, nothing is
written. A *different* seed on a seeded database adds that seed's synthetic rows next
to the existing ones: seed an empty database to change the synthetic world.

The database holds one open (proposed/active) partnership per partner and district;
a later open synthetic partnership on such a pair is dropped and counted in the report.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from recommender.simulation import generate_catalogue, generate_history
from service.db.models import (
    District,
    IndicatorMeasurement,
    Partner,
    PartnerArea,
    PartnerDistrict,
    PartnerProvince,
    Partnership,
    PartnershipArea,
    Province,
)
from service.domain.recommender_data import district_frame
from service.seed.catalogue import write_partners, write_partnerships
from service.seed.generated import catalogue_rows, drop_second_open, history_rows
from service.seed.partners import real_partner_rows
from service.seed.reference import reference_rows
from service.seed.report import SeedReport, TableCount
from service.seed.store import Written, sync_rows

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

__all__ = ["PREVALENCE_SURVEY", "SeedReport", "TableCount", "run_seed"]

# The simulated world is built on this survey, the latest with district figures.
PREVALENCE_SURVEY = "SSGI 2022"

MEASUREMENT_KEY = ("level", "province_code", "district_code", "indicator", "survey")
TABLES = (
    Province,
    District,
    IndicatorMeasurement,
    Partner,
    PartnerArea,
    PartnerProvince,
    PartnerDistrict,
    Partnership,
    PartnershipArea,
)


def run_seed(engine: Engine, *, seed: int) -> SeedReport:
    """Load reference data, real partnerships and synthetic history; see the module doc."""
    started = time.perf_counter()
    reference = reference_rows()
    written = {model.__tablename__: Written() for model in TABLES}
    with Session(engine) as session, session.begin():
        log.info(
            "seeding: %d provinces, %d districts, %d measurements (reference data)",
            len(reference.provinces),
            len(reference.districts),
            len(reference.measurements),
        )
        written["province"].add(sync_rows(session, Province, reference.provinces, key=("code",))[0])
        written["district"].add(sync_rows(session, District, reference.districts, key=("code",))[0])
        written["indicator_measurement"].add(
            sync_rows(session, IndicatorMeasurement, reference.measurements, key=MEASUREMENT_KEY)[0]
        )
        log.info("seeding: real partners and partnerships from public sources")
        skipped = _load_real_partners(session, written)
        log.info("seeding: synthetic partners and 2019-2024 history (seed %d)", seed)
        dropped = _load_synthetic(session, seed=seed, written=written)
        session.flush()
        tables = tuple(
            TableCount(
                table=name,
                total=_count(session, model),
                inserted=written[name].inserted,
                updated=written[name].updated,
                deleted=written[name].deleted,
            )
            for model in TABLES
            for name in [model.__tablename__]
        )
        facts = (
            *_facts(session),
            (
                "synthetic partnerships dropped (second open one on a partner-district pair)",
                len(dropped),
            ),
        )
    return SeedReport(
        seed=seed,
        tables=tables,
        facts=facts,
        skipped=tuple(skipped),
        synthetic=True,
        seconds=time.perf_counter() - started,
    )


def _load_real_partners(session: Session, written: dict[str, Written]) -> list[str]:
    district_provinces = {
        code: province
        for code, province in session.execute(select(District.code, District.province_code))
    }
    real = real_partner_rows(district_provinces)
    ids = write_partners(
        session,
        real.partners,
        synthetic=False,
        areas=real.partner_areas,
        provinces=real.partner_provinces,
        districts=real.partner_districts,
        written=written,
    )
    write_partnerships(
        session,
        real.partnerships,
        real.partnership_areas,
        partner_ids=ids,
        synthetic=False,
        written=written,
    )
    return real.skipped


def _load_synthetic(session: Session, *, seed: int, written: dict[str, Written]) -> list[str]:
    districts = district_frame(session, survey=PREVALENCE_SURVEY)
    catalogue = generate_catalogue(districts, seed=seed)
    partners, areas, provinces, district_codes = catalogue_rows(catalogue)
    real_names = set(session.scalars(select(Partner.name).where(Partner.synthetic.is_(False))))
    clash = sorted(real_names & {p["name"] for p in partners})
    if clash:
        raise ValueError(f"synthetic partner names clash with real partners: {clash[:5]}")
    ids = write_partners(
        session,
        partners,
        synthetic=True,
        areas=areas,
        provinces=provinces,
        districts=district_codes,
        written=written,
    )
    history = generate_history(districts, catalogue, seed=seed)
    rows, row_areas, dropped = drop_second_open(*history_rows(history))
    write_partnerships(session, rows, row_areas, partner_ids=ids, synthetic=True, written=written)
    for line in dropped:
        log.debug("%s", line)
    return dropped


def _count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _facts(session: Session) -> tuple[tuple[str, int], ...]:
    def n(model: type[object], *where: ColumnElement[bool]) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    m = IndicatorMeasurement
    return (
        ("measurements published", n(m, m.imputed.is_(False))),
        ("district measurements imputed from the province figure", n(m, m.imputed.is_(True))),
        ("real partners", n(Partner, Partner.synthetic.is_(False))),
        ("real partnerships", n(Partnership, Partnership.synthetic.is_(False))),
        ("synthetic partners", n(Partner, Partner.synthetic.is_(True))),
        ("synthetic partnerships", n(Partnership, Partnership.synthetic.is_(True))),
    )
