"""The exportable tables: their names, titles, column order and provenance wording.

The rows are produced by :mod:`service.domain.exports`; the HTTP layer
(:mod:`service.server.exports`) names files and sheets after these tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.db.enums import PartnerKind
from service.domain.worlds import World

REAL = "real"
SYNTHETIC = "synthetic (demo)"
# Districts: the regions and prevalence are real (imputed figures are flagged in their
# own column); the partner counts, like the API's, count the real record unless the demo
# world is asked for (service.domain.worlds).
DISTRICT_PROVENANCE = {
    World.REAL: "real regions and prevalence; partner counts of the real record only",
    World.DEMO: "real regions and prevalence; partner counts include the generated demo world",
}
QUOTA_PROVENANCE = {
    World.REAL: "commitments of the real record only",
    World.DEMO: "commitments of the real record and the generated demo world",
}

KIND_COLUMNS = tuple(f"active_partners_{kind.value}" for kind in PartnerKind)


@dataclass(frozen=True)
class Table:
    """One exportable table: its file stem, sheet title and column order."""

    name: str
    title: str
    columns: tuple[str, ...]


DISTRICTS = Table(
    "districts",
    "Districts",
    (
        "district_code",
        "name",
        "short_name",
        "type",
        "province_code",
        "province_name",
        "underdeveloped",
        "population",
        "area_km2",
        "latitude",
        "longitude",
        "prevalence",
        "prevalence_year",
        "prevalence_survey",
        "prevalence_imputed",
        "prevalence_source",
        "prevalence_source_url",
        "coverage",
        "committed_partners",
        *KIND_COLUMNS,
        "reported_real_partnerships",
        "provenance",
    ),
)
PARTNERS = Table(
    "partners",
    "Partners",
    (
        "partner_id",
        "name",
        "kind",
        "scope",
        "sector",
        "headquarters",
        "intervention_areas",
        "province_codes",
        "district_codes",
        "annual_budget_idr",
        "typical_commitment_months",
        "website",
        "source_url",
        "archived",
        "provenance",
    ),
)
PARTNERSHIPS = Table(
    "partnerships",
    "Partnerships",
    (
        "partnership_id",
        "partner_id",
        "partner_name",
        "partner_kind",
        "district_code",
        "district_name",
        "province_code",
        "status",
        "start_year",
        "start_date",
        "end_date",
        "duration_months",
        "commitment_months",
        "is_commitment",
        "budget_idr",
        "target_beneficiaries",
        "intervention_areas",
        "source_url",
        "provenance",
    ),
)
QUOTA_PROGRESS = Table(
    "quota-progress",
    "Quota progress",
    (
        "province_code",
        "province_name",
        "category",
        "target",
        "committed",
        "committed_six_months",
        "committed_twelve_months",
        "remaining",
        "met",
        "provenance",
    ),
)
PROVINCE_PLAN = Table(
    "province-plan",
    "Province plan",
    (
        "province_code",
        "category",
        "rank",
        "partner_id",
        "partner_name",
        "partner_kind",
        "district_code",
        "district_name",
        "score",
        "areas_covered",
        "reasons",
        "model_version",
        "provenance",
    ),
)
EXPIRING_COMMITMENTS = Table(
    "expiring-commitments",
    "Expiring commitments",
    (
        "partnership_id",
        "partner_id",
        "partner_name",
        "partner_kind",
        "district_code",
        "district_name",
        "province_code",
        "start_date",
        "end_date",
        "days_left",
        "commitment_months",
        "reached_six_months",
        "reached_twelve_months",
        "quota_category",
        "quota_target",
        "committed_now",
        "committed_after_end",
        "quota_at_risk",
        "provenance",
    ),
)
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        DISTRICTS,
        PARTNERS,
        PARTNERSHIPS,
        QUOTA_PROGRESS,
        PROVINCE_PLAN,
        EXPIRING_COMMITMENTS,
    )
}
