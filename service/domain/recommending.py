"""The service's recommender at run time: a :class:`Recommender` kept on ``app.state``.

It holds one :class:`Snapshot` per :class:`~service.domain.worlds.World` (frames,
feature space and state built from the database, the active scorer and its version):
the real record's, whose features, reasons and candidates know nothing generated, and
the demo world's with the synthetic partners and history added. It refreshes them
cheaply: at most every
``poll_seconds`` a request runs one small query (active model id, partnership and
partner counts and max ids, the latest audit entry, and the data version when it is
given). When the active model changed it reloads the model; when the data changed it
rebuilds the features and their score blocks (:mod:`recommender.blocks`); otherwise
requests share them. Every worker
polls the shared database, so activating a version is picked up without a restart.
Building and scoring run in a worker thread, never on the event loop.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.to_thread
import numpy as np
from sqlalchemy import ScalarSelect, Select, func, select

from recommender.explain import Reason
from recommender.features import FeatureSpace, FeatureState
from recommender.model import TransparentScorer
from recommender.real_model import RealRanker
from service.db.models import AuditLog, ModelVersion, Partner, Partnership
from service.db.models import RecommendationFeedback as Feedback
from service.domain import model_registry
from service.domain.feedback_data import rejected_pairs
from service.domain.real_serving import RealServing
from service.domain.recommender_data import RecommenderFrames, load_frames
from service.domain.worlds import World

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from service.settings import Settings

log = logging.getLogger("mitra.recommender")
T = TypeVar("T")
# A partner with a partnership in one of these statuses already works in the district.
CURRENT_STATUSES = ("proposed", "active", "reported")


@dataclass(frozen=True)
class Rows:
    """Database rows read with the frames and kept while the data stays the same.

    A request reads them from memory instead of running a query: the partner of each
    recommendation, the pairs planners rejected.
    """

    partners: Mapping[int, Partner] = field(default_factory=dict)  # detached, read-only
    rejected: frozenset[tuple[int, str]] = frozenset()  # latest verdict rejected

    def rejected_partners(self, district_code: str) -> set[int]:
        """Partners rejected for ``district_code``."""
        return {p for p, c in self.rejected if c == district_code}

    def rejected_districts(self, partner_id: int) -> set[str]:
        """Districts where ``partner_id`` was rejected."""
        return {c for p, c in self.rejected if p == partner_id}


@dataclass(frozen=True)
class Snapshot:
    """Everything needed to score, consistent with one model version and one data state."""

    frames: RecommenderFrames
    space: FeatureSpace
    state: FeatureState
    model: model_registry.LoadedModel
    partner_pos: dict[int, int]  # partner id -> position in the space
    partner_ids: np.ndarray  # position -> partner id
    open_pd: np.ndarray  # P x D: a current (proposed, active) or reported partnership exists
    real: RealServing | None = None  # the real-record rankers (real world, when trained)
    rows: Rows = field(default_factory=Rows)

    @property
    def version(self) -> str:
        """Version of the model behind this snapshot."""
        return self.model.version

    def reasons(self, p: int, d: int, x: np.ndarray | None = None) -> list[Reason]:
        """Return the three largest factors of the score, and the largest negative one if any.

        ``x``: the pair's features, when the caller built them for all its pairs at once.
        """
        # sentences only for these factors, not all eight
        reasons: list[Reason] = self.model.scorer.explain(self.state, p, d, keep=3, x=x)
        return reasons

    @functools.cached_property
    def transparent(self) -> TransparentScorer:
        """The documented transparent scorer on this snapshot (no history), built once."""
        return TransparentScorer().fit(self.space, None, until=self.state.as_of)

    def score_matrix(self, d_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Scores of every partner for each district in ``d_idx``, and which are within reach.

        Both districts x partners. With the real-record rankers the logit's utilities and
        :meth:`RealServing.utility_and_reach` (one candidate block per district); the
        demo world's model has no reach threshold: every pair is within reach.
        """
        if self.real is not None:
            rows = [self.real.utility_and_reach(int(d)) for d in d_idx]
            return np.stack([u for u, _ in rows]), np.stack([w for _, w in rows])
        scores = np.asarray(self.model.scorer.score_matrix(self.state, d_idx))
        return scores, np.ones(scores.shape, bool)


def build_snapshot(
    frames: RecommenderFrames,
    model: model_registry.LoadedModel,
    as_of: dt.date,
    rows: Rows | None = None,
) -> Snapshot:
    """Feature space and state as of ``as_of``; fits the transparent fallback's reference."""
    space = FeatureSpace(frames.districts, frames.partners)
    state = space.at(frames.history, as_of)
    if isinstance(model.scorer, TransparentScorer):  # a fresh one: snapshots never share it
        model = replace(model, scorer=TransparentScorer().fit(space, frames.history, until=as_of))
    return _snapshot(frames, space, state, model, rows or Rows())


