"""The fact behind each factor of a partner–district score, in no language.

One function per factor reads the pair and returns a :class:`Fact`: which templates its
sentence is made of and the values they mention. :mod:`recommender.wording` writes it
in English or Bahasa Indonesia.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from recommender.features import QUOTAS, FeatureSpace, FeatureState
from recommender.vocab import AREAS, KINDS, QUOTA_TARGETS


@dataclass(frozen=True)
class Fact:
    """What a factor says of a pair.

    Attributes
    ----------
    parts : tuple of str
        Keys of the templates that make up the sentence, in order (``"need.above_target"``).
    values : mapping
        The values the templates mention, by placeholder name.
    """

    parts: tuple[str, ...]
    values: Mapping[str, object]


def column(df: Mapping[str, np.ndarray], name: str, i: int, default: object = None) -> object:
    """Return row ``i`` of column ``name``, or ``default`` when the frame has no such column.

    ``df`` is a frame's columns as arrays (:meth:`FeatureSpace.columns`): pandas read cell
    by cell was most of the cost of a recommendation's reasons.
    """
    col = df.get(name)
    return default if col is None else col[i]


@dataclass(frozen=True)
class Pair:
    """What the fact functions read: the pair, and the names around it."""

    state: FeatureState
    p: int
    d: int
    s: FeatureSpace
    dd: Mapping[str, np.ndarray]  # the districts' columns
    pp: Mapping[str, np.ndarray]  # the partners' columns
    dname: str
    prov: int
    pname: str

    @classmethod
    def of(cls, state: FeatureState, p: int, d: int) -> Pair:
        """Return partner position ``p`` and district position ``d`` of ``state``."""
        s = state.space
        dd, pp = s.columns("districts"), s.columns("partners")
        prov = s.d_prov[d]
        dname = str(column(dd, "name", d, s.d_codes[d]))
        pname = str(column(dd, "province_name", d, s.prov_codes[prov]))
        return cls(state, p, d, s, dd, pp, dname, prov, pname)


def _presence(c: Pair) -> Fact:
    p, d, s = c.p, c.d, c.s
    k = int(s.sites_in_prov[p, c.prov])
    names = {"district": c.dname, "province": c.pname}
    if s.site[p, d]:
        if k <= 1:
            return Fact(("presence.here",), names)
        return Fact(("presence.here_and_province",), names | {"others": k - 1})
    if k:
        return Fact(("presence.province",), names | {"sites": k})
    if s.inprov[p, d]:
        return Fact(("presence.across_province",), names)
    sites = np.flatnonzero(s.site[p])
    if len(sites):
        near = sites[np.argmin(s.dist[sites, d])]
        site = str(column(c.dd, "name", int(near), s.d_codes[near]))
        return Fact(("presence.nearest",), {"site": site, "km": float(s.dist[near, d])})
    return Fact(("presence.none",), names)


def _need(c: Pair) -> Fact:
    d, pr = c.d, c.s.columns("profile")
    gap = float(pr["gap_to_target"][d])
    values = {
        "district": c.dname,
        "prevalence": float(pr["prevalence"][d]),
        "survey": str(column(c.dd, "prevalence_survey", d, "SSGI 2022")),
        "points": gap,
    }
    figure = "need.province_figure" if pr["prevalence_imputed"][d] else "need.district_figure"
    target = "need.above_target" if gap > 0 else "need.within_target"
    extra = ("need.underdeveloped",) if pr["underdeveloped"][d] else ()
    return Fact((figure, target, *extra), values)


def _focus(c: Pair) -> Fact:
    state, p, d, s = c.state, c.p, c.d, c.s
    own = np.flatnonzero(s.areas[p])
    if not len(own):
        return Fact(("focus.no_areas",), {})
    cov = state.coverage[d, own]
    best = own[np.argmax(s.need[d, own] - 0.5 * np.log1p(cov))]
    n = int(state.coverage[d, best])
    here = "focus.uncovered" if n == 0 else "focus.covered"
    return Fact(("focus.area", here), {"area": AREAS[best], "partnerships": n})


def _track_record(c: Pair) -> Fact:
    state, p = c.state, c.p
    n, ok = int(state.track_n[p]), round(state.track_succ[p])
    if n == 0:
        return Fact(("track_record.none",), {})
    k = int(state.track_prov[p, c.prov])  # of the n with a known outcome, not all
    extra = ("track_record.in_province",) if k else ()
    values = {"lasted": ok, "known": n, "here": k, "province": c.pname}
    return Fact(("track_record.lasted", *extra), values)


def _capacity(c: Pair) -> Fact:
    budget = column(c.pp, "annual_budget_idr", c.p)
    burden = float(c.s.columns("profile")["burden"][c.d])
    if budget is None or budget != budget:
        return Fact(("capacity.no_budget",), {"burden": burden})
    budget_bn = float(budget) / 1e9  # type: ignore[arg-type]
    return Fact(("capacity.budget",), {"burden": burden, "budget_bn": budget_bn})


# sector codes are snake_case words; these are said as their abbreviation or phrase
_SECTOR_WORDS = {"un": "UN", "ngo": "NGO", "fmcg": "FMCG", "lng": "LNG", "oil_gas": "oil and gas"}


def sector_label(sector: str) -> str:
    """Return a sector code as words.

    ``oil_gas_lng`` -> "oil and gas LNG", ``un_agency`` -> "UN agency".
    """
    text = sector.replace("oil_gas", _SECTOR_WORDS["oil_gas"])
    return " ".join(_SECTOR_WORDS.get(w, w) for w in text.split("_"))


def kind_fact(s: FeatureSpace, p: int, first: str = "kind.kind") -> Fact:
    """Return the fact of the partner's kind (with its scope in ``kind.kind``) and sector."""
    values = {"kind": KINDS[s.kind[p]], "scope": str(s.scope[p])}
    sector = s.sector[p]
    if not isinstance(sector, str) or not sector:
        return Fact((first,), values)
    values["sector"] = sector_label(sector)
    extra = "kind.natural_resource" if s.natural_resource[p] else "kind.sector"
    return Fact((first, extra), values)


def _kind(c: Pair) -> Fact:
    return kind_fact(c.s, c.p)


def _continuity(c: Pair) -> Fact:
    state, p, d = c.state, c.p, c.d
    key = (
        "continuity.active"
        if state.active_pd[p, d]
        else "continuity.before"
        if state.worked[p, d]
        else "continuity.never"
    )
    return Fact((key,), {"district": c.dname})


def _quota(c: Pair) -> Fact:
    q = QUOTAS[c.s.quota[c.p]]
    target = QUOTA_TARGETS[q]
    # ``quota_filled`` counts partners with a campaign commitment (>= 6 months) in the
    # province, the same rule as Province.quotaProgress (outcomes.commitments_known)
    filled = int(c.state.quota_filled[c.prov, c.s.quota[c.p]])
    if not c.s.fills_quota[c.p, c.prov]:
        # media that are not local media here (a national outlet) fill no local-media quota
        key = "quota.not_local"
    else:
        key = "quota.met" if filled >= target else "quota.short"
    return Fact((key,), {"province": c.pname, "filled": filled, "quota": q, "target": target})


# One fact function per factor.
FACTS: dict[str, Callable[[Pair], Fact]] = {
    "presence": _presence,
    "need": _need,
    "focus": _focus,
    "track_record": _track_record,
    "capacity": _capacity,
    "kind": _kind,
    "continuity": _continuity,
    "quota": _quota,
}
