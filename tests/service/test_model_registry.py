"""Training, registering, activating and loading models on the seeded test database."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from recommender.features import FEATURE_VERSION
from recommender.model import LearnedRanker, TransparentScorer
from recommender.registry import load_ranker
from service.db.models import ModelArtifact, ModelVersion, Partner
from service.domain import model_registry
from service.domain.recommender_data import load_frames
from service.settings import Settings
from tests.model_support import trained_version


@pytest.fixture(scope="module")
def version(engine: Engine, settings: Settings) -> str:
    return trained_version(engine, settings)


@pytest.fixture
def row(engine: Engine, version: str) -> ModelVersion:
    with Session(engine, expire_on_commit=False) as session:
        found = session.scalar(select(ModelVersion).where(ModelVersion.version == version))
    assert found is not None
    return found


def test_frames_follow_the_database(session: Session):
    frames = load_frames(session)
    assert len(frames.districts) == 514
    active = session.scalar(
        select(func.count()).select_from(Partner).where(Partner.archived_at.is_(None))
    )
    assert len(frames.partners) == active
    tts = frames.districts.set_index("code").loc["53.02"]
    # published-first rule: TTS keeps its published SSGI 2021 figure, not the imputed 2022 one
    assert (tts["prevalence"], tts["prevalence_imputed"], tts["prevalence_survey"]) == (
        48.3,
        False,
        "SSGI 2021",
    )
    assert frames.history["start_date"].notna().mean() > 0.95
    assert len(frames.data_hash) == 64


def test_row_has_metadata_metrics_and_card(row: ModelVersion, settings: Settings):
    assert row.version.startswith("learned-") and row.version.endswith(row.data_hash[:8])
    assert row.kind == "LearnedRanker" and row.active
    assert Path(row.artifact_path).parent == Path(settings.model_dir)
    assert hashlib.sha256(Path(row.artifact_path).read_bytes()).hexdigest() == row.artifact_sha256
    assert {"scikit-learn", "skops", "numpy"} <= set(row.library_versions)
    scorers = {(r["direction"], r["scorer"]) for r in row.metrics["time_split"]}
    for direction in ("partners_for_district", "districts_for_partner"):
        for name in (
            "random",
            "popularity_national",
            "popularity_province",
            "geography",
            "transparent",
            "learned",
        ):
            assert (direction, name) in scorers
    first = row.metrics["time_split"][0]
    assert first["ndcg_lo"] <= first["ndcg@10"] <= first["ndcg_hi"]
    assert {r["direction"] for r in row.metrics["real_model"]} == {
        "partners_for_district",
        "districts_for_partner",
    }
    card = row.card
    assert card["intended_use"] and card["features"]
    assert 0.5 < card["training_data"]["share_synthetic_partnerships"] < 1.0
    assert "ci95" in card["metrics"]["partners_for_district"]
    assert any("imputed" in x for x in card["known_limitations"])
    assert any("synthetic" in x for x in card["known_limitations"])


def test_skops_round_trip(row: ModelVersion, session: Session):
    loaded = load_ranker(row.artifact_path, expected_sha256=row.artifact_sha256)
    assert isinstance(loaded, LearnedRanker)
    model = model_registry.load_active(session)
    assert model.version == row.version and not model.fallback
    assert np.array_equal(model.scorer.weights_, loaded.weights_)


def test_artifact_bytes_live_in_the_database_and_the_model_dir_is_a_cache(
    row: ModelVersion, session: Session, tmp_path: Path
):
    stored = session.get(ModelArtifact, row.id)
    assert stored is not None
    assert stored.content == Path(row.artifact_path).read_bytes()
    assert stored.sha256 == row.artifact_sha256 and stored.size_bytes == len(stored.content)

    other_host = tmp_path / "other-host-models"  # empty: this host never trained anything
    path = model_registry.cached_artifact(session, row, other_host)
    assert path == other_host / f"{row.version}.skops" and path.read_bytes() == stored.content
    model = model_registry.model_for(row, path)
    assert not model.fallback and model.version == row.version

    # A damaged cache file is replaced from the database, not served or trusted.
    path.write_bytes(b"damaged")
    assert model_registry.cached_artifact(session, row, other_host).read_bytes() == stored.content
    # ... and a database whose bytes were altered is refused by the hash check.
    stored.content = stored.content[:-10] + b"0123456789"
    session.flush()
    path.unlink()
    tampered = model_registry.model_for(
        row, model_registry.cached_artifact(session, row, other_host)
    )
    assert tampered.fallback and "cannot be loaded" in (tampered.reason or "")


def test_corrupt_or_missing_artifact_falls_back(
    row: ModelVersion, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    bad = tmp_path / "bad.skops"
    bad.write_bytes(b"not a zip file")
    corrupt = ModelVersion(
        version="x",
        kind="LearnedRanker",
        artifact_path=str(bad),
        artifact_sha256=hashlib.sha256(bad.read_bytes()).hexdigest(),
    )
    model = model_registry.model_for(corrupt)
    assert model.fallback and model.version == "transparent"
    assert isinstance(model.scorer, TransparentScorer)
    assert "cannot be loaded" in (model.reason or "")
    copy = tmp_path / "copy.skops"
    shutil.copy(row.artifact_path, copy)
    copy.write_bytes(copy.read_bytes()[:-10] + b"0123456789")
    tampered = ModelVersion(
        version="y",
        kind="LearnedRanker",
        artifact_path=str(copy),
        artifact_sha256=row.artifact_sha256,
    )
    assert model_registry.model_for(tampered).fallback
    missing = ModelVersion(
        version="z",
        kind="LearnedRanker",
        artifact_path=str(tmp_path / "gone.skops"),
        artifact_sha256="0" * 64,
    )
    assert "missing" in (model_registry.model_for(missing).reason or "")
    assert model_registry.model_for(None).reason == "no active model version"
    assert "falling back to the transparent scorer" in caplog.text


def test_exactly_one_active_and_unknown_version(session: Session, version: str):
    with pytest.raises(LookupError):
        model_registry.activate_version(session, "learned-nope")
    model_registry.activate_version(session, version)
    assert (
        session.scalar(
            select(func.count()).select_from(ModelVersion).where(ModelVersion.active.is_(True))
        )
        == 1
    )


def test_ensure_active_model_keeps_the_active_one(engine: Engine, settings: Settings, version: str):
    assert model_registry.ensure_active_model(engine, settings).version == version


def test_ensure_active_model_retrains_a_model_of_an_older_feature_version(
    engine: Engine, settings: Settings, version: str, row: ModelVersion, tmp_path: Path
):
    """After an upgrade that changes a feature's meaning, setup replaces the stale model."""
    old = load_ranker(row.artifact_path, expected_sha256=row.artifact_sha256)
    old.feature_version_ = FEATURE_VERSION - 1
    stale_path = tmp_path / "stale.skops"
    sio.dump(old, stale_path)
    stale = ModelVersion(
        version="learned-stale-feature-version",
        kind="LearnedRanker",
        artifact_path=str(stale_path),
        artifact_sha256=hashlib.sha256(stale_path.read_bytes()).hexdigest(),
    )
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.add(stale)
    try:
        with Session(engine) as session, session.begin():
            model_registry.activate_version(session, stale.version)
        served = model_registry.model_for(stale)
        assert served.fallback and "feature version" in (served.reason or "")
        fresh = model_registry.ensure_active_model(engine, settings)
        assert fresh.version not in (stale.version, version) and fresh.active
        assert fresh.card["feature_version"] == FEATURE_VERSION
        assert not model_registry.model_for(fresh).fallback
        with Session(engine) as session:
            kept = session.scalar(select(ModelVersion).where(ModelVersion.version == stale.version))
            assert kept is not None and not kept.active  # kept in the registry, inactive
    finally:
        with Session(engine) as session, session.begin():
            model_registry.activate_version(session, version)


