"""Train, register, activate and load recommender models (``ModelVersion`` rows + skops bytes).

* :func:`train_model` fits a :class:`~recommender.model.LearnedRanker` on all history,
  evaluates the same recipe on the time split (:mod:`service.domain.model_reports`, which
  also writes the model card), saves the artifact with
  :mod:`recommender.registry` under ``settings.model_dir``, records a row with its
  metadata, metrics and model card, and stores the artifact's bytes in the database
  (:class:`~service.db.models.ModelArtifact`).
* :func:`cached_artifact` gives the file to load a version from: the host's model
  directory is a cache of the database, filled (and refilled when its hash is wrong) from
  the stored bytes, so every host on the database serves the same model.
* :func:`activate_version` makes exactly one version active (one UPDATE statement).
* :func:`ensure_active_model` trains and activates a first model when none is active
  (``mitra setup``).
* :func:`load_active` returns the active scorer, or the transparent scorer flagged as a
  fallback when no version is active or its artifact is missing or corrupt.

Functions taking a ``Session`` only flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from recommender.features import FeatureSpace
from recommender.model import LearnedRanker, TransparentScorer
from recommender.real_model import RealRanker
from recommender.real_training import accepted_pairs
from recommender.record import RealRecord
from recommender.registry import data_hash, load_ranker, save_ranker
from recommender.scorer import ExplainingScorer
from recommender.training import FEEDBACK_COLUMNS
from service.db.models import ModelArtifact, ModelVersion
from service.domain import feedback_data
from service.domain.model_reports import model_card, real_model_summary, run_evaluation
from service.domain.recommender_data import RecommenderFrames, load_frames

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from service.settings import Settings

log = logging.getLogger("mitra.models")

TRANSPARENT_VERSION = "transparent"
# The registry row that records an operator's choice of the transparent scorer
# (``mitra activate transparent``): no artifact, never retrained over by ``mitra setup``.
TRANSPARENT_KIND = "TransparentScorer"
CHOSEN_REASON = "chosen on purpose (mitra activate transparent)"


@dataclass(frozen=True)
class LoadedModel:
    """A scorer ready to fit on a feature space, and where it came from."""

    scorer: ExplainingScorer
    version: str
    kind: str
    fallback: bool
    reason: str | None = None
    row_id: int | None = None


MIN_REAL_PAIRS = 10  # fewer known real pairs: the service ranks with the transparent scorer


def fit_real_ranker(
    frames: RecommenderFrames, feedback: pd.DataFrame | None = None
) -> RealRanker | None:
    """Return the real-record rankers fitted on every real pair (None without enough of them).

    Planners' accepted recommendations of real partners (``feedback``) are training
    choices too.
    """
    record = RealRecord.from_frames(frames.districts, frames.partners, frames.history)
    warm = int((record.known().sum(axis=1) >= 2).sum())
    if record.n_pairs < MIN_REAL_PAIRS or warm < 2:
        return None
    return RealRanker().fit(record, accepted=accepted_pairs(record, feedback))


def _unique_version(session: Session, base: str) -> str:
    version, n = base, 1
    while session.scalar(select(ModelVersion.id).where(ModelVersion.version == version)):
        n += 1
        version = f"{base}-{n}"
    return version


def train_model(
    bind: Session | Engine,
    settings: Settings,
    *,
    activate: bool,
    evaluate_first: bool = True,
    n_boot: int = 1000,
) -> ModelVersion:
    """Fit the learned ranker on all history, evaluate, save and register it.

    ``bind`` is a session (the caller commits) or an engine (committed here).
    Returns the new :class:`ModelVersion` row.
    """
    if not isinstance(bind, Session):
        with Session(bind, expire_on_commit=False) as session, session.begin():
            return train_model(
                session, settings, activate=activate, evaluate_first=evaluate_first, n_boot=n_boot
            )
    session = bind
    t0 = time.perf_counter()
    log.info("training: loading partners, districts and partnership history")
    frames = load_frames(session)
    if evaluate_first:
        log.info(
            "training: evaluating on the latest year (%d partnerships, %d bootstrap resamples)",
            len(frames.history),
            n_boot,
        )
    report = run_evaluation(frames, n_boot=n_boot, real=False) if evaluate_first else None
    today = dt.date.today()
    start = pd.to_datetime(frames.history["start_date"], errors="coerce")
    window = f"{start.min():%Y-%m-%d}/{today:%Y-%m-%d}" if start.notna().any() else "none"
    # Planners' verdicts become training pairs too; the data hash covers them when present.
    feedback = feedback_data.load_feedback(session, frames.partners)
    log.info(
        "training: fitting the learned ranker on all history (%.1f s so far)",
        time.perf_counter() - t0,
    )
    ranker = LearnedRanker().fit(
        FeatureSpace(frames.districts, frames.partners),
        frames.history,
        until=today,
        feedback=feedback[list(FEEDBACK_COLUMNS)],
    )
    log.info(
        "training: fitting the real-record rankers on the real pairs (%.1f s so far)",
        time.perf_counter() - t0,
    )
    real = fit_real_ranker(frames, feedback)
    if real is not None:
        ranker.real_ = real
    trained_on: tuple[pd.DataFrame, ...] = (frames.districts, frames.partners, frames.history)
    if len(feedback):
        trained_on += (feedback[list(FEEDBACK_COLUMNS)],)
    now = dt.datetime.now(dt.UTC)
    version = _unique_version(session, f"learned-{now:%Y%m%d-%H%M%S}-{data_hash(*trained_on)[:8]}")
    path = Path(settings.model_dir) / f"{version}.skops"
    metrics = report.to_json() if report is not None else {}
    metrics["real_model"] = real_model_summary(real)
    metrics["training"] = feedback_data.training_summary(
        frames.history, feedback, training_pairs=ranker.n_train_, feedback_pairs=ranker.n_feedback_
    )
    meta = save_ranker(
        ranker, path, training_frames=trained_on, training_window=window, metrics=metrics
    )
    row = ModelVersion(
        version=version,
        kind=meta["kind"],
        created_at=now,
        training_window=window,
        data_hash=meta["data_hash"],
        artifact_path=meta["artifact_path"],
        artifact_sha256=meta["artifact_sha256"],
        params=meta["params"],
        metrics=metrics,
        library_versions=meta["library_versions"],
        card=model_card(frames, window, ranker.n_train_, report, metrics["training"], real),
        active=False,
    )
    session.add(row)
    session.flush()
    store_artifact(session, row, path)
    if activate:
        activate_version(session, version)
    log.info(
        "trained %s in %.1f s (%d training pairs)",
        version,
        time.perf_counter() - t0,
        ranker.n_train_,
    )
    return row


def store_artifact(session: Session, row: ModelVersion, path: Path) -> ModelArtifact:
    """Keep the bytes of ``row``'s artifact (the file at ``path``) in the database."""
    content = path.read_bytes()
    artifact = ModelArtifact(
        model_version_id=row.id,
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        content=content,
    )
    session.add(artifact)
    session.flush()
    return artifact


