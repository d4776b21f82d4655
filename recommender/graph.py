"""Districts for a partner: a random walk with restart over the real record.

The walk starts at the partner's known districts. At each step it restarts with
probability ``restart``; otherwise it moves to another district, with weight
``1 - cooccurrence`` by a distance kernel ``exp(-km / bandwidth_km)`` (partners grow
to neighbouring districts) and with weight ``cooccurrence`` through the partner graph
(from a district to one of its known partners, then to one of that partner's districts:
districts that share partners are alike). A district's score is the walk's visiting
probability; the partner's known districts are where it starts, so they score high and
are filtered out by the caller when asked for new districts.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from recommender.record import RealRecord


class DistrictWalk(BaseEstimator):  # type: ignore[misc]
    """Random walk with restart from a partner's known districts.

    Parameters
    ----------
    restart : float
        Restart probability per step.
    bandwidth_km : float
        Length scale of the distance kernel.
    cooccurrence : float
        Share of each step taken through the partner graph.
    steps : int
        Power-iteration steps (the remaining mass is ``(1 - restart) ** steps``).
    """

    def __init__(
        self,
        restart: float = 0.4,
        bandwidth_km: float = 50.0,
        cooccurrence: float = 0.3,
        steps: int = 20,
    ) -> None:
        self.restart = restart
        self.bandwidth_km = bandwidth_km
        self.cooccurrence = cooccurrence
        self.steps = steps

    @classmethod
    def of(cls, params: dict[str, float]) -> DistrictWalk:
        """Return a walk with ``restart``, ``bandwidth_km`` and ``cooccurrence`` from ``params``."""
        return cls(params["restart"], params["bandwidth_km"], params["cooccurrence"])

    def kernel(self, record: RealRecord) -> np.ndarray:
        """Row-normalised distance kernel (no self-loops)."""
        k = np.exp(-record.dist / self.bandwidth_km)
        np.fill_diagonal(k, 0.0)
        return np.asarray(k / np.maximum(k.sum(axis=1, keepdims=True), 1e-300))

    def scores(
        self, record: RealRecord, known: np.ndarray, p: int, kernel: np.ndarray | None = None
    ) -> np.ndarray:
        """Visiting probability of every district for partner position ``p`` given ``known``.

        A partner with no known district gets zeros (it is cold: the caller falls back).
        """
        return np.asarray(self.batch_scores(record, known, [(p, np.zeros((0, 2), int))], kernel)[0])

    def batch_scores(
        self,
        record: RealRecord,
        known: np.ndarray,
        queries: list[tuple[int, np.ndarray]],
        kernel: np.ndarray | None = None,
    ) -> np.ndarray:
        """Scores for several partners at once, each on ``known`` minus its own pairs.

        ``queries`` holds ``(partner position, hidden)`` where ``hidden`` is an (n, 2)
        array of (partner, district) positions removed from ``known`` for that query
        only (a leave-one-out hold); the result has one row per query.
        """
        k = self.kernel(record) if kernel is None else kernel
        a = known.astype(float)
        hq, hp, hd = _hidden_index(a, [h for _, h in queries])
        qp = np.array([p for p, _ in queries], int)
        start = a[qp].copy()
        own = hp == qp[hq]
        start[hq[own], hd[own]] = 0.0
        total = start.sum(axis=1, keepdims=True)
        start = np.where(total > 0, start / np.maximum(total, 1e-300), 0.0)
        return self._visits(a, k, start, hq, hp, hd)

    def partner_scores(
        self,
        record: RealRecord,
        known: np.ndarray,
        queries: list[tuple[int, np.ndarray]],
        kernel: np.ndarray | None = None,
    ) -> np.ndarray:
        """Partners for a district: the walk restarted at the district, then to partners.

        ``queries`` holds ``(district position, hidden)`` as in :meth:`batch_scores`.
        The walk restarts at the query district and spreads as above; a partner's score is
        the mass that reaches it in one more step from the visited districts to the
        partners known there (each district splits its visits equally among its known
        partners). A partner with no known district scores 0. One row per query.
        """
        k = self.kernel(record) if kernel is None else kernel
        a = known.astype(float)
        hq, hp, hd = _hidden_index(a, [h for _, h in queries])
        start = np.zeros((len(queries), a.shape[1]))
        start[np.arange(len(queries)), [d for d, _ in queries]] = 1.0
        visits = self._visits(a, k, start, hq, hp, hd)
        deg_d = np.tile(a.sum(axis=0), (len(queries), 1))
        np.subtract.at(deg_d, (hq, hd), 1.0)
        via = np.where(deg_d > 0, visits / np.maximum(deg_d, 1.0), 0.0)
        to_p = via @ a.T
        np.subtract.at(to_p, (hq, hp), via[hq, hd])
        return np.asarray(np.maximum(to_p, 0.0))

    def _visits(
        self,
        a: np.ndarray,
        k: np.ndarray,
        start: np.ndarray,
        hq: np.ndarray,
        hp: np.ndarray,
        hd: np.ndarray,
    ) -> np.ndarray:
        """Visiting probabilities from ``start`` rows, each on ``a`` minus its hidden pairs."""
        n_q = len(start)
        deg_d = np.tile(a.sum(axis=0), (n_q, 1))
        deg_p = np.tile(a.sum(axis=1), (n_q, 1))
        np.subtract.at(deg_d, (hq, hd), 1.0)
        np.subtract.at(deg_p, (hq, hp), 1.0)
        linked = deg_d > 0
        b = self.cooccurrence
        v = start.copy()
        out = self.restart * start
        for _ in range(self.steps):
            via = np.where(linked, v / np.maximum(deg_d, 1.0), 0.0)
            to_p = via @ a.T
            np.subtract.at(to_p, (hq, hp), via[hq, hd])
            to_p /= np.maximum(deg_p, 1.0)
            graph = to_p @ a
            np.subtract.at(graph, (hq, hd), to_p[hq, hp])
            geo = (1 - b) * v + b * np.where(linked, 0.0, v)
            v = (1 - self.restart) * (geo @ k + b * graph)
            out = out + self.restart * v
        return np.asarray(out)


def _hidden_index(
    a: np.ndarray, hidden: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(query, partner, district) of each hidden pair present in ``a``, as int arrays.

    ``hidden[i]`` is an (n, 2) array of (partner, district) positions removed for query
    ``i`` only; hiding a pair that is not there changes nothing.
    """
    hq = np.concatenate([np.full(len(h), i) for i, h in enumerate(hidden)] + [[]]).astype(int)
    hp = np.concatenate([h[:, 0] for h in hidden] + [np.zeros(0)]).astype(int)
    hd = np.concatenate([h[:, 1] for h in hidden] + [np.zeros(0)]).astype(int)
    present = a[hp, hd] > 0
    return hq[present], hp[present], hd[present]
