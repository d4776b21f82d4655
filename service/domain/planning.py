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

The planner's ``emphasis`` (as in recommendPartners and recommendDistricts) reweighs the
first term: ``w_fit * relevance + w_need * need points`` (standardised within the
province), where a pair's need points are the mean of the district's need points (gap
to 14 %, underdeveloped, burden) and the points of the partner's areas the district
lacks (:mod:`recommender.emphasis`). FIT (the default) is the relevance alone.

Each pick carries the score and reasons recommendPartners gives the pair with the same
emphasis: on the real record the real-record ranker's 0-100 match score and its factors
(the selection above only standardises that ranker's utilities), in the demo world the
demo model's score and reasons.

No partner appears twice; partners already committed in the province, already
working there (a proposed, active or reported partnership), or whose known typical
commitment is under 6 months are left out, and so is every pair a planner rejected and,
on the real record, every pair not within reach (recommendPartners' rule: a partner
known in one other province farther than ``REACH_KM`` never fills a slot here).
Only local media fill the local-media quota (:mod:`service.domain.local_media`): a
national outlet never does. A slot the plan cannot fill stays open, and
:attr:`ProvincePlan.open_slots` says why.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from recommender.emphasis import (
    DEFAULT_EMPHASIS,
    area_need_points,
    district_need_points,
    weights,
)
from recommender.explain import Reason
from recommender.features import QUOTAS
from recommender.vocab import AREAS, MIN_COMMITMENT_MONTHS, QUOTA_LABELS, QUOTA_LABELS_ID
from service.db.enums import QuotaCategory
from service.db.models import Partner
from service.domain.campaign import QuotaProgress, quota_progress_by_province
from service.domain.feedback_data import rejected_pairs
from service.domain.local_media import local_media_provinces
from service.domain.real_serving import Scored
from service.domain.recommending import Recommender, Snapshot
from service.domain.worlds import World

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

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
    partner: Partner | None = None  # the partner's row, when the snapshot holds it


@dataclass(frozen=True)
class OpenSlots:
    """Slots of one quota category the plan leaves open, and why, in English and Indonesian."""

    category: QuotaCategory
    remaining: int
    sentence: str
    sentence_id: str


@dataclass(frozen=True)
class ProvincePlan:
    """A province's quota plan: current progress, picks and what remains after them."""

    province_code: str
    model_version: str
    quotas: list[QuotaProgress]
    picks: list[PlanPick]
    remaining_after_plan: dict[QuotaCategory, int]
    open_slots: list[OpenSlots]


_WORLD = {
    World.REAL: ("the real record has", "data nyata tidak memiliki"),
    World.DEMO: (
        "the real record and the demo world have",
        "data nyata dan dunia demo tidak memiliki",
    ),
}


def why_open(category: str, remaining: int, province: str, world: World) -> OpenSlots:
    """Why ``remaining`` slots of ``category`` stay open: no eligible candidate is left."""
    en, id_ = QUOTA_LABELS[category], QUOTA_LABELS_ID[category]
    w_en, w_id = _WORLD[world]
    note_en = note_id = ""
    if category == "local_media":
        en = "local or provincial media of " + province
        id_ = f"media lokal atau provinsi dari {province}"
        note_en = " (national outlets never fill this quota)"
        note_id = " (media nasional tidak pernah mengisi kuota ini)"
    return OpenSlots(
        category=QuotaCategory(category),
        remaining=remaining,
        sentence=f"{remaining} slot(s) for {QUOTA_LABELS[category]} stay open: {w_en} no more "
        f"eligible {en} within reach{note_en}",
        sentence_id=f"{remaining} slot {QUOTA_LABELS_ID[category]} tetap kosong: {w_id} lagi "
        f"{id_} yang memenuhi syarat dalam jangkauan{note_id}",
    )


@dataclass(frozen=True)
class PlanInputs:
    """What :func:`plan_province` needs from the database besides the snapshot."""

    quotas: list[QuotaProgress]
    local_media_ids: frozenset[int]
    rejected: frozenset[tuple[int, str]]


async def plan_inputs(session: AsyncSession, *, province_code: str, world: World) -> PlanInputs:
    """Return the province's quotas counted in ``world``, its local media and the rejected pairs."""
    quotas = await quota_progress_by_province(session, province_codes=[province_code], world=world)
    local = await local_media_provinces(session)
    return PlanInputs(
        quotas=quotas[province_code],
        local_media_ids=frozenset(pid for pid, homes in local.items() if province_code in homes),
        rejected=frozenset(await rejected_pairs(session, province_code=province_code)),
    )


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
    snap: Snapshot,
    province_code: str,
    quotas: Sequence[QuotaProgress],
    *,
    local_media_ids: Collection[int],
    rejected: Collection[tuple[int, str]] = (),
    counted_in: World = World.REAL,
    emphasis: str = DEFAULT_EMPHASIS,
) -> ProvincePlan | None:
    """Return the plan for ``province_code`` given its current ``quotas`` (None if unknown).

    ``local_media_ids``: the media partners local to the province, the only media that
    may fill its local-media quota. ``rejected``: (partner id, district code) pairs a
    planner rejected, never proposed. ``counted_in``: the world ``quotas`` were counted
    in (and ``snap`` built from), named when a slot stays open. ``emphasis``: fit versus
    need (see the module docstring); ValueError for an unknown one.
    """
    w_fit, w_need = weights(emphasis)
    s = snap.space
    d_idx = np.flatnonzero(s.districts["province_code"].astype(str).to_numpy() == province_code)
    if not len(d_idx):
        return None
    scores, within = snap.score_matrix(d_idx)
    scores = scores.astype(float)
    relevance = _z(scores)
    if w_need > 0:
        st = snap.state
        areas = np.stack([area_need_points(s.areas, s.need[d], st.coverage[d]) for d in d_idx])
        need_points = 0.5 * district_need_points(s.profile)[d_idx][:, None] + 0.5 * areas
        relevance = w_fit * relevance + w_need * _z(need_points)
    need = NEED_WEIGHT * _z(s.profile["gap_to_target"].to_numpy(float)[d_idx])
    lacking = snap.state.coverage[d_idx] == 0  # districts x areas
    n_areas = np.maximum(s.areas.sum(axis=1), 1.0)

    committed = {pid for q in quotas for pid in q.partner_ids}
    eligible = ~np.isin(snap.partner_ids, list(committed))
    eligible &= ~snap.open_pd[:, d_idx].any(axis=1)
    commitment = s.partners["typical_commitment_months"].to_numpy(float)
    eligible &= ~(commitment < MIN_COMMITMENT_MONTHS)  # unknown commitments stay eligible
    media = s.quota == QUOTAS.index(QuotaCategory.LOCAL_MEDIA.value)
    eligible &= ~media | np.isin(snap.partner_ids, list(local_media_ids))
    blocked = ~within  # d x p: out of reach, and (below) rejected
    d_row = {str(s.d_codes[d]): i for i, d in enumerate(d_idx)}
    for pid, code in rejected:
        if code in d_row and pid in snap.partner_pos:
            blocked[d_row[code], snap.partner_pos[pid]] = True
    remaining = np.array(
        [next((q.remaining for q in quotas if q.category.value == c), 0) for c in QUOTAS]
    )

    picks: list[PlanPick] = []
    covered = np.zeros_like(lacking)
    per_district = np.zeros(len(d_idx))
    max_sim = np.zeros(len(s.p_names))
    real_scored: dict[int, Scored] = {}  # a district's real-record scores, once per district
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
        value[blocked] = -np.inf
        if not np.isfinite(value).any():
            break
        i, p = np.unravel_index(int(np.argmax(value)), value.shape)
        d = int(d_idx[i])
        own = np.flatnonzero(s.areas[p] > 0)
        if snap.real is not None:  # the real-record ranker scored it: its points and reasons
            if d not in real_scored:
                real_scored[d] = snap.real.partners_for(snap.state, d, emphasis)
            scored = real_scored[d]
            score, reasons = float(scored.score[p]), scored.reasons(int(p))
        else:
            score, reasons = float(scores[i, p]), snap.reasons(int(p), d)
        picks.append(
            PlanPick(
                category=QuotaCategory(QUOTAS[s.quota[p]]),
                partner_id=int(snap.partner_ids[p]),
                district_code=str(s.d_codes[d]),
                score=score,
                reasons=reasons,
                areas_covered=[AREAS[a] for a in own if lacking[i, a]],
                partner=snap.rows.partners.get(int(snap.partner_ids[p])),
            )
        )
        covered[i, own] = True
        per_district[i] += 1
        eligible[p] = False
        remaining[s.quota[p]] -= 1
        max_sim = np.maximum(max_sim, _similarity(snap, int(p)))
    province = str(s.districts["province_name"].iloc[int(d_idx[0])])
    return ProvincePlan(
        province_code=province_code,
        model_version=snap.version,
        quotas=list(quotas),
        picks=picks,
        remaining_after_plan={
            QuotaCategory(c): int(r) for c, r in zip(QUOTAS, remaining, strict=True)
        },
        open_slots=[
            why_open(c, int(r), province, counted_in)
            for c, r in zip(QUOTAS, remaining, strict=True)
            if r > 0
        ],
    )


async def rank_plan(
    recommender: Recommender,
    inputs: PlanInputs,
    *,
    province_code: str,
    world: World,
    emphasis: str = DEFAULT_EMPHASIS,
) -> ProvincePlan | None:
    """Run :func:`plan_province` on the running recommender's snapshot (in its thread).

    From the inputs :func:`plan_inputs` gathered in ``world``; None for an unknown province.
    """
    return await recommender.run(
        plan_province,
        province_code,
        inputs.quotas,
        world=world,
        counted_in=world,
        local_media_ids=inputs.local_media_ids,
        rejected=inputs.rejected,
        emphasis=emphasis,
    )
