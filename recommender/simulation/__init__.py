"""The synthetic world: partners and partnership history for tests and model training.

Everything here is invented and marked as such: every partner name ends in
``" (synthetic)"`` and every description starts with :data:`DESCRIPTION_PREFIX`.
Partnerships are generated among synthetic partners only; real organisations never
receive invented partnerships. The rules (who partners where, which partnerships
last) are documented in ``docs/synthetic-data.md``.

Pure pandas/numpy, deterministic for a given ``seed`` (one ``numpy.random.Generator``).
"""

from __future__ import annotations

from recommender.simulation.catalogue import generate_catalogue
from recommender.simulation.history import Rules, generate_history
from recommender.simulation.profiles import PROFILES
from recommender.simulation.world import (
    DESCRIPTION_PREFIX,
    SNAPSHOT_DATE,
    SYNTHETIC_SUFFIX,
    load_reference_districts,
)

__all__ = [
    "DESCRIPTION_PREFIX",
    "PROFILES",
    "SNAPSHOT_DATE",
    "SYNTHETIC_SUFFIX",
    "Rules",
    "generate_catalogue",
    "generate_history",
    "load_reference_districts",
]
