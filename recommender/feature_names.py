"""Every feature of the pair matrix, written once: its column and the factor it explains.

The matrix is the district block, the partner block, then the pair block, each in the
order below (:mod:`recommender.features` builds it; a model trained on another list is
refused at load). Each feature also belongs to one explained factor
(:mod:`recommender.explain`: a factor's contribution is the sum over its features).
"""

from __future__ import annotations

from recommender.vocab import KINDS

# The explained factors, in the order reasons list them when they contribute alike.
FACTOR_NAMES = (
    "presence",
    "need",
    "focus",
    "track_record",
    "capacity",
    "kind",
    "continuity",
    "quota",
)

# (feature, factor), in matrix order.
_DISTRICT = (
    ("prevalence", "need"),
    ("gap_to_target", "need"),
    ("prevalence_imputed", "need"),
    ("trend", "need"),
    ("trend_known", "need"),
    ("log_burden", "need"),
    ("underdeveloped", "need"),
    ("log_remoteness_km", "need"),
    ("log_active_partners", "focus"),
)
_PARTNER = (
    *((f"kind_{k}", "kind") for k in KINDS),
    ("scope_national", "capacity"),
    ("scope_local", "capacity"),
    ("log_budget", "capacity"),
    ("budget_known", "capacity"),
    ("commitment_months", "capacity"),
    ("log_track_n", "track_record"),
    ("track_share", "track_record"),
    ("log_recent_activity", "track_record"),
    ("log_total", "track_record"),
    ("log_n_sites", "capacity"),
    ("log_reach", "presence"),
    ("natural_resource_company", "kind"),
)
_PAIR = (
    ("on_site", "presence"),
    ("in_province", "presence"),
    ("same_island", "presence"),
    ("log_near_km", "presence"),
    ("log_sites_in_province", "presence"),
    ("area_need_fit", "focus"),
    ("uncovered_share", "focus"),
    ("capacity", "capacity"),
    ("worked_before", "continuity"),
    ("active_now", "continuity"),
    ("quota_gap", "quota"),
    ("log_province_track", "track_record"),
    # interactions a linear model cannot form by itself
    ("company_on_site", "presence"),
    ("company_in_province", "presence"),
    ("media_in_province", "presence"),
    ("local_log_near_km", "presence"),
    ("national_log_near_km", "presence"),
    ("nonprofit_gap", "need"),
    ("company_gap", "need"),
    ("near_100km", "presence"),
    ("company_near_100km", "presence"),
    ("local_near_100km", "presence"),
    ("national_near_100km", "presence"),
    ("province_share", "track_record"),
    ("log_district_track", "continuity"),
    ("natural_resource_on_site", "kind"),
)

DISTRICT_FEATURES = tuple(name for name, _ in _DISTRICT)
PARTNER_FEATURES = tuple(name for name, _ in _PARTNER)
PAIR_FEATURES = tuple(name for name, _ in _PAIR)
FEATURES: tuple[str, ...] = (*DISTRICT_FEATURES, *PARTNER_FEATURES, *PAIR_FEATURES)
COL = {f: i for i, f in enumerate(FEATURES)}

# Which feature columns make up each explained factor, in matrix order.
FACTORS: dict[str, tuple[str, ...]] = {
    factor: tuple(name for name, f in (*_DISTRICT, *_PARTNER, *_PAIR) if f == factor)
    for factor in FACTOR_NAMES
}
