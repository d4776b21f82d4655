"""The seed: reference data, imputation, real partnerships, synthetic history, idempotency.

Expected values come from the CSVs in ``data/reference`` (read here with the csv
module), never from the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

import service.seed
from recommender.geography import island_group
from service.db.base import Base
from service.db.enums import (
    STUNTING_INDICATOR,
    InterventionArea,
    PartnerKind,
    PartnershipStatus,
)
from service.db.migrate import upgrade
from service.db.models import (
    District,
    IndicatorMeasurement,
    Partner,
    PartnerArea,
    PartnerDistrict,
    Partnership,
    PartnershipArea,
    Province,
)
from service.db.session import make_engine
from service.domain.recommender_data import district_frame
from service.seed import PREVALENCE_SURVEY, run_seed
from service.seed.generated import drop_second_open
from service.seed.partners import parse_areas
from service.seed.reference import source_host, source_label
from service.settings import REFERENCE_DIR

SEED = 20221
M = IndicatorMeasurement


def read(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


PROVINCES = read("provinces.csv")
DISTRICTS = read("districts.csv")
DISTRICT_FIGURES = read("stunting_prevalence_district.csv")
PROVINCE_FIGURES = read("stunting_prevalence_province.csv")
NATIONAL_FIGURES = read("stunting_prevalence_national.csv")
PARTNERSHIPS = read("real_partnerships.csv")
NAME_MAP = {r["source_name"]: r["partner_name"] for r in read("partner_name_map.csv")}
DISTRICT_SURVEYS = ("SSGI 2021", "SSGI 2022")
DISTRICT_CODES = {d["district_code"] for d in DISTRICTS}


def count(session: Session, model: type[object], *where: object) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def digest(engine: Engine) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the full content of every table."""
    out = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(table.select().order_by(*order)).all()
            out[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


# --- provinces and districts -------------------------------------------------------------


def test_provinces_and_districts_match_the_csvs(session: Session) -> None:
    assert count(session, Province) == len(PROVINCES) == 38
    assert count(session, District) == len(DISTRICTS) == 514
    priority = {r["province_code"] for r in read("stunting_priority_provinces_2022.csv")}
    provinces = {p.code: p for p in session.scalars(select(Province))}
    for r in PROVINCES:
        p = provinces[r["province_code"]]
        assert p.name == r["name"]
        assert p.population == int(r["population_total"])
        assert p.island_group == island_group(p.code)
        assert p.exists_pre_2022 is (r["exists_pre_2022"] == "true")
        assert p.pre_2022_code == r["pre_2022_province_code"]
        assert p.priority_2022 is (p.code in priority)
    assert provinces["93"].pre_2022_code == "91" and not provinces["93"].exists_pre_2022

    underdeveloped = {r["district_code"] for r in read("underdeveloped_districts_2020_2024.csv")}
    districts = {d.code: d for d in session.scalars(select(District))}
    for r in DISTRICTS:
        d = districts[r["district_code"]]
        assert (d.province_code, d.name, d.short_name, d.type) == (
            r["province_code"],
            r["name"],
            r["short_name"],
            r["type"],
        )
        assert d.latitude == float(r["latitude"]) and d.longitude == float(r["longitude"])
        assert d.population == int(r["population_total"])
        assert d.bps_code_2020 == r["bps_code_2020"]
        assert d.pre_2022_code == r["pre_2022_district_code"]
        assert d.underdeveloped is (d.code in underdeveloped)
    assert sum(d.underdeveloped for d in districts.values()) == len(underdeveloped)


# --- measurements ------------------------------------------------------------------------


def test_measurement_counts(session: Session) -> None:
    published = {(r["district_code"], r["survey"]) for r in DISTRICT_FIGURES}
    missing = len(DISTRICTS) * len(DISTRICT_SURVEYS) - sum(
        1 for r in DISTRICT_FIGURES if r["survey"] in DISTRICT_SURVEYS
    )
    assert count(session, M, M.level == "national") == len(NATIONAL_FIGURES) == 6
    assert count(session, M, M.level == "province") == len(PROVINCE_FIGURES) == 112
    assert count(session, M, M.level == "district", M.imputed.is_(False)) == len(published) == 691
    assert count(session, M, M.level == "district", M.imputed.is_(True)) == missing
    assert count(session, M, M.indicator != STUNTING_INDICATOR) == 0
    assert count(session, M, M.imputed.is_(True), M.level != "district") == 0


def test_timor_tengah_selatan_ssgi_2021_is_published(session: Session) -> None:
    row = session.scalars(
        select(M).where(M.district_code == "53.02", M.survey == "SSGI 2021")
    ).one()
    assert row.value == 48.3
    assert row.imputed is False
    assert row.year == 2021 and row.level == "district" and row.province_code == "53"


def test_published_figures_keep_value_source_and_notes(session: Session) -> None:
    rows = {
        (m.level, m.province_code, m.district_code, m.survey): m
        for m in session.scalars(select(M).where(M.imputed.is_(False)))
    }
    for level, figures in (
        ("national", NATIONAL_FIGURES),
        ("province", PROVINCE_FIGURES),
        ("district", DISTRICT_FIGURES),
    ):
        for r in figures:
            m = rows[(level, r.get("province_code"), r.get("district_code"), r["survey"])]
            assert m.value == float(r["prevalence_pct"])
            assert m.year == int(r["year"])
            assert m.source_url == r["source_url"]
            assert m.notes == (r["notes"] or None)
            assert m.boundary == (r.get("boundary") or None)
            host = r["source_url"].split("/")[2].removeprefix("www.")
            assert m.source == f"{r['survey']} via {host}"
    papua_2021 = rows[("province", "91", None, "SSGI 2021")]
    assert papua_2021.boundary == "pre_2022"


def test_every_district_has_one_ssgi_2021_and_one_ssgi_2022_row(session: Session) -> None:
    pairs = session.execute(select(M.district_code, M.survey).where(M.level == "district")).all()
    per_pair = Counter(pairs)
    for code in DISTRICT_CODES:
        for survey in DISTRICT_SURVEYS:
            assert per_pair[(code, survey)] == 1, (code, survey)
    assert {survey for _code, survey in pairs} == set(DISTRICT_SURVEYS)


def test_imputed_rows_carry_the_pre_2022_province_figure(session: Session) -> None:
    published = {(r["district_code"], r["survey"]) for r in DISTRICT_FIGURES}
    old_province = {d["district_code"]: d["pre_2022_province_code"] for d in DISTRICTS}
    province_figure = {
        (r["province_code"], r["survey"]): r
        for r in PROVINCE_FIGURES
        if r["boundary"] == "pre_2022"
    }
    imputed = session.scalars(select(M).where(M.imputed.is_(True))).all()
    assert {(m.district_code, m.survey) for m in imputed} == {
        (code, s) for code in DISTRICT_CODES for s in DISTRICT_SURVEYS
    } - published
    for m in imputed:
        old = old_province[m.district_code]
        figure = province_figure[(old, m.survey)]
        assert m.value == float(figure["prevalence_pct"])
        assert m.source_url == figure["source_url"]
        assert m.source == f"imputed: province figure, {m.survey}"
        assert f"province {old} " in (m.notes or "")
        assert m.year == int(figure["year"])


def test_papua_split_districts_are_imputed_from_the_old_province(session: Session) -> None:
    published = {(r["district_code"], r["survey"]) for r in DISTRICT_FIGURES}
    figure = {
        (r["province_code"], r["survey"]): float(r["prevalence_pct"]) for r in PROVINCE_FIGURES
    }
    split = [d for d in DISTRICTS if d["province_code"] in {"93", "94", "95", "96"}]
    assert len(split) > 0
    checked = 0
    for d in split:
        for survey in DISTRICT_SURVEYS:
            if (d["district_code"], survey) in published:
                continue
            m = session.scalars(
                select(M).where(M.district_code == d["district_code"], M.survey == survey)
            ).one()
            assert m.imputed is True
            assert m.province_code == d["province_code"]  # the district's current province
            assert d["pre_2022_province_code"] in {"91", "92"}
            assert m.value == figure[(d["pre_2022_province_code"], survey)]
            checked += 1
    assert checked > 0
    # 2021/2022 province figures exist only for the pre-split provinces.
    assert (
        count(
            session,
            M,
            M.level == "province",
            M.province_code.in_(["93", "94", "95", "96"]),
            M.survey.in_(DISTRICT_SURVEYS),
        )
        == 0
    )


def test_no_district_figures_for_surveys_without_district_data(session: Session) -> None:
    assert count(session, M, M.level == "district", M.survey.in_(["SKI 2023", "SSGI 2024"])) == 0


# --- real partners and partnerships ------------------------------------------------------


def test_real_partners_and_partnerships_match_the_csv(session: Session) -> None:
    mapped = [r for r in PARTNERSHIPS if r["district_code"] in DISTRICT_CODES]
    unmapped = [r for r in PARTNERSHIPS if r["district_code"] not in DISTRICT_CODES]
    assert [r["district_name"] for r in unmapped] == ["Kupang"]  # Kabupaten or Kota not stated
    names = {NAME_MAP.get(r["partner_name"], r["partner_name"]) for r in PARTNERSHIPS}
    assert len({r["partner_name"] for r in PARTNERSHIPS}) == 138
    assert count(session, Partner, Partner.synthetic.is_(False)) == len(names)
    assert count(session, Partnership, Partnership.synthetic.is_(False)) == len(mapped)

    real = session.execute(
        select(Partnership, Partner.name)
        .join(Partner, Partner.id == Partnership.partner_id)
        .where(Partnership.synthetic.is_(False))
    ).all()
    by_key = {(name, p.district_code, p.source_url): p for p, name in real}
    for r in mapped:
        name = NAME_MAP.get(r["partner_name"], r["partner_name"])
        p = by_key[(name, r["district_code"], r["source_url"])]
        assert p.status == PartnershipStatus.REPORTED
        assert p.start_year == (int(r["year"]) if r["year"] else None)
        assert p.start_date is None and p.end_date is None
        assert p.duration_months == (int(r["duration_months"]) if r["duration_months"] else None)
        assert p.budget_idr == (int(r["budget_idr"]) if r["budget_idr"] else None)
        if name != r["partner_name"]:
            assert (p.notes or "").startswith(f"reported as: {r['partner_name']}")


def test_name_map_rolls_units_into_their_company(session: Session) -> None:
    real_names = set(session.scalars(select(Partner.name).where(Partner.synthetic.is_(False))))
    assert not real_names & set(NAME_MAP)  # no unit name survives as a partner
    pln_rows = [r for r in PARTNERSHIPS if r["partner_name"].startswith("PT PLN (Persero) U")]
    assert len(pln_rows) == 5
    assert NAME_MAP[pln_rows[0]["partner_name"]] == "PT PLN (Persero)"
    pln = session.scalars(select(Partner).where(Partner.name == "PT PLN (Persero)")).one()
    assert count(session, Partnership, Partnership.partner_id == pln.id) == len(pln_rows)
    assert pln.kind == PartnerKind.STATE_OWNED_COMPANY and pln.sector == "electricity"
    # PLN units were reported in 4 provinces.
    assert pln.scope == "national"
    aisyiyah = session.scalars(select(Partner).where(Partner.name == "'Aisyiyah")).one()
    codes = set(
        session.scalars(
            select(PartnerDistrict.district_code).where(PartnerDistrict.partner_id == aisyiyah.id)
        )
    )
    assert codes == {
        r["district_code"] for r in PARTNERSHIPS if r["partner_name"].startswith("'Aisyiyah")
    }


def test_real_partner_fields_are_reported_facts(session: Session) -> None:
    by_name: dict[str, list[dict[str, str]]] = {}
    for r in PARTNERSHIPS:
        by_name.setdefault(NAME_MAP.get(r["partner_name"], r["partner_name"]), []).append(r)
    partners = {
        p.name: p for p in session.scalars(select(Partner).where(Partner.synthetic.is_(False)))
    }
    areas: dict[int, set[str]] = {}
    for pid, area in session.execute(select(PartnerArea.partner_id, PartnerArea.area)):
        areas.setdefault(pid, set()).add(area)
    for name, rows in by_name.items():
        p = partners[name]
        assert p.kind == rows[0]["partner_kind"]
        assert p.sector == (rows[0]["partner_sector"] or None)
        assert p.annual_budget_idr is None and p.typical_commitment_months is None
        assert p.website is None and p.description is None
        expected = {a for r in rows for a in r["intervention_areas"].split(";") if a}
        assert areas.get(p.id, set()) == expected
        provinces = {r["province_code"] for r in rows}
        if p.kind == "international_org" or len(provinces) >= 2:
            assert p.scope == "national", name
        else:
            assert p.scope in {"provincial", "local"}, name
    assert partners["Bank NTT"].scope == "provincial"  # 4 districts, all in NTT
    assert partners["City Harvest Singapore"].headquarters == "Singapore"


def test_nothing_real_is_marked_synthetic(session: Session) -> None:
    real_urls = {r["source_url"] for r in PARTNERSHIPS}
    with_source = session.scalars(
        select(Partnership).where(Partnership.source_url.is_not(None))
    ).all()
    assert {p.source_url for p in with_source} <= real_urls
    assert all(p.synthetic is False for p in with_source)
    # Synthetic partnerships belong to synthetic partners only.
    mixed = session.scalar(
        select(func.count())
        .select_from(Partnership)
        .join(Partner, Partner.id == Partnership.partner_id)
        .where(Partnership.synthetic != Partner.synthetic)
    )
    assert mixed == 0
    names = {NAME_MAP.get(r["partner_name"], r["partner_name"]) for r in PARTNERSHIPS}
    assert count(session, Partner, Partner.name.in_(names), Partner.synthetic.is_(True)) == 0


# --- synthetic history -------------------------------------------------------------------


def test_synthetic_catalogue_and_history(session: Session) -> None:
    partners = session.scalars(select(Partner).where(Partner.synthetic.is_(True))).all()
    assert len(partners) >= 300
    assert {p.kind for p in partners} == {k.value for k in PartnerKind}
    assert count(session, Partnership, Partnership.synthetic.is_(True)) >= 2000
    years = session.scalars(
        select(Partnership.start_year).where(Partnership.synthetic.is_(True)).distinct()
    ).all()
    assert set(years) <= set(range(2019, 2025))
    assert (
        count(
            session, Partnership, Partnership.synthetic.is_(True), Partnership.start_date.is_(None)
        )
        == 0
    )
    synthetic_ids = select(Partnership.id).where(Partnership.synthetic.is_(True))
    assert count(session, PartnershipArea, PartnershipArea.partnership_id.in_(synthetic_ids)) > 0


def test_district_frame_matches_the_database(session: Session) -> None:
    frame = district_frame(session, survey=PREVALENCE_SURVEY)
    assert len(frame) == len(DISTRICTS)
    assert set(frame.columns) >= {
        "code",
        "province_code",
        "latitude",
        "longitude",
        "population",
        "area_km2",
        "underdeveloped",
        "prevalence",
        "prevalence_imputed",
    }
    assert frame["prevalence"].notna().all()
    published_2022 = {r["district_code"] for r in DISTRICT_FIGURES if r["survey"] == "SSGI 2022"}
    assert set(frame.loc[~frame["prevalence_imputed"], "code"]) == published_2022
    by_code = frame.set_index("code")
    for r in DISTRICT_FIGURES:
        if r["survey"] == "SSGI 2022":
            assert by_code.loc[r["district_code"], "prevalence"] == float(r["prevalence_pct"])
    # Timor Tengah Selatan has no published SSGI 2022 figure: it carries NTT's.
    assert "53.02" not in published_2022
    ntt_2022 = next(
        r for r in PROVINCE_FIGURES if r["province_code"] == "53" and r["survey"] == "SSGI 2022"
    )
    assert by_code.loc["53.02", "prevalence"] == float(ntt_2022["prevalence_pct"])
    assert bool(by_code.loc["53.02", "prevalence_imputed"]) is True


# --- idempotency and atomicity ------------------------------------------------------------


def test_second_run_changes_nothing(engine: Engine) -> None:
    before = digest(engine)
    report = run_seed(engine, seed=SEED)
    assert report.written == 0
    assert digest(engine) == before
    assert report.counts["district"] == 514
    text = str(report)
    assert "indicator_measurement" in text and "Kupang" in text


def test_failing_seed_leaves_the_database_unchanged(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that changes reference rows and then fails in the generator writes nothing."""
    before = digest(engine)
    original = service.seed.reference_rows

    def changed_reference():  # type: ignore[no-untyped-def]
        rows = original()
        provinces = [dict(p) for p in rows.provinces]
        provinces[0]["name"] = "Renamed in a failing run"
        return replace(rows, provinces=provinces)

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("generator failed")

    monkeypatch.setattr(service.seed, "reference_rows", changed_reference)
    monkeypatch.setattr(service.seed, "generate_history", boom)
    with pytest.raises(RuntimeError, match="generator failed"):
        run_seed(engine, seed=SEED)
    assert digest(engine) == before


def test_failing_seed_on_an_empty_database_leaves_it_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    eng = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        upgrade(eng)

        def boom(*_args: object, **_kwargs: object) -> None:
            raise RuntimeError("generator failed")

        monkeypatch.setattr(service.seed, "generate_history", boom)
        with pytest.raises(RuntimeError):
            run_seed(eng, seed=SEED)
        # data_version's one row comes with the migration, not the seed
        assert all(n == 0 for name, (n, _) in digest(eng).items() if name != "data_version")
    finally:
        eng.dispose()


# --- parsers of outside input -------------------------------------------------------------

HOSTS = st.from_regex(r"[a-z][a-z0-9-]{0,15}(\.[a-z][a-z0-9-]{0,15}){1,3}", fullmatch=True)


@given(
    host=HOSTS,
    www=st.booleans(),
    path=st.from_regex(r"(/[A-Za-z0-9_.-]{0,12}){0,4}", fullmatch=True),
)
def test_source_host_is_the_host_without_www(host: str, www: bool, path: str) -> None:
    url = f"https://{'www.' if www else ''}{host}{path}"
    assert source_host(url) == host.removeprefix("www.")
    assert source_label("SSGI 2022", url) == f"SSGI 2022 via {host.removeprefix('www.')}"


@given(
    areas=st.lists(st.sampled_from([a.value for a in InterventionArea]), max_size=6),
    blanks=st.lists(st.sampled_from(["", " "]), max_size=3),
)
def test_area_lists_drop_blanks_and_duplicates(areas: list[str], blanks: list[str]) -> None:
    assert parse_areas(";".join(areas + blanks)) == sorted(set(areas))


@given(st.text(min_size=1).filter(lambda s: s.strip() and ";" not in s))
def test_area_lists_reject_unknown_values(value: str) -> None:
    if value.strip() in {a.value for a in InterventionArea}:
        return
    with pytest.raises(ValueError):
        parse_areas(value)


def test_name_map_is_documented_and_used() -> None:
    rows = read("partner_name_map.csv")
    reported = {r["partner_name"] for r in PARTNERSHIPS}
    assert rows and all(r["reason"].strip() for r in rows)
    assert {r["source_name"] for r in rows} <= reported
    assert len({r["source_name"] for r in rows}) == len(rows)


def test_only_the_earliest_open_synthetic_partnership_of_a_pair_is_kept() -> None:
    def row(start: dt.date, status: str) -> dict[str, object]:
        return {
            "partner_name": "X (synthetic)",
            "district_code": "11.01",
            "start_date": start,
            "status": status,
        }

    rows = [
        row(dt.date(2024, 1, 1), "active"),
        row(dt.date(2022, 1, 1), "completed"),
        row(dt.date(2023, 1, 1), "proposed"),
    ]
    kept, areas, dropped = drop_second_open(rows, [["wash"], ["funding"], ["wash"]])
    assert [r["start_date"].year for r in kept] == [2022, 2023]  # type: ignore[attr-defined]
    assert areas == [["funding"], ["wash"]]
    assert len(dropped) == 1 and "2024-01-01" in dropped[0]