def _sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def cached_artifact(session: Session, row: ModelVersion, cache_dir: Path) -> Path:
    """Return the file to load ``row``'s artifact from, on this host.

    ``cache_dir/<version>.skops`` when it holds the registered bytes; otherwise it is
    (re)written from the database first. A version registered before artifacts were
    stored (migration 0004) has no bytes there and loads from its ``artifact_path``.
    """
    cached = Path(cache_dir) / f"{row.version}.skops"
    if row.artifact_sha256 is not None and _sha256_of(cached) == row.artifact_sha256:
        return cached
    content = session.scalar(
        select(ModelArtifact.content).where(ModelArtifact.model_version_id == row.id)
    )
    if content is None:
        return Path(row.artifact_path or cached)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        # Write beside, then rename: another worker loading the same file sees the old
        # bytes or the new ones, never half of them.
        with tempfile.NamedTemporaryFile(dir=cached.parent, delete=False) as tmp:
            tmp.write(content)
        os.replace(tmp.name, cached)
    except OSError as exc:
        log.error("cannot cache the artifact of %s in %s: %s", row.version, cache_dir, exc)
        return Path(row.artifact_path or cached)
    log.info("cached the artifact of %s from the database in %s", row.version, cached)
    return cached


def activate_version(session: Session, version: str) -> ModelVersion:
    """Make ``version`` the only active version (one statement, so never two active).

    ``"transparent"`` selects the documented transparent scorer on purpose; its row is
    created on first use.

    Raises
    ------
    LookupError
        If no such version exists.
    """
    row = session.scalar(select(ModelVersion).where(ModelVersion.version == version))
    if row is None and version == TRANSPARENT_VERSION:
        row = ModelVersion(
            version=TRANSPARENT_VERSION,
            kind=TRANSPARENT_KIND,
            created_at=dt.datetime.now(dt.UTC),
            card={
                "intended_use": "The documented weighted sum of pair features "
                "(docs/recommender.md, TRANSPARENT_WEIGHTS), chosen by an operator; "
                "needs no training.",
            },
            active=False,
        )
        session.add(row)
        session.flush()
    if row is None:
        raise LookupError(f"no model version {version!r}")
    session.execute(
        update(ModelVersion).values(
            active=case((ModelVersion.version == version, True), else_=False)
        )
    )
    session.flush()
    session.refresh(row)
    return row


