"""Ranking on a recommender snapshot: partners for a district, districts for a partner.

Plain functions over a :class:`~service.domain.recommending.Snapshot` that the running
:class:`~service.domain.recommending.Recommender` hands out (``Recommender.run``
calls them in its worker thread): the candidates left after the planner's filters,
exclusions and rejections, scored by the snapshot's model and blended with need by
the emphasis, the top ones with their reasons as :class:`Ranked`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np

from recommender.emphasis import DEFAULT_EMPHASIS
from recommender.explain import Reason
from recommender.features import FAR_KM
from recommender.vocab import AREAS
from service.db.models import Partner
from service.domain.real_serving import RealServing, Scored
from service.domain.recommending import Snapshot


@dataclass(frozen=True)
class Ranked:
    """One recommended partner-district pair."""

    rank: int
    score: float
    partner_id: int
    district_code: str
    reasons: list[Reason]
    model_version: str
    distance_km: float | None = None  # to the partner's nearest known district
    within_reach: bool = True
    partner: Partner | None = None  # the partner's row, when the snapshot holds it


def _top(
    snap: Snapshot,
    scores: np.ndarray,
    mask: np.ndarray,
    first: int,
    pair: Callable[[int], tuple[int, int]],
    scored: Scored | None = None,
) -> list[Ranked]:
    s = np.where(mask, scores, -np.inf)
    order = np.argsort(-s, kind="stable")[: min(first, int(mask.sum()))]
    pairs = [pair(int(i)) for i in order]
    # the kept pairs' features in one go (one pair at a time cost ~0.2 ms each)
    xs = (
        snap.state.pair_features(np.array([p for p, _ in pairs]), np.array([d for _, d in pairs]))
        if scored is None and pairs
        else None
    )
    out = []
    rows = snap.rows.partners
    for rank, (i, (p, d)) in enumerate(zip(order, pairs, strict=True), start=1):
        if scored is None:
            km, x = float(snap.space.near_km[p, d]), None if xs is None else xs[rank - 1]
            reasons, dist = snap.reasons(p, d, x), (None if km >= FAR_KM else km)
            within = True
        else:
            reasons, km = scored.reasons(int(i)), float(scored.distance_km[i])
            dist = None if np.isnan(km) else km
            within = bool(scored.within[i])
        pid = int(snap.partner_ids[p])
        out.append(
            Ranked(
                rank,
                float(scores[i]),
                pid,
                str(snap.space.d_codes[d]),
                reasons,
                snap.version,
                dist,
                within,
                rows.get(pid),
            )
        )
    return out


def _rank(
    snap: Snapshot,
    mask: np.ndarray,
    *,
    first: int,
    pair: Callable[[int], tuple[int, int]],
    current: np.ndarray | None,
    ids: np.ndarray,
    excluded: Collection[int | str],
    real: Callable[[RealServing, np.ndarray], Scored],
    learned: Callable[[], np.ndarray],
    within_reach_only: bool = False,
) -> list[Ranked]:
    """Return the top ``first`` candidates of ``mask``, less the excluded ones.

    ``current``: candidates already working with the query, left out (None keeps them);
    ``excluded``: values of ``ids`` to leave out. With the snapshot's real-record rankers
    the scores are ``real(snap.real, mask)`` (the mask after the exclusions) and, with
    ``within_reach_only``, candidates not within reach (``Scored.within``) are left
    out; else the scores are ``learned()``.
    """
    if current is not None:
        mask &= ~current
    if excluded:
        mask &= ~np.isin(ids, list(excluded))
    if snap.real is not None:
        scored = real(snap.real, mask)
        if within_reach_only:
            mask &= scored.within
        return _top(snap, scored.score, mask, first, pair, scored)
    return _top(snap, learned(), mask, first, pair)


def recommend_partners(
    snap: Snapshot,
    district_code: str,
    *,
    first: int,
    kinds: Sequence[str] | None = None,
    areas: Sequence[str] | None = None,
    min_commitment_months: int | None = None,
    exclude_current: bool = True,
    exclude_partner_ids: Collection[int] = (),
    emphasis: str = DEFAULT_EMPHASIS,
    include_out_of_reach: bool = False,
    exclude_rejected: bool = True,
) -> list[Ranked] | None:
    """Top partners for a district (None when the district is unknown).

    ``areas``: the partner works in any of them. ``min_commitment_months``: the
    partner's typical commitment is known and at least this long. ``exclude_current``:
    leave out partners that already work in the district (a proposed, active or
    reported partnership). ``exclude_partner_ids``: never these. ``exclude_rejected``: leave
    out partners whose latest verdict for the district is rejected (the snapshot's rows).
    With the real-record rankers: scores are 0-100 match scores blended with need by
    ``emphasis``, and partners not within reach (a fit below ``SUITABLE_SCORE``, or a
    footprint in one other province farther than ``REACH_KM``) are left out unless
    ``include_out_of_reach``.
    """
    s = snap.space
    d = s.d_pos.get(district_code)
    if d is None:
        return None
    p = s.partners
    mask = np.ones(len(s.p_names), bool)
    if kinds:
        mask &= p["kind"].isin(list(kinds)).to_numpy()
    if areas:
        mask &= s.areas[:, [AREAS.index(a) for a in areas]].any(axis=1)
    if min_commitment_months is not None:
        mask &= (p["typical_commitment_months"].fillna(-1) >= min_commitment_months).to_numpy()
    excluded = set(exclude_partner_ids)
    if exclude_rejected:
        excluded |= snap.rows.rejected_partners(district_code)
    return _rank(
        snap,
        mask,
        first=first,
        pair=lambda i: (i, d),
        current=snap.open_pd[:, d] if exclude_current else None,
        ids=snap.partner_ids,
        excluded=excluded,
        real=lambda real, _mask: real.partners_for(snap.state, d, emphasis),
        learned=lambda: snap.model.scorer.score_district(snap.state, d),
        within_reach_only=not include_out_of_reach,
    )


def recommend_districts(
    snap: Snapshot,
    partner_id: int,
    *,
    first: int,
    province_codes: Sequence[str] | None = None,
    areas: Sequence[str] | None = None,
    exclude_current: bool = True,
    exclude_district_codes: Collection[str] = (),
    emphasis: str = DEFAULT_EMPHASIS,
    include_out_of_reach: bool = False,
    exclude_rejected: bool = True,
) -> list[Ranked] | None:
    """Top districts for a partner (None when the partner is unknown or archived).

    ``areas``: only districts where at least one of these areas has no active
    partnership. ``exclude_current``: leave out districts where the partner already
    works (a proposed, active or reported partnership). ``exclude_district_codes``:
    never these. ``exclude_rejected``: leave out districts where the partner's latest
    verdict is rejected (the snapshot's rows). With the real-record rankers, districts
    the partner's known footprint does not reach (it is known in one province only, and
    the district is in another more than ``REACH_KM`` away) are left out unless
    ``include_out_of_reach``.
    """
    s = snap.space
    p = snap.partner_pos.get(partner_id)
    if p is None:
        return None
    mask = np.ones(len(s.d_codes), bool)
    if province_codes:
        mask &= np.isin(s.districts["province_code"].astype(str).to_numpy(), list(province_codes))
    if areas:
        mask &= (snap.state.coverage[:, [AREAS.index(a) for a in areas]] == 0).any(axis=1)
    excluded = set(exclude_district_codes)
    if exclude_rejected:
        excluded |= snap.rows.rejected_districts(partner_id)
    return _rank(
        snap,
        mask,
        first=first,
        pair=lambda i: (p, i),
        current=snap.open_pd[p] if exclude_current else None,
        ids=s.d_codes,
        excluded=excluded,
        real=lambda real, m: real.districts_for(snap.state, p, emphasis, m, snap.transparent),
        learned=lambda: snap.model.scorer.score_partner(snap.state, p),
        within_reach_only=not include_out_of_reach,
    )
