"""Sentences for the real-record rankers' factors (English and Bahasa Indonesia).

The presence, kind and need sentences are :func:`recommender.explain.sentence`'s; the
ones here describe what the conditional logit and the need points use: the partner's
known districts, the partners it shares districts with, and the uncovered areas it
brings. Every count is the one the score used.
"""

from __future__ import annotations

import numpy as np

from recommender.record import RealRecord
from recommender.vocab import AREA_LABELS, AREA_LABELS_ID, AREAS


def track_record(record: RealRecord, known: np.ndarray, p: int, d: int, lang: str) -> str:
    """Known districts of the partner, and how many lie within 100 km of ``d``."""
    n = int(known[p].sum())
    near = int((known[p] & (record.dist[d] <= 100.0)).sum())
    if n == 0:
        return (
            "No known district yet (no reported or recorded partnership)"
            if lang == "en"
            else "Belum ada kabupaten/kota yang diketahui (belum ada kemitraan tercatat)"
        )
    if lang == "en":
        return f"Known in {n} district{'' if n == 1 else 's'}, {near} of them within 100 km"
    return f"Dikenal di {n} kabupaten/kota, {near} di antaranya dalam radius 100 km"


def shared_partners(record: RealRecord, known: np.ndarray, p: int, d: int, lang: str) -> str:
    """How many of the partners already known in ``d`` share a district with ``p``."""
    here = np.flatnonzero(known[:, d])
    here = here[here != p]
    shared = int((known[here] & known[p][None, :]).any(axis=1).sum()) if len(here) else 0
    if lang == "en":
        if not len(here):
            return "No partner is known in this district yet"
        return (
            f"Shares a district with {shared} of the {len(here)} partner"
            f"{'' if len(here) == 1 else 's'} known here"
        )
    if not len(here):
        return "Belum ada mitra yang diketahui di kabupaten/kota ini"
    return f"Berbagi kabupaten/kota dengan {shared} dari {len(here)} mitra yang dikenal di sini"


def open_areas(partner_areas: np.ndarray, need: np.ndarray, coverage: np.ndarray, lang: str) -> str:
    """Return the partner's areas nobody covers in the district (those the need points count)."""
    own = np.flatnonzero(partner_areas > 0)
    if not len(own):
        return (
            "No intervention areas on record"
            if lang == "en"
            else "Belum ada bidang intervensi yang tercatat"
        )
    labels = AREA_LABELS if lang == "en" else AREA_LABELS_ID
    open_ = [a for a in own if coverage[a] == 0 and need[a] > 0]
    if not open_:
        n = int(coverage[own].sum())
        return (
            f"Its areas are already covered here ({n} active partnership"
            f"{'' if n == 1 else 's'}) or not needed most here: no need points"
            if lang == "en"
            else f"Bidangnya sudah ditangani di sini ({n} kemitraan aktif) atau bukan "
            "kebutuhan utama di sini: tanpa poin kebutuhan"
        )
    best = max(open_, key=lambda a: need[a])
    names = labels[AREAS[best]]
    if lang == "en":
        return f"Brings {names}, which no active partner covers here"
    return f"Membawa {names}, yang belum ditangani mitra aktif di sini"
