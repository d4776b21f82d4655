"""Fit versus need: the planner's emphasis, and need on a 0-100 scale.

Real partners go where they already are; the campaign wants them where need is. A
match score is ``w_fit * fit_points + w_need * need_points`` (both 0-100), with the
weights of the chosen emphasis, so the score stays on 0-100 and its two parts add up to
it. The weights are fixed and documented, not fitted; ``docs/recommender.md`` reports,
for each emphasis, hit@10 on the real record and the mean prevalence of what it
recommends (:func:`recommender.real_evaluation.emphasis_tradeoff`).
"""

from __future__ import annotations

import enum

import numpy as np
import pandas as pd


class Emphasis(enum.StrEnum):
    """What a match score weighs: where the partner fits, where need is, or both."""

    FIT = "fit"
    BALANCED = "balanced"
    NEED = "need"


EMPHASES: dict[str, tuple[float, float]] = {
    Emphasis.FIT: (1.0, 0.0),
    Emphasis.BALANCED: (0.7, 0.3),
    Emphasis.NEED: (0.3, 0.7),
}
DEFAULT_EMPHASIS = Emphasis.FIT


def weights(emphasis: str) -> tuple[float, float]:
    """(fit weight, need weight) of ``emphasis``; ValueError for an unknown one."""
    try:
        return EMPHASES[emphasis]
    except KeyError:
        raise ValueError(f"unknown emphasis {emphasis!r}; one of {sorted(EMPHASES)}") from None


def district_need_points(profile: pd.DataFrame) -> np.ndarray:
    """Score the need of each district on 0-100.

    60 % the gap to the 14 % target (relative to the largest gap), 20 % designated
    underdeveloped, 20 % the burden's percentile (prevalence x population).
    """
    gap = profile["gap_to_target"].to_numpy(float)
    top = gap.max() if len(gap) and gap.max() > 0 else 1.0
    burden = pd.Series(profile["burden"].to_numpy(float)).rank(pct=True).to_numpy()
    und = profile["underdeveloped"].to_numpy(float)
    return 100.0 * (0.6 * gap / top + 0.2 * und + 0.2 * burden)


def area_need_points(
    partner_areas: np.ndarray, need: np.ndarray, coverage: np.ndarray
) -> np.ndarray:
    """How much each partner's areas meet one district's uncovered needs, 0-100.

    Only areas no active partnership covers in the district count (so coverage never
    adds points), weighted by the district's need for each area (``need``, ~z units,
    negatives as 0); the best partner for the district gets 100.
    """
    open_need = np.maximum(need, 0.0) * (coverage == 0)
    raw = partner_areas @ open_need
    top = raw.max() if raw.size and raw.max() > 0 else 1.0
    return np.asarray(100.0 * raw / top)
