"""Scores, points, reasons and distances of the real-record rankers for the real world.

The real world's snapshot (:mod:`service.domain.recommending`) holds a
:class:`RealServing` when the active model carries the real-record rankers
(:class:`recommender.real_model.RealRanker`). Partners for a district: the conditional
logit's 0-100 match points (presence, track record, shared partners, kind) blended with
need points by the planner's emphasis; a partner is within reach when its fit is at least
:data:`~recommender.real_model.SUITABLE_SCORE` and its known footprint reaches the
district (:func:`~recommender.real_model.partners_within_reach`: known in two or more
provinces, or in the district's province, or within
:data:`~recommender.real_model.REACH_KM` of it). Districts for a partner: the random
walk's visits (the partner's best district 100) blended with the district's need points,
within reach where the footprint reaches
(:func:`~recommender.real_model.districts_within_reach`); a partner with no known
district yet is ranked by the transparent scorer, and its reasons say so. Every pair
carries the distance from the district to the partner's nearest known district.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from recommender import real_explain
from recommender.emphasis import area_need_points, district_need_points, weights
from recommender.explain import Reason, sentence
from recommender.real_model import (
    SUITABLE_SCORE,
    RealRanker,
    districts_within_reach,
    national,
    partners_within_reach,
)
from recommender.record import RealRecord

if TYPE_CHECKING:
    from recommender.features import FeatureState
    from recommender.model import _Scorer
    from service.domain.recommender_data import RecommenderFrames


@dataclass(frozen=True)
class Scored:
    """Scores (0-100) of every candidate, and what each candidate's reasons need."""

    score: np.ndarray
    fit: np.ndarray  # the fit part alone, 0-100
    within: np.ndarray  # within reach: the footprint reaches (and, partners, fit >= 20)
    distance_km: np.ndarray  # nan where the partner has no known district
    reasons: Callable[[int], list[Reason]]


@dataclass(frozen=True)
class RealServing:
    """The real record and its rankers, aligned with a snapshot's partner positions."""

    record: RealRecord
    known: np.ndarray
    ranker: RealRanker
    need_points: np.ndarray  # per district, 0-100

    @classmethod
    def build(
        cls, frames: RecommenderFrames, ranker: RealRanker, state: FeatureState
    ) -> RealServing | None:
        """None unless every partner is real and positions line up with the snapshot's."""
        if frames.partners["synthetic"].any():
            return None
        record = RealRecord.from_frames(frames.districts, frames.partners, frames.history)
        if list(record.p_names) != list(state.space.p_names):
            return None
        return cls(record, record.known(), ranker, district_need_points(state.space.profile))

    def distances(self, d: int) -> np.ndarray:
        """Distance from district ``d`` to each partner's nearest known district (nan: none)."""
        km = self.record.near_km(self.known, d)
        return np.where(self.known.any(axis=1), km, np.nan)

    def utility_and_reach(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        """Return each partner's logit utility for district position ``d`` and reach.

        Whether it is within reach as in :class:`Scored`; both from one candidate block.
        """
        utility, fit = self.ranker.partner_utility_and_fit(self.record, self.known, d)
        return utility, self._within(fit, d)

    @functools.cached_property
    def far_reaching(self) -> np.ndarray:
        """Partners known in two or more provinces (or international): they reach anywhere."""
        return national(self.record, self.known)

    def _within(self, fit: np.ndarray, d: int) -> np.ndarray:
        reach = partners_within_reach(self.record, self.known, d, national_=self.far_reaching)
        return np.asarray((fit >= SUITABLE_SCORE) & reach)

    def partners_for(self, state: FeatureState, d: int, emphasis: str) -> Scored:
        """0-100 scores of every partner for district position ``d``."""
        w_fit, w_need = weights(emphasis)
        fit, points = self.ranker.partner_points(self.record, self.known, d)
        s = state.space
        need = area_need_points(s.areas, s.need[d], state.coverage[d])
        score = w_fit * fit + w_need * need
        within = self._within(fit, d)
        used = self.ranker.partner_model_.factors_used()

        def reasons(p: int) -> list[Reason]:
            rec, kn = self.record, self.known
            say: dict[str, Callable[[str], str]] = {
                "presence": lambda lang: real_explain.presence(
                    rec, kn, p, d, bool(within[p]), lang
                ),
                "track_record": lambda lang: real_explain.track_record(rec, kn, p, d, lang),
                "continuity": lambda lang: real_explain.shared_partners(rec, kn, p, d, lang),
                "profile": lambda lang: real_explain.profile(rec, kn, p, d, lang),
                "kind": lambda lang: real_explain.kind(s, p, lang),
            }
            # a factor the model does not use scores 0 for everyone: no reason for it
            out = [Reason(f, float(w_fit * points[f][p]), say[f]("en"), say[f]("id")) for f in used]
            if w_need:
                args = (s.areas[p], s.need[d], state.coverage[d])
                out.append(
                    Reason(
                        "focus",
                        float(w_need * need[p]),
                        real_explain.open_areas(*args, "en"),
                        real_explain.open_areas(*args, "id"),
                    )
                )
            return sorted(out, key=lambda r: -r.contribution)

        return Scored(score, fit, within, self.distances(d), reasons)

    def districts_for(
        self, state: FeatureState, p: int, emphasis: str, candidates: np.ndarray, fallback: _Scorer
    ) -> Scored:
        """0-100 scores of every district for partner position ``p``."""
        w_fit, w_need = weights(emphasis)
        cold = not self.known[p].any()
        raw = (
            fallback.score_partner(state, p)
            if cold
            else self.ranker.district_scores(self.record, self.known, p)
        )
        c = raw[candidates] if candidates.any() else raw
        lo, hi = (float(c.min()), float(c.max())) if cold else (0.0, float(c.max()))
        fit = np.clip(100.0 * (raw - lo) / (hi - lo if hi > lo else 1.0), 0.0, 100.0)
        score = w_fit * fit + w_need * self.need_points
        km = (
            np.full(self.record.n_districts, np.nan)
            if cold
            else self.record.dist[self.known[p]].min(axis=0)
        )

        def reasons(d: int) -> list[Reason]:
            if cold:
                en = (
                    "No known district yet: ranked by the documented transparent scorer, "
                    "which real partners' records do not confirm"
                )
                id_ = (
                    "Belum ada kabupaten/kota yang diketahui: diurutkan dengan penilai "
                    "transparan yang terdokumentasi, belum dikonfirmasi data mitra nyata"
                )
            else:
                rec, kn = self.record, self.known
                en = real_explain.nearest_known(rec, kn, p, d, "en")
                id_ = real_explain.nearest_known(rec, kn, p, d, "id")
            out = [Reason("presence", float(w_fit * fit[d]), en, id_)]
            if w_need:
                out.append(
                    Reason(
                        "need",
                        float(w_need * self.need_points[d]),
                        sentence(state, p, d, "need"),
                        sentence(state, p, d, "need", "id"),
                    )
                )
            return sorted(out, key=lambda r: -r.contribution)

        # the footprint rule alone: the walk's fit is relative to the partner's best district
        within = districts_within_reach(self.record, self.known, p, national_=self.far_reaching)
        return Scored(score, fit, within, km, reasons)
