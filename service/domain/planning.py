"""Province plan: fill a province's remaining campaign quotas with recommended partners.

Starting from the commitments already made (:mod:`service.domain.campaign`), the plan
picks partners for the remaining slots (5 companies, 10 regional partners, 4 local
media) greedily, one (partner, district) pair at a time, maximising

    relevance (the model's score, standardised within the province)
    + need of the district (gap to 14 %, standardised within the province)
    + share of the partner's areas the district lacks and no earlier pick covers there
    - a penalty per earlier pick in the same district (spread over districts)
    - the largest similarity to an earlier pick (areas, kind, national scope): MMR,
      so a few similar national partners do not take every slot.

No partner appears twice; partners already committed in the province, with an open
partnership there, or whose known typical commitment is under 6 months are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from recommender.explain import Reason
from recommender.features import QUOTAS
from recommender.vocab import AREAS, MIN_COMMITMENT_MONTHS
from service.db.enums import QuotaCategory
from service.domain.campaign import QuotaProgress
from service.domain.recommending import Snapshot

NEED_WEIGHT = 0.3
AREA_WEIGHT = 0.8
SAME_DISTRICT_PENALTY = 0.7
SIMILARITY_PENALTY = 1.0


@dataclass(frozen=True)
class PlanPick:
    """One suggested partner for one district, for one quota category."""

    category: QuotaCategory
    partner_id: int
    district_code: str
    score: float
    reasons: list[Reason]
    areas_covered: list[str]  # the partner's areas the district lacks (no active partner)


@dataclass(frozen=True)
class ProvincePlan:
    """A province's quota plan: current progress, picks and what remains after them."""

    province_code: str
    model_version: str
    quotas: list[QuotaProgress]
    picks: list[PlanPick]
    remaining_after_plan: dict[QuotaCategory, int]


def _z(x: np.ndarray) -> np.ndarray:
    sd = float(x.std())
    return np.asarray((x - x.mean()) / (sd if sd > 0 else 1.0))


def _similarity(snap: Snapshot, q: int) -> np.ndarray:
    """Similarity of every partner to partner ``q``: 0.5 area Jaccard + 0.25 kind + 0.25 scope."""
    s = snap.space
    a = s.areas
    inter = a @ a[q]
    union = a.sum(axis=1) + a[q].sum() - inter
    jac = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    national = s.scope == "national"
    return np.asarray(0.5 * jac + 0.25 * (s.kind == s.kind[q]) + 0.25 * (national & national[q]))


def plan_province(
    snap: Snapshot, province_code: str, quotas: Sequence[QuotaProgress]
) -> ProvincePlan | None:
    """Plan ``province_code`` given its current ``quotas`` (None if unknown)."""
    s = snap.space
    d_idx = np.flatnonzero(s.districts["province_code"].astype(str).to_numpy() == province_code)
    if not len(d_idx):
        return None
    scores = snap.model.scorer.score_matrix(snap.state, d_idx).astype(float)
    relevance = _z(scores)
    need = NEED_WEIGHT * _z(s.profile["gap_to_target"].to_numpy(float)[d_idx])
    lacking = snap.state.coverage[d_idx] == 0  # districts x areas
    n_areas = np.maximum(s.areas.sum(axis=1), 1.0)

    committed = {pid for q in quotas for pid in q.partner_ids}
    eligible = ~np.isin(snap.partner_ids, list(committed))
    eligible &= ~snap.open_pd[:, d_idx].any(axis=1)
    commitment = s.partners["typical_commitment_months"].to_numpy(float)
    eligible &= ~(commitment < MIN_COMMITMENT_MONTHS)  # unknown commitments stay eligible
    remaining = np.array(
        [next((q.remaining for q in quotas if q.category.value == c), 0) for c in QUOTAS]
    )

    picks: list[PlanPick] = []
    covered = np.zeros_like(lacking)
    per_district = np.zeros(len(d_idx))
    max_sim = np.zeros(len(s.p_names))
    while (remaining > 0).any():
        cand = eligible & (remaining[s.quota] > 0)
        if not cand.any():
            break
        gain = ((lacking & ~covered).astype(np.float32) @ s.areas.T) / n_areas  # d x p
        value = (
            relevance
            + need[:, None]
            + AREA_WEIGHT * gain
            - SAME_DISTRICT_PENALTY * per_district[:, None]
            - SIMILARITY_PENALTY * max_sim
        )
        value[:, ~cand] = -np.inf
        i, p = np.unravel_index(int(np.argmax(value)), value.shape)
        d = int(d_idx[i])
        own = np.flatnonzero(s.areas[p] > 0)
        picks.append(
            PlanPick(
                category=QuotaCategory(QUOTAS[s.quota[p]]),
                partner_id=int(snap.partner_ids[p]),
                district_code=str(s.d_codes[d]),
                score=float(scores[i, p]),
                reasons=snap.reasons(int(p), d),
                areas_covered=[AREAS[a] for a in own if lacking[i, a]],
            )
        )
        covered[i, own] = True
        per_district[i] += 1
        eligible[p] = False
        remaining[s.quota[p]] -= 1
        max_sim = np.maximum(max_sim, _similarity(snap, int(p)))
    return ProvincePlan(
        province_code=province_code,
        model_version=snap.version,
        quotas=list(quotas),
        picks=picks,
        remaining_after_plan={
            QuotaCategory(c): int(r) for c, r in zip(QUOTAS, remaining, strict=True)
        },
    )