def test_transparent_can_be_chosen_on_purpose_and_setup_keeps_it(
    engine: Engine, settings: Settings, version: str
):
    """`mitra activate transparent`: the fallback scorer as a decision, not an accident."""
    with Session(engine) as session:
        versions_before = session.scalar(select(func.count()).select_from(ModelVersion))
    try:
        with Session(engine) as session, session.begin():
            row = model_registry.activate_version(session, model_registry.TRANSPARENT_VERSION)
            assert row.active and row.kind == model_registry.TRANSPARENT_KIND
        kept = model_registry.ensure_active_model(engine, settings)  # what `mitra setup` runs
        assert kept.version == model_registry.TRANSPARENT_VERSION  # no model trained over it
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(ModelVersion)) == (
                versions_before + 1  # the transparent row, nothing else
            )
            loaded = model_registry.load_active(session)
        assert isinstance(loaded.scorer, TransparentScorer)
        assert loaded.fallback and loaded.reason == model_registry.CHOSEN_REASON
    finally:
        with Session(engine) as session, session.begin():
            model_registry.activate_version(session, version)
            transparent = session.scalar(
                select(ModelVersion).where(
                    ModelVersion.version == model_registry.TRANSPARENT_VERSION
                )
            )
            if transparent is not None:
                session.delete(transparent)
