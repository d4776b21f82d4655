"""Human sentences for the factors behind a partner–district score.

Each factor groups feature columns (:data:`FACTORS`); its contribution to a linear score
is the sum over them. Its sentence is a fact (:mod:`recommender.facts`, one function
per factor) written in English or Bahasa Indonesia (:mod:`recommender.wording`, one
template table per language).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from recommender.facts import FACTS, Pair
from recommender.features import COL, FEATURES
from recommender.vocab import KINDS
from recommender.wording import LANGUAGES, render

if TYPE_CHECKING:
    from recommender.features import FeatureState

# Which feature columns make up each explained factor.
FACTORS: dict[str, tuple[str, ...]] = {
    "presence": (
        "on_site",
        "in_province",
        "same_island",
        "log_near_km",
        "log_sites_in_province",
        "company_on_site",
        "company_in_province",
        "media_in_province",
        "local_log_near_km",
        "national_log_near_km",
        "near_100km",
        "company_near_100km",
        "local_near_100km",
        "national_near_100km",
        "log_reach",
    ),
    "need": (
        "prevalence",
        "gap_to_target",
        "prevalence_imputed",
        "trend",
        "trend_known",
        "log_burden",
        "underdeveloped",
        "log_remoteness_km",
        "nonprofit_gap",
        "company_gap",
    ),
    "focus": ("area_need_fit", "uncovered_share", "log_active_partners"),
    "track_record": (
        "log_track_n",
        "track_share",
        "log_recent_activity",
        "log_province_track",
        "log_total",
        "province_share",
    ),
    "capacity": (
        "log_budget",
        "budget_known",
        "capacity",
        "commitment_months",
        "log_n_sites",
        "scope_national",
        "scope_local",
    ),
    "kind": (*(f"kind_{k}" for k in KINDS), "natural_resource_company", "natural_resource_on_site"),
    "continuity": ("worked_before", "active_now", "log_district_track"),
    "quota": ("quota_gap",),
}
FACTOR_INDEX = {f: np.array([COL[c] for c in cols]) for f, cols in FACTORS.items()}
assert sorted(c for cols in FACTORS.values() for c in cols) == sorted(FEATURES)


@dataclass(frozen=True)
class Reason:
    """One factor of a score: its additive contribution and a sentence for people.

    Attributes
    ----------
    factor : str
        One of ``presence, need, focus, track_record, capacity, kind, continuity, quota``.
    contribution : float
        Additive contribution to the score relative to an average candidate pair.
    sentence : str
        The fact behind the factor in English, e.g. "Operates in 3 districts of Nusa
        Tenggara Timur".
    sentence_id : str
        The same fact in Bahasa Indonesia ("Beroperasi di 3 kabupaten/kota di Nusa
        Tenggara Timur").
    """

    factor: str
    contribution: float
    sentence: str
    sentence_id: str = ""


def sentence(state: FeatureState, p: int, d: int, factor: str, lang: str = "en") -> str:
    """Return the fact behind ``factor`` for partner position ``p`` and district position ``d``.

    ``lang`` is ``"en"`` or ``"id"`` (Bahasa Indonesia); both state the same facts.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    fact = FACTS.get(factor)
    if fact is None:
        raise ValueError(f"unknown factor {factor!r}")
    return render(fact(Pair.of(state, p, d)), lang)


def linear_reasons(
    state: FeatureState,
    p: int,
    d: int,
    weights: np.ndarray,
    reference: np.ndarray,
    *,
    keep: int | None = None,
) -> list[Reason]:
    """Reasons of a linear score ``x @ weights``: per factor ``sum w (x - reference)``.

    All factors, largest first; with ``keep``, only the ``keep`` largest and the most
    negative one when it lowers the score. Sentences are written only for the factors
    returned (they read the frames cell by cell: the costly part).
    """
    x = state.pair_features(np.array([p]), np.array([d]))[0].astype(float)
    delta = weights * (x - reference)
    ranked = sorted(
        ((f, float(delta[idx].sum())) for f, idx in FACTOR_INDEX.items()), key=lambda fc: -fc[1]
    )
    if keep is not None:
        kept = ranked[:keep]
        if ranked and ranked[-1][1] < 0 and ranked[-1] not in kept:
            kept.append(ranked[-1])
        ranked = kept
    return [
        Reason(f, c, sentence(state, p, d, f, "en"), sentence(state, p, d, f, "id"))
        for f, c in ranked
    ]