def _snapshot(
    frames: RecommenderFrames,
    space: FeatureSpace,
    state: FeatureState,
    model: model_registry.LoadedModel,
    rows: Rows,
) -> Snapshot:
    ids = frames.partners["id"].to_numpy(int)
    h = frames.history
    open_pd = np.zeros((len(space.p_names), len(space.d_codes)), bool)
    op = h[h["status"].isin(CURRENT_STATUSES)]
    pi = op["partner_name"].map(space.p_pos)
    di = op["district_code"].map(space.d_pos)
    ok = pi.notna() & di.notna()
    open_pd[pi[ok].astype(int).to_numpy(), di[ok].astype(int).to_numpy()] = True
    weights = getattr(model.scorer, "weights_", None)
    if weights is not None:  # a linear scorer: its block coefficients now, not in a request
        state.blocks.linear(weights, float(getattr(model.scorer, "intercept_", 0.0)))
    ranker = getattr(model.scorer, "real_", None)
    real = RealServing.build(frames, ranker, state) if isinstance(ranker, RealRanker) else None
    return Snapshot(
        frames,
        space,
        state,
        model,
        {int(i): k for k, i in enumerate(ids)},
        ids,
        open_pd,
        real,
        rows,
    )


async def _rows(session: AsyncSession) -> Rows:
    partners = (await session.execute(select(Partner))).scalars()
    return Rows({row.id: row for row in partners}, frozenset(await rejected_pairs(session)))


def _poll_key() -> Select[Any]:
    def mx(col: Any) -> ScalarSelect[Any]:
        return select(func.max(col)).scalar_subquery()

    return select(
        select(func.max(ModelVersion.id)).where(ModelVersion.active.is_(True)).scalar_subquery(),
        select(func.count()).select_from(Partnership).scalar_subquery(),
        mx(Partnership.id),
        select(func.count())
        .select_from(Partner)
        .where(Partner.archived_at.is_(None))
        .scalar_subquery(),
        mx(Partner.id),
        mx(AuditLog.id),
        mx(Feedback.id),
    )


class Recommender:
    """Holds the current snapshot of each world; one per process, created in the lifespan.

    Parameters
    ----------
    session_factory : async_sessionmaker
        Short sessions for the poll and the rebuilds.
    settings : Settings
        Service settings (model directory).
    poll_seconds : float
        At most one change check per this many seconds (0: on every request).
    data_version : callable, optional
        The current data version (``DataVersionWatcher.current``). When it differs from
        the one seen at the last check, the snapshot is checked at once, whatever
        ``poll_seconds`` says: an answer computed at a data version (and cached under
        it) never comes from a snapshot older than that version.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        poll_seconds: float = 3.0,
        data_version: Callable[[], Awaitable[int]] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.poll_seconds = poll_seconds
        self.data_version = data_version
        self._seen_version: int | None = None
        self._snaps: dict[World, Snapshot] = {}
        self._key: tuple[object, ...] | None = None
        self._checked = -float("inf")
        self._lock = anyio.Lock()

    def _fresh(self, version: int | None) -> bool:
        return (
            bool(self._snaps)
            and version == self._seen_version
            and time.monotonic() - self._checked < self.poll_seconds
        )

    async def snapshot(self, world: World = World.REAL) -> Snapshot:
        """Return the current snapshot of ``world``, refreshed first when the database changed.

        Refreshed at once, whatever ``poll_seconds`` says, when the data version moved.
        """
        version = None if self.data_version is None else await self.data_version()
        if not self._fresh(version):
            async with self._lock:
                if not self._fresh(version):
                    await self._refresh(version)
                    self._seen_version = version
        return self._snaps[world]

    async def _refresh(self, version: int | None = None) -> None:
        old = self._snaps
        async with self.session_factory() as session:
            row = (await session.execute(_poll_key())).one()
            # the data version, when known, covers every write the counts miss (a partner's
            # areas, a prevalence, a verdict): the features are rebuilt after any write
            key = (*tuple(row), dt.date.today(), version)
            if old and key == self._key:
                self._checked = time.monotonic()
                return
            model_changed = not old or self._key is None or key[0] != self._key[0]
            data_changed = not old or self._key is None or key[1:] != self._key[1:]
            frames = await session.run_sync(load_frames) if data_changed else old[World.DEMO].frames
            rows = await _rows(session) if data_changed else old[World.DEMO].rows
            mv = await session.run_sync(model_registry.active_version) if model_changed else None
            # The database holds the artifact; this host's model directory is its cache.
            path = (
                await session.run_sync(model_registry.cached_artifact, mv, self.settings.model_dir)
                if mv is not None
                else None
            )
        as_of = dt.date.today()
        model = (
            await anyio.to_thread.run_sync(model_registry.model_for, mv, path)
            if model_changed
            else old[World.REAL].model
        )
        if data_changed or isinstance(model.scorer, TransparentScorer) or not old:
            per_world = {World.REAL: frames.real_only(), World.DEMO: frames}
            snaps = {
                w: await anyio.to_thread.run_sync(build_snapshot, f, model, as_of, rows)
                for w, f in per_world.items()
            }
        else:
            snaps = {
                w: _snapshot(s.frames, s.space, s.state, model, s.rows) for w, s in old.items()
            }
        self._snaps, self._key, self._checked = snaps, key, time.monotonic()
        real = snaps[World.REAL]
        log.info(
            "recommender ready: model %s%s, %d real partners (%d with the demo world), "
            "%d real partnerships (%d)",
            real.version,
            " (fallback)" if real.model.fallback else "",
            len(real.space.p_names),
            len(snaps[World.DEMO].space.p_names),
            len(real.frames.history),
            len(frames.history),
        )

    async def run(
        self,
        fn: Callable[..., T],
        *args: object,
        world: World = World.REAL,
        **kwargs: object,
    ) -> T:
        """Call ``fn(snapshot, *args, **kwargs)`` in a worker thread on ``world``'s snapshot."""
        snap = await self.snapshot(world)
        return await anyio.to_thread.run_sync(lambda: fn(snap, *args, **kwargs))
