"""Sentences for the real-record rankers' factors (English and Bahasa Indonesia).

The need sentences are :func:`recommender.explain.sentence`'s; the ones here describe
what the conditional logit and the need points use: where the partner is known
(presence: its districts are the ones reported or recorded, not operating sites), its
known districts, the partners it shares districts with, the uncovered areas it brings.
Every count is the one the score used. Each function finds its fact; the words are the
templates ``real.*`` of :mod:`recommender.wording`, one table per language like every
other reason.
"""

from __future__ import annotations

import numpy as np

from recommender.facts import Fact, kind_fact
from recommender.features import FeatureSpace
from recommender.record import RealRecord
from recommender.vocab import AREAS
from recommender.wording import render


def _say(key: str, lang: str, **values: object) -> str:
    return render(Fact((key,), values), lang)


def track_record(record: RealRecord, known: np.ndarray, p: int, d: int, lang: str) -> str:
    """Known districts of the partner, and how many lie within 100 km of ``d``."""
    n = int(known[p].sum())
    near = int((known[p] & (record.dist[d] <= 100.0)).sum())
    if n == 0:
        return _say("real.track.none", lang)
    return _say("real.track.known", lang, n=n, near=near)


def nearest_known(record: RealRecord, known: np.ndarray, p: int, d: int, lang: str) -> str:
    """Name the partner's known district nearest to ``d`` (what the walk spreads from)."""
    own = np.flatnonzero(known[p])
    if not len(own):
        return _say("real.track.none", lang)
    if known[p, d]:
        site = str(record.d_names[d])
        return _say("real.near.here", lang, site=site, n=len(own))
    near = _nearest(record, own, d)
    site = str(record.d_names[near])
    return _say("real.near.other", lang, site=site, km=float(record.dist[d, near]), n=len(own))


def _nearest(record: RealRecord, own: np.ndarray, d: int) -> int:
    """Return the position, among the districts ``own``, of the one nearest to ``d``."""
    return int(own[np.argmin(record.dist[d, own])])


def presence(record: RealRecord, known: np.ndarray, p: int, d: int, within: bool, lang: str) -> str:
    """Where the partner is known relative to ``d``: here, in its province, or how far.

    ``within``: whether the pair is within reach (the serving rule); a partner out of
    reach is known in one other province only, and the sentence says so.
    """
    here = np.flatnonzero(known[p] & (record.d_prov == record.d_prov[d]))
    province = str(record.d_province_names[d])
    if len(here) and not known[p, d]:
        return _say("real.presence.province", lang, n=len(here), province=province)
    if within or not known[p].any():
        return nearest_known(record, known, p, d, lang)
    near = _nearest(record, np.flatnonzero(known[p]), d)
    return _say(
        "real.presence.beyond",
        lang,
        province=str(record.d_province_names[near]),
        site=str(record.d_names[near]),
        km=float(record.dist[d, near]),
    )


_TYPE = {"en": ("regencies (kabupaten)", "cities (kota)"), "id": ("kabupaten", "kota")}


def profile(record: RealRecord, known: np.ndarray, p: int, d: int, lang: str) -> str:
    """How much ``d`` looks like the partner's known districts (the profile features).

    The counts and means the logit's profile features are built from
    (:func:`recommender.choice.district_block`): same type (kota or kabupaten), same
    underdeveloped status, mean prevalence and typical (geometric mean) population.
    """
    own = np.flatnonzero(known[p])
    if not len(own):
        return _say("real.track.none", lang)
    return _say(
        "real.profile",
        lang,
        n=len(own),
        same_type=int((record.kota[own] == record.kota[d]).sum()),
        type=_TYPE[lang][int(record.kota[d])],
        same_ud=int((record.underdeveloped[own] == record.underdeveloped[d]).sum()),
        prev=float(record.prevalence[own].mean()),
        here_prev=float(record.prevalence[d]),
        pop=float(np.exp(record.log_pop[own].mean())),
        here_pop=float(np.exp(record.log_pop[d])),
    )


def shared_partners(record: RealRecord, known: np.ndarray, p: int, d: int, lang: str) -> str:
    """How many of the partners already known in ``d`` share a district with ``p``."""
    here = np.flatnonzero(known[:, d])
    here = here[here != p]
    if not len(here):
        return _say("real.shared.none", lang)
    shared = int((known[here] & known[p][None, :]).any(axis=1).sum())
    return _say("real.shared.some", lang, shared=shared, here=len(here))


def open_areas(partner_areas: np.ndarray, need: np.ndarray, coverage: np.ndarray, lang: str) -> str:
    """Return the partner's areas nobody covers in the district (those the need points count)."""
    own = np.flatnonzero(partner_areas > 0)
    if not len(own):
        return _say("focus.no_areas", lang)
    open_ = [a for a in own if coverage[a] == 0 and need[a] > 0]
    if not open_:
        return _say("real.areas.covered", lang, n=int(coverage[own].sum()))
    best = max(open_, key=lambda a: need[a])
    return _say("real.areas.open", lang, area=AREAS[best])


def kind(space: FeatureSpace, p: int, lang: str) -> str:
    """Return the partner's kind and sector, without a scope.

    A real partner's scope is only a rule over its reported footprint (one reported
    district makes a national bank "local"), and the real-record model does not use it.
    """
    return render(kind_fact(space, p, "real.kind"), lang)