def list_versions(session: Session) -> list[ModelVersion]:
    """Every registered version, newest first."""
    return list(session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc())))


def active_version(session: Session) -> ModelVersion | None:
    """Return the active model version, if any."""
    return session.scalar(
        select(ModelVersion)
        .where(ModelVersion.active.is_(True))
        .order_by(ModelVersion.id.desc())
        .limit(1)
    )


def ensure_active_model(engine: Engine, settings: Settings) -> ModelVersion:
    """Keep a loadable active version; else train and activate a new one.

    A new one is trained when no version is active, or when the active one's artifact
    cannot be served (missing, altered, or trained on an older feature version after an
    upgrade); the old row stays in the registry, inactive.
    """
    with Session(engine, expire_on_commit=False) as session, session.begin():
        row = active_version(session)
        if row is not None and row.kind == TRANSPARENT_KIND:
            log.info("active model: the transparent scorer, %s", CHOSEN_REASON)
            return row
        if row is not None:
            loaded = model_for(row, cached_artifact(session, row, settings.model_dir))
            if not loaded.fallback:
                log.info("active model: %s", row.version)
                return row
            log.warning(
                "active model %s cannot be served (%s): training a new one",
                row.version,
                loaded.reason,
            )
        else:
            log.info("no active model: training one")
        return train_model(session, settings, activate=True)


def transparent_model(reason: str | None) -> LoadedModel:
    """Return the transparent scorer as the fallback model, with the ``reason`` for it."""
    return LoadedModel(
        TransparentScorer(), TRANSPARENT_VERSION, "TransparentScorer", fallback=True, reason=reason
    )


def model_for(row: ModelVersion | None, path: Path | None = None) -> LoadedModel:
    """Load ``row``'s artifact, or the transparent fallback (logging why).

    The artifact is read from ``path``, by default the row's ``artifact_path``.
    """
    if row is None:
        return transparent_model("no active model version")
    if row.kind == TRANSPARENT_KIND:
        return transparent_model(CHOSEN_REASON)
    path = path if path is not None else Path(row.artifact_path or "")
    try:
        ranker = load_ranker(path, expected_sha256=row.artifact_sha256)
    except FileNotFoundError:
        reason = f"artifact of {row.version} is missing: {path}"
    except Exception as exc:  # skops/zip errors, hash mismatch, untrusted types
        reason = f"artifact of {row.version} cannot be loaded: {exc}"
    else:
        return LoadedModel(ranker, row.version, row.kind, fallback=False, row_id=row.id)
    log.error("falling back to the transparent scorer: %s", reason)
    return transparent_model(reason)


def load_active(session: Session, settings: Settings | None = None) -> LoadedModel:
    """Return the active model's scorer and version; the transparent scorer if there is none.

    With ``settings`` the artifact comes through this host's cache of the database.
    """
    row = active_version(session)
    if row is None or settings is None:
        return model_for(row)
    return model_for(row, cached_artifact(session, row, settings.model_dir))
