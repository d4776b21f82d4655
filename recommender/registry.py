"""Persist fitted rankers with skops (never bare pickle) and describe them with metadata."""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn
import skops
import skops.io as sio

from recommender.features import FEATURE_VERSION, FEATURES
from recommender.model import LearnedRanker

# Every non-default type a saved LearnedRanker contains; loading refuses anything else.
TRUSTED_TYPES: list[str] = [
    "recommender.model.LearnedRanker",
    "recommender.real_model.RealRanker",
    "recommender.choice.ConditionalLogit",
    "recommender.graph.DistrictWalk",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.utils._bunch.Bunch",
]


def data_hash(*frames: pd.DataFrame) -> str:
    """SHA-256 of the training frames (values as text, column order kept)."""
    h = hashlib.sha256()
    for f in frames:
        h.update(",".join(map(str, f.columns)).encode())
        h.update(f.astype(str).to_csv(index=False).encode())
    return h.hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of the libraries a saved model depends on."""
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
    }


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_ranker(
    ranker: LearnedRanker,
    path: Path | str,
    *,
    training_frames: tuple[pd.DataFrame, ...],
    training_window: str,
    metrics: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write ``ranker`` to ``path`` with skops and return its metadata.

    Parameters
    ----------
    ranker : LearnedRanker
        A fitted ranker.
    path : path-like
        Destination file (``.skops``).
    training_frames : tuple of pandas.DataFrame
        The frames it was trained on (districts, partners, history), for the data hash.
    training_window : str
        E.g. ``"2019-01-01/2024-01-01"``.
    metrics : dict, optional
        Evaluation figures to keep with the model.

    Returns
    -------
    dict
        ``created_at, kind, training_window, data_hash, params, metrics,
        library_versions, artifact_path, artifact_sha256`` (the fields of the service's
        ``ModelVersion``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(ranker, path)
    return {
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "kind": type(ranker).__name__,
        "training_window": training_window,
        "data_hash": data_hash(*training_frames),
        "params": {k: v for k, v in ranker.get_params().items()},
        "metrics": metrics or {},
        "library_versions": library_versions(),
        "artifact_path": str(path),
        "artifact_sha256": _sha256(path),
    }


def load_ranker(path: Path | str, *, expected_sha256: str | None = None) -> LearnedRanker:
    """Load a ranker saved by :func:`save_ranker`, trusting only :data:`TRUSTED_TYPES`.

    Raises
    ------
    ValueError
        If the file's hash differs from ``expected_sha256``, it holds other types, or it
        was trained on other features (:data:`~recommender.features.FEATURE_VERSION`).
    """
    path = Path(path)
    if expected_sha256 is not None and _sha256(path) != expected_sha256:
        raise ValueError(f"{path}: SHA-256 does not match the registered artifact")
    untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
    if untrusted:
        raise ValueError(f"{path}: refusing untrusted types {sorted(untrusted)}")
    obj = sio.load(path, trusted=TRUSTED_TYPES)
    if not isinstance(obj, LearnedRanker):
        raise ValueError(f"{path}: not a LearnedRanker")
    version = getattr(obj, "feature_version_", 1)
    if version != FEATURE_VERSION or list(getattr(obj, "features_", FEATURES)) != list(FEATURES):
        raise ValueError(
            f"{path}: trained on feature version {version}, this code computes "
            f"version {FEATURE_VERSION}; train a new model (mitra train)"
        )
    return obj
