"""Human sentences for the factors behind a partner–district score.

Each factor groups feature columns (:data:`recommender.feature_names.FACTORS`); its
contribution to a linear score is the sum over them. Its sentence is a fact
(:mod:`recommender.facts`, one function per factor) written in English or Bahasa
Indonesia (:mod:`recommender.wording`, one template table per language).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from recommender.facts import FACTS, Pair
from recommender.feature_names import COL, FACTORS
from recommender.wording import LANGUAGES, render

if TYPE_CHECKING:
    from recommender.features import FeatureState

FACTOR_INDEX = {f: np.array([COL[c] for c in cols]) for f, cols in FACTORS.items()}


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
