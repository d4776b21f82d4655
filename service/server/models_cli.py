"""``mitra train | evaluate | models | activate``: thin wrappers over the model registry."""

from __future__ import annotations

import time

from sqlalchemy.orm import Session

from service.db.session import make_engine
from service.domain import model_registry, model_reports
from service.domain.recommender_data import load_frames
from service.server.arguments import UsageError
from service.settings import Settings


def train(settings: Settings, *, activate: bool, n_boot: int = 1000) -> int:
    engine = make_engine(settings.sync_database_url)
    try:
        t0 = time.perf_counter()
        with Session(engine, expire_on_commit=False) as session, session.begin():
            row = model_registry.train_model(session, settings, activate=activate, n_boot=n_boot)
        print(
            f"trained {row.version} in {time.perf_counter() - t0:.1f} s"
            f"{' (active)' if activate else ' (not activated)'}"
        )
        print(f"artifact: {row.artifact_path}")
        if row.metrics:
            print(model_reports.report_text(row.metrics))
    finally:
        engine.dispose()
    return 0


def evaluate(settings: Settings, *, n_boot: int) -> int:
    engine = make_engine(settings.sync_database_url)
    try:
        with Session(engine) as session:
            frames = load_frames(session)
        print(model_reports.run_evaluation(frames, n_boot=n_boot).to_string())
    finally:
        engine.dispose()
    return 0


def list_(settings: Settings) -> int:
    engine = make_engine(settings.sync_database_url)
    try:
        with Session(engine) as session:
            rows = model_registry.list_versions(session)
            if not rows:
                print("no model versions; the service uses the transparent scorer")
            for r in rows:
                print(
                    f"{'*' if r.active else ' '} {r.version}  {r.kind}  "
                    f"{r.created_at:%Y-%m-%d %H:%M}  window {r.training_window}  "
                    f"data {(r.data_hash or '')[:8]}"
                )
    finally:
        engine.dispose()
    return 0


def activate(settings: Settings, *, version: str) -> int:
    """Activate ``version``; an unknown one is a usage error (exit 2, one line)."""
    engine = make_engine(settings.sync_database_url)
    try:
        with Session(engine) as session, session.begin():
            try:
                model_registry.activate_version(session, version)
            except LookupError:
                raise UsageError(
                    f"no model version {version!r}: `mitra models` lists them; "
                    f"`{model_registry.TRANSPARENT_VERSION}` selects the transparent scorer"
                ) from None
        what = (
            "the transparent scorer (documented weights, no training)"
            if version == model_registry.TRANSPARENT_VERSION
            else version
        )
        print(f"activated {what}; running services pick it up within seconds")
    finally:
        engine.dispose()
    return 0
