"""The public interface of a scorer: what evaluation, training and the service rely on.

Every scorer of :mod:`recommender.model` satisfies :class:`Scorer`; the linear ones (the
transparent scorer and the learned ranker, the only ones the service runs) also satisfy
:class:`ExplainingScorer`. Code outside :mod:`recommender.model` types scorers with these
protocols, never with the private base class the implementations share.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from recommender.explain import Reason
    from recommender.features import FeatureSpace, FeatureState


class Scorer(Protocol):
    """Scores partner-district pairs, higher is better."""

    @property
    def name(self) -> str:
        """Name of the scorer in evaluation tables."""
        ...

    def fit(
        self,
        space: FeatureSpace,
        history: pd.DataFrame | None = None,
        *,
        until: dt.date | None = None,
    ) -> Scorer:
        """Fit on the history before ``until``; return ``self``."""
        ...

    def score_pairs(self, state: FeatureState, p_idx: np.ndarray, d_idx: np.ndarray) -> np.ndarray:
        """Score the pairs of partner positions ``p_idx`` and district positions ``d_idx``."""
        ...

    def score_district(self, state: FeatureState, d: int) -> np.ndarray:
        """Score every partner for district position ``d``."""
        ...

    def score_partner(self, state: FeatureState, p: int) -> np.ndarray:
        """Score every district for partner position ``p``."""
        ...


class ExplainingScorer(Scorer, Protocol):
    """A scorer that scores whole blocks at once and explains each score by its factors."""

    def score_matrix(
        self, state: FeatureState, d_idx: np.ndarray | None = None, chunk: int = 320_000
    ) -> np.ndarray:
        """Score every partner for every district in ``d_idx`` (districts x partners)."""
        ...

    def explain(
        self,
        state: FeatureState,
        p: int,
        d: int,
        *,
        keep: int | None = None,
        x: np.ndarray | None = None,
    ) -> list[Reason]:
        """List the factors of the score of partner ``p`` for district ``d``, largest first.

        With ``keep``: only the ``keep`` largest and the most negative one. ``x``: the
        pair's features, when the caller built them already.
        """
        ...
