"""ORM models. Relationships are ``lazy="raise"``: load them explicitly or use a DataLoader."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Province(Base):
    __tablename__ = "province"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    area_km2: Mapped[float | None] = mapped_column(Float)
    population: Mapped[int | None] = mapped_column(BigInteger)
    island_group: Mapped[str] = mapped_column(String(40))
    exists_pre_2022: Mapped[bool] = mapped_column(Boolean, default=True)
    pre_2022_code: Mapped[str | None] = mapped_column(String(2))
    priority_2022: Mapped[bool] = mapped_column(Boolean, default=False)

    districts: Mapped[list[District]] = relationship(back_populates="province", lazy="raise")


class District(Base):
    __tablename__ = "district"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)  # Kemendagri "PP.KK"
    province_code: Mapped[str] = mapped_column(ForeignKey("province.code"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    short_name: Mapped[str] = mapped_column(String(100), index=True)
    type: Mapped[str] = mapped_column(String(10))  # DistrictType
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    area_km2: Mapped[float | None] = mapped_column(Float)
    population: Mapped[int | None] = mapped_column(BigInteger)
    underdeveloped: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    bps_code_2020: Mapped[str | None] = mapped_column(String(4))
    pre_2022_code: Mapped[str | None] = mapped_column(String(5))

    province: Mapped[Province] = relationship(back_populates="districts", lazy="raise")


class IndicatorMeasurement(Base):
    """One published (or imputed) value of an indicator for the nation, a province or a district."""

    __tablename__ = "indicator_measurement"
    __table_args__ = (
        UniqueConstraint(
            "level",
            "province_code",
            "district_code",
            "indicator",
            "survey",
            name="uq_indicator_measurement_key",
        ),
        Index("ix_measurement_district_indicator", "district_code", "indicator", "year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(10))  # MeasurementLevel
    province_code: Mapped[str | None] = mapped_column(ForeignKey("province.code"), index=True)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"))
    indicator: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    survey: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200))
    source_url: Mapped[str | None] = mapped_column(Text)
    imputed: Mapped[bool] = mapped_column(Boolean, default=False)
    # For the province figures of 2021/2022: "pre_2022" when the value describes the old province.
    boundary: Mapped[str | None] = mapped_column(String(10))
    notes: Mapped[str | None] = mapped_column(Text)


class Partner(Base):
    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)  # PartnerKind
    sector: Mapped[str | None] = mapped_column(String(60))
    scope: Mapped[str] = mapped_column(String(12))  # PartnerScope
    headquarters: Mapped[str | None] = mapped_column(String(120))
    annual_budget_idr: Mapped[int | None] = mapped_column(BigInteger)
    typical_commitment_months: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    source_url: Mapped[str | None] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_utcnow, server_default=func.now()
    )

    areas: Mapped[list[PartnerArea]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="PartnerArea.area"
    )
    provinces: Mapped[list[PartnerProvince]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="PartnerProvince.province_code"
    )
    districts: Mapped[list[PartnerDistrict]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="PartnerDistrict.district_code"
    )


class PartnerArea(Base):
    __tablename__ = "partner_area"

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class PartnerProvince(Base):
    """A province where the partner operates."""

    __tablename__ = "partner_province"

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True
    )
    province_code: Mapped[str] = mapped_column(
        ForeignKey("province.code"), primary_key=True, index=True
    )


class PartnerDistrict(Base):
    """A district where the partner operates (a plant, a mine, a branch, a field office)."""

    __tablename__ = "partner_district"

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True
    )
    district_code: Mapped[str] = mapped_column(
        ForeignKey("district.code"), primary_key=True, index=True
    )


class Partnership(Base):
    __tablename__ = "partnership"
    __table_args__ = (
        CheckConstraint("budget_idr IS NULL OR budget_idr >= 0", name="budget_non_negative"),
        CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="date_order"
        ),
        Index("ix_partnership_district_status", "district_code", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"))
    start_year: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    # Stated or planned length; for real rows only when the source states it.
    duration_months: Mapped[int | None] = mapped_column(Integer)
    budget_idr: Mapped[int | None] = mapped_column(BigInteger)
    target_beneficiaries: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), index=True)  # PartnershipStatus
    outcome: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_utcnow, server_default=func.now()
    )

    partner: Mapped[Partner] = relationship(lazy="raise")
    district: Mapped[District] = relationship(lazy="raise")
    areas: Mapped[list[PartnershipArea]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="PartnershipArea.area"
    )


class PartnershipArea(Base):
    __tablename__ = "partnership_area"

    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(String(40), primary_key=True)


class ModelVersion(Base):
    """A trained recommender: artifact on disk (skops), metadata here."""

    __tablename__ = "model_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)
    training_window: Mapped[str | None] = mapped_column(String(40))
    data_hash: Mapped[str | None] = mapped_column(String(64))
    artifact_path: Mapped[str | None] = mapped_column(Text)
    artifact_sha256: Mapped[str | None] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    library_versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    card: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class ModelArtifact(Base):
    """The skops bytes of a model version, so that every host loads the same model.

    A table of its own, so that reading ``model_version`` rows (every few seconds, in each
    worker) never drags the bytes along. Hosts keep a copy in ``MITRA_MODEL_DIR`` as a
    cache, checked against ``sha256`` (migration 0004).
    """

    __tablename__ = "model_artifact"

    model_version_id: Mapped[int] = mapped_column(
        ForeignKey("model_version.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


# --- Write side: access tokens, audit trail, recommendation feedback (migration 0002) ---

# At most one open (proposed or active) partnership per partner and district. The
# domain checks this first for a friendly message; the index settles concurrent
# proposals. Rows in other states (completed, cancelled, reported) are history and
# may repeat.
OPEN_PARTNERSHIP_STATUSES = ("proposed", "active")
_OPEN_PARTNERSHIP_WHERE = "status IN ('proposed', 'active')"
Index(
    "uq_partnership_open_pair",
    Partnership.partner_id,
    Partnership.district_code,
    unique=True,
    sqlite_where=text(_OPEN_PARTNERSHIP_WHERE),
    postgresql_where=text(_OPEN_PARTNERSHIP_WHERE),
)


class ApiToken(Base):
    """A bearer token. Only the SHA-256 of the token is stored; the token is shown once."""

    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint("role IN ('viewer', 'planner', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10))  # service.auth.Role
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_utcnow, server_default=func.now()
    )
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuditLog(Base):
    """One accepted change, written in the same transaction as the change itself."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_utcnow, server_default=func.now(), index=True
    )
    actor: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(60))  # e.g. "createPartner"
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RecommendationFeedback(Base):
    """A planner's verdict on one recommended partner for one district."""

    __tablename__ = "recommendation_feedback"
    __table_args__ = (
        CheckConstraint("verdict IN ('accepted', 'rejected')", name="verdict"),
        Index("ix_recommendation_feedback_pair", "district_code", "partner_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(10))  # accepted / rejected
    reason: Mapped[str | None] = mapped_column(Text)
    model_version: Mapped[str | None] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_utcnow, server_default=func.now()
    )


class DataVersion(Base):
    """One row whose ``version`` every committed write increases (service/db/data_version.py).

    Caches of query results and of reference data are keyed by it, so a write made by
    any worker or host is seen by all of them within their polling interval.
    """

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=1)
