"""The recommender's three frames (districts, partners, history) built from the database.

One synchronous implementation (:func:`load_frames`); async callers run it through
``AsyncSession.run_sync``. The frames follow
``recommender.features``: districts carry the latest prevalence under the same rule
as :func:`service.domain.prevalence.latest_district_prevalence` (a published district
figure wins over any imputed one, then the latest year); partners exclude archived
ones; history holds every partnership (real and synthetic) of those partners.
:meth:`RecommenderFrames.real_only` keeps the real record alone (see
:mod:`service.domain.worlds`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import select

from recommender.registry import data_hash
from service.db.enums import STUNTING_INDICATOR, MeasurementLevel
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
from service.domain.feedback_data import effective_durations
from service.domain.local_media import local_media_provinces_sync
from service.domain.prevalence import latest_district_prevalence

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

M = IndicatorMeasurement


@dataclass(frozen=True)
class RecommenderFrames:
    """Frames for :class:`recommender.features.FeatureSpace` plus the ids behind them.

    ``partners`` has the extra columns ``id`` and ``synthetic``; ``history`` has
    ``id``, ``partner_id`` and ``synthetic``.
    """

    districts: pd.DataFrame
    partners: pd.DataFrame
    history: pd.DataFrame
    _hash: list[str] = field(default_factory=list, repr=False, compare=False)

    @property
    def data_hash(self) -> str:
        """SHA-256 of the three frames (computed once)."""
        if not self._hash:
            self._hash.append(data_hash(self.districts, self.partners, self.history))
        return self._hash[0]

    def real_only(self) -> RecommenderFrames:
        """Return the same frames without generated (synthetic) partners and partnerships."""
        p, h = self.partners, self.history
        return RecommenderFrames(
            self.districts,
            p[~p["synthetic"]].reset_index(drop=True),
            h[~h["synthetic"]].reset_index(drop=True),
        )

    @property
    def share_synthetic_history(self) -> float:
        """Share of the history that is synthetic (0 when there is none)."""
        h = self.history
        return float(h["synthetic"].mean()) if len(h) else 0.0


def district_frame(session: Session, *, survey: str | None = None) -> pd.DataFrame:
    """Build one row per district, sorted by code.

    The shape is the one :mod:`recommender.features` and the simulator
    (:mod:`recommender.simulation`) expect.

    ``prevalence`` is the latest stunting figure (a published district figure wins over an
    imputed one, then the latest year) or, given ``survey`` (the seed passes "SSGI 2022"),
    that survey's figure; ``prevalence_imputed`` is True where no published figure exists.
    Also ``province_name``, ``prevalence_survey`` and ``prevalence_2021`` (the published
    2021 figure, for the trend feature).
    """
    stmt = select(
        District.code,
        District.province_code,
        Province.name,
        District.name,
        District.short_name,
        District.type,
        District.latitude,
        District.longitude,
        District.population,
        District.area_km2,
        District.underdeveloped,
        M.value,
        M.imputed,
        M.survey,
    ).join(Province, Province.code == District.province_code)
    if survey is None:
        latest = latest_district_prevalence()
        stmt = stmt.outerjoin(latest, latest.c.district_code == District.code)
        figure = M.id == latest.c.id
    else:
        figure = (
            (M.district_code == District.code)
            & (M.level == MeasurementLevel.DISTRICT.value)
            & (M.indicator == STUNTING_INDICATOR)
            & (M.survey == survey)
        )
    stmt = stmt.outerjoin(M, figure).order_by(District.code)
    cols = [
        "code",
        "province_code",
        "province_name",
        "name",
        "short_name",
        "type",
        "latitude",
        "longitude",
        "population",
        "area_km2",
        "underdeveloped",
        "prevalence",
        "prevalence_imputed",
        "survey",
    ]
    d = pd.DataFrame(session.execute(stmt).all(), columns=cols)
    d["underdeveloped"] = d["underdeveloped"].astype(bool)
    d["prevalence"] = d["prevalence"].astype(float)
    d["prevalence_imputed"] = d["prevalence_imputed"].fillna(True).astype(bool)
    d["prevalence_survey"] = [
        None if s is None else (f"{s}, province" if imp else str(s))
        for s, imp in zip(d.pop("survey"), d["prevalence_imputed"], strict=True)
    ]
    # The 2021 district figure where published, for the trend feature.
    p21 = dict(
        session.execute(
            select(M.district_code, M.value).where(
                M.level == MeasurementLevel.DISTRICT.value,
                M.indicator == STUNTING_INDICATOR,
                M.year == 2021,
                M.imputed.is_(False),
            )
        ).all()
    )
    d["prevalence_2021"] = d["code"].map(p21).astype(float)
    return d


def _grouped(session: Session, stmt: object) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for key, value in session.execute(stmt).all():  # type: ignore[call-overload]
        out[key].append(value)
    return out


def _partners(session: Session) -> pd.DataFrame:
    columns = (
        Partner.id,
        Partner.name,
        Partner.kind,
        Partner.scope,
        Partner.sector,
        Partner.annual_budget_idr,
        Partner.typical_commitment_months,
        Partner.synthetic,
    )
    rows = session.execute(
        select(*columns).where(Partner.archived_at.is_(None)).order_by(Partner.id)
    ).all()
    p = pd.DataFrame(rows, columns=[c.key for c in columns])
    areas = _grouped(
        session,
        select(PartnerArea.partner_id, PartnerArea.area).order_by(
            PartnerArea.partner_id, PartnerArea.area
        ),
    )
    provs = _grouped(
        session,
        select(PartnerProvince.partner_id, PartnerProvince.province_code).order_by(
            PartnerProvince.partner_id, PartnerProvince.province_code
        ),
    )
    dists = _grouped(
        session,
        select(PartnerDistrict.partner_id, PartnerDistrict.district_code).order_by(
            PartnerDistrict.partner_id, PartnerDistrict.district_code
        ),
    )
    ids = p["id"].tolist()
    p["areas"] = [areas.get(i, []) for i in ids]
    p["province_codes"] = [provs.get(i, []) for i in ids]
    p["district_codes"] = [dists.get(i, []) for i in ids]
    # where each partner counts as local media (service.domain.local_media's rule): the
    # recommender's campaign-quota feature counts a media partner only there
    local = local_media_provinces_sync(session)
    p["local_media_provinces"] = [sorted(local.get(i, ())) for i in ids]
    p["synthetic"] = p["synthetic"].astype(bool)
    p["annual_budget_idr"] = p["annual_budget_idr"].astype(float)
    p["typical_commitment_months"] = p["typical_commitment_months"].astype(float)
    return p


def _history(session: Session, partners: pd.DataFrame) -> pd.DataFrame:
    columns = (
        Partnership.id,
        Partnership.partner_id,
        Partnership.district_code,
        Partnership.start_date,
        Partnership.start_year,
        Partnership.end_date,
        Partnership.duration_months,
        Partnership.status,
        Partnership.source_url,
        Partnership.synthetic,
    )
    rows = session.execute(select(*columns).order_by(Partnership.id)).all()
    h = pd.DataFrame(rows, columns=[c.key for c in columns])
    names = dict(zip(partners["id"], partners["name"], strict=True))
    h = h[h["partner_id"].isin(names)].reset_index(drop=True)
    h.insert(0, "partner_name", h["partner_id"].map(names))
    areas = _grouped(
        session,
        select(PartnershipArea.partnership_id, PartnershipArea.area).order_by(
            PartnershipArea.partnership_id, PartnershipArea.area
        ),
    )
    h["areas"] = [areas.get(i, []) for i in h["id"]]
    # Real reported rows often give only a year: date them 1 January of that year.
    missing = h["start_date"].isna() & h["start_year"].notna()
    h.loc[missing, "start_date"] = [dt.date(int(y), 1, 1) for y in h.loc[missing, "start_year"]]
    h["duration_months"] = h["duration_months"].astype(float)
    h["synthetic"] = h["synthetic"].astype(bool)
    # An outcome recorded through the API without a stated duration: the span of its dates.
    return effective_durations(h.drop(columns=["start_year"]))


def load_frames(session: Session) -> RecommenderFrames:
    """Districts, non-archived partners and their partnerships as frames."""
    partners = _partners(session)
    return RecommenderFrames(district_frame(session), partners, _history(session, partners))
