"""One trained model per test session (training takes seconds), shared by the test modules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from recommender.features import FeatureSpace
from recommender.model import LearnedRanker
from recommender.registry import save_ranker
from service.db.models import ModelVersion
from service.domain import model_registry
from service.domain.recommender_data import load_frames
from service.settings import Settings

_CACHE: dict[str, str] = {}


def trained_version(engine: Engine, settings: Settings) -> str:
    """Train (once) and activate a model on the test database; its version string."""
    key = settings.database_url
    if key not in _CACHE:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            row = model_registry.train_model(session, settings, activate=True, n_boot=200)
        _CACHE[key] = row.version
    return _CACHE[key]


def register_variant(engine: Engine, settings: Settings, version: str, *, C: float) -> str:
    """A second, differently regularised model registered (not activated) as ``version``."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        if session.scalar(select(ModelVersion.id).where(ModelVersion.version == version)):
            return version
        frames = load_frames(session)
        ranker = LearnedRanker(C=C).fit(
            FeatureSpace(frames.districts, frames.partners), frames.history, until=dt.date.today()
        )
        meta = save_ranker(
            ranker,
            Path(settings.model_dir) / f"{version}.skops",
            training_frames=(frames.districts, frames.partners, frames.history),
            training_window="test",
        )
        row = ModelVersion(
            version=version,
            kind=meta["kind"],
            training_window="test",
            data_hash=meta["data_hash"],
            artifact_path=meta["artifact_path"],
            artifact_sha256=meta["artifact_sha256"],
            params=meta["params"],
            metrics={},
            library_versions=meta["library_versions"],
            card={},
            active=False,
        )
        session.add(row)
        session.flush()
        model_registry.store_artifact(session, row, Path(meta["artifact_path"]))
    return version


def activate(engine: Engine, version: str) -> None:
    with Session(engine) as session, session.begin():
        model_registry.activate_version(session, version)
