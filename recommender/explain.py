"""Human sentences for the factors behind a partner–district score."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from recommender.features import COL, FEATURES, QUOTAS, FeatureSpace, FeatureState
from recommender.vocab import (
    AREA_LABELS,
    AREA_LABELS_ID,
    AREAS,
    KIND_LABELS,
    KINDS,
    QUOTA_LABELS,
    QUOTA_LABELS_ID,
    QUOTA_TARGETS,
    SCOPE_LABELS,
)

# Which feature columns make up each explained factor.
FACTORS: dict[str, tuple[str, ...]] = {
    "presence": (
        "on_site",
        "in_province",
        "same_island",
        "log_near_km",
        "log_sites_in_province",
        "company_on_site",
        "company_in_province",
        "media_in_province",
        "local_log_near_km",
        "national_log_near_km",
        "near_100km",
        "company_near_100km",
        "local_near_100km",
        "national_near_100km",
        "log_reach",
    ),
    "need": (
        "prevalence",
        "gap_to_target",
        "prevalence_imputed",
        "trend",
        "trend_known",
        "log_burden",
        "underdeveloped",
        "log_remoteness_km",
        "nonprofit_gap",
        "company_gap",
    ),
    "focus": ("area_need_fit", "uncovered_share", "log_active_partners"),
    "track_record": (
        "log_track_n",
        "track_share",
        "log_recent_activity",
        "log_province_track",
        "log_total",
        "province_share",
    ),
    "capacity": (
        "log_budget",
        "budget_known",
        "capacity",
        "commitment_months",
        "log_n_sites",
        "scope_national",
        "scope_local",
    ),
    "kind": (*(f"kind_{k}" for k in KINDS), "natural_resource_company", "natural_resource_on_site"),
    "continuity": ("worked_before", "active_now", "log_district_track"),
    "quota": ("quota_gap",),
}
FACTOR_INDEX = {f: np.array([COL[c] for c in cols]) for f, cols in FACTORS.items()}
assert sorted(c for cols in FACTORS.values() for c in cols) == sorted(FEATURES)


LANGUAGES = ("en", "id")


@dataclass(frozen=True)
class Reason:
    """One factor of a score: its additive contribution and a sentence for people.

    Attributes
    ----------
    factor : str
        One of ``presence, need, focus, track_record, capacity, kind, continuity, quota``.
    contribution : float
        Additive contribution to the score relative to an average candidate pair.
    sentence : str
        The fact behind the factor in English, e.g. "Operates in 3 districts of Nusa
        Tenggara Timur".
    sentence_id : str
        The same fact in Bahasa Indonesia ("Beroperasi di 3 kabupaten/kota di Nusa
        Tenggara Timur").
    """

    factor: str
    contribution: float
    sentence: str
    sentence_id: str = ""


def _col(df: Mapping[str, np.ndarray], name: str, i: int, default: object = None) -> object:
    col = df.get(name)  # column arrays (FeatureSpace.columns): pandas cell by cell was most
    return default if col is None else col[i]  # of the cost of a recommendation's reasons


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _num(x: float, decimals: int, lang: str) -> str:
    """``1,234.5`` in English, ``1.234,5`` in Indonesian."""
    text = f"{x:,.{decimals}f}"
    return text if lang == "en" else text.translate(str.maketrans(",.", ".,"))


@dataclass(frozen=True)
class _Pair:
    """What the fact functions read: the pair, the language, and the names around it."""

    state: FeatureState
    p: int
    d: int
    en: bool
    lang: str
    s: FeatureSpace
    dd: Mapping[str, np.ndarray]  # the districts' columns
    pp: Mapping[str, np.ndarray]  # the partners' columns
    dname: str
    prov: int
    pname: str


def _presence(c: _Pair) -> str:
    p, d, en, lang, s, dd, dname, prov, pname = (
        c.p,
        c.d,
        c.en,
        c.lang,
        c.s,
        c.dd,
        c.dname,
        c.prov,
        c.pname,
    )
    k = int(s.sites_in_prov[p, prov])
    if s.site[p, d]:
        if k <= 1:
            return f"Operates in {dname}" if en else f"Beroperasi di {dname}"
        return (
            f"Operates in {dname} and {_plural(k - 1, 'other district')} of {pname}"
            if en
            else f"Beroperasi di {dname} dan {k - 1} kabupaten/kota lain di {pname}"
        )
    if k:
        return (
            f"Operates in {_plural(k, 'district')} of {pname}"
            if en
            else f"Beroperasi di {k} kabupaten/kota di {pname}"
        )
    if s.inprov[p, d]:
        return f"Works across {pname}" if en else f"Bekerja di seluruh {pname}"
    sites = np.flatnonzero(s.site[p])
    if len(sites):
        near = sites[np.argmin(s.dist[sites, d])]
        near_name = str(_col(dd, "name", int(near), s.d_codes[near]))
        km = _num(float(s.dist[near, d]), 0, lang)
        return (
            f"Nearest operating site, {near_name}, is {km} km away"
            if en
            else f"Lokasi operasi terdekat, {near_name}, berjarak {km} km"
        )
    return f"No known presence near {dname}" if en else f"Tidak diketahui hadir di dekat {dname}"


def _need(c: _Pair) -> str:
    d, en, lang, s, dd, dname = c.d, c.en, c.lang, c.s, c.dd, c.dname
    pr = s.columns("profile")
    prev = _num(float(pr["prevalence"][d]), 1, lang)
    survey = str(_col(dd, "prevalence_survey", d, "SSGI 2022"))
    if pr["prevalence_imputed"][d]:
        text = (
            f"{dname} has no published district figure; its province's stunting "
            f"prevalence is {prev}% ({survey})"
            if en
            else f"{dname} belum memiliki angka kabupaten/kota yang dipublikasikan; "
            f"prevalensi stunting provinsinya {prev}% ({survey})"
        )
    else:
        text = (
            f"This district's stunting prevalence is {prev}% ({survey})"
            if en
            else f"Prevalensi stunting kabupaten/kota ini {prev}% ({survey})"
        )
    gap = float(pr["gap_to_target"][d])
    if gap > 0:
        points = _num(gap, 1, lang)
        text += (
            f", {points} points above the 14% target"
            if en
            else f", {points} poin di atas target 14%"
        )
    else:
        text += ", already within the 14% target" if en else ", sudah memenuhi target 14%"
    if pr["underdeveloped"][d]:
        text += (
            "; it is a designated underdeveloped district" if en else "; termasuk daerah tertinggal"
        )
    return text


def _focus(c: _Pair) -> str:
    state, p, d, en, s = c.state, c.p, c.d, c.en, c.s
    own = np.flatnonzero(s.areas[p])
    if not len(own):
        return (
            "No intervention areas on record" if en else "Belum ada bidang intervensi yang tercatat"
        )
    cov = state.coverage[d, own]
    best = own[np.argmax(s.need[d, own] - 0.5 * np.log1p(cov))]
    n = int(state.coverage[d, best])
    if en:
        here = (
            "no active partner covers it here"
            if n == 0
            else f"{_plural(n, 'active partnership')} already cover it here"
        )
        return f"Focuses on {AREA_LABELS[AREAS[best]]}; {here}"
    here = (
        "belum ada mitra aktif di bidang ini di sini"
        if n == 0
        else f"{n} kemitraan aktif sudah menanganinya di sini"
    )
    return f"Berfokus pada {AREA_LABELS_ID[AREAS[best]]}; {here}"


def _track_record(c: _Pair) -> str:
    state, p, en, prov, pname = c.state, c.p, c.en, c.prov, c.pname
    n, ok = int(state.track_n[p]), round(state.track_succ[p])
    if n == 0:
        return (
            "No past partnerships with a known outcome"
            if en
            else "Belum ada kemitraan sebelumnya dengan hasil yang diketahui"
        )
    k = int(state.track_prov[p, prov])  # of the n with a known outcome, not all
    if en:
        text = f"{ok} of {_plural(n, 'past partnership')} lasted at least 6 months"
        return text + (f", {k} of them in {pname}" if k else "")
    text = f"{ok} dari {n} kemitraan sebelumnya berlangsung minimal 6 bulan"
    return text + (f", {k} di antaranya di {pname}" if k else "")


def _capacity(c: _Pair) -> str:
    p, d, en, lang, s, pp = c.p, c.d, c.en, c.lang, c.s, c.pp
    budget = _col(pp, "annual_budget_idr", p)
    burden = _num(float(s.columns("profile")["burden"][d]), 0, lang)
    if budget is None or budget != budget:
        return (
            f"Budget not on record; burden index here is {burden}"
            if en
            else f"Anggaran tidak tercatat; indeks beban di sini {burden}"
        )
    bn = _num(float(budget) / 1e9, 1, lang)  # type: ignore[arg-type]
    return (
        f"Annual budget IDR {bn} bn against a burden index of {burden} (prevalence × population)"
        if en
        else f"Anggaran tahunan Rp{bn} miliar dibanding indeks beban {burden} "
        "(prevalensi × penduduk)"
    )


def _kind(c: _Pair) -> str:
    p, en, lang, s = c.p, c.en, c.lang, c.s
    kind = KIND_LABELS[lang][KINDS[s.kind[p]]]
    scope = SCOPE_LABELS[lang].get(str(s.scope[p]), str(s.scope[p]))
    base = f"A {scope} {kind}" if en else f"{kind.capitalize()} berskala {scope}"
    sector = s.sector[p]
    if not isinstance(sector, str) or not sector:
        return base
    sector = sector.replace("_", " ")
    if not s.natural_resource[p]:
        return f"{base} ({sector})"
    return (
        f"{base} in a natural-resource sector ({sector}): social and environmental "
        "responsibility is a legal duty (UU 40/2007 art. 74)"
        if en
        else f"{base} di sektor sumber daya alam ({sector}): wajib melaksanakan "
        "tanggung jawab sosial dan lingkungan (UU 40/2007 pasal 74)"
    )


def _continuity(c: _Pair) -> str:
    state, p, d, en, dname = c.state, c.p, c.d, c.en, c.dname
    if state.active_pd[p, d]:
        return f"Already works with {dname}" if en else f"Sudah bermitra dengan {dname}"
    if state.worked[p, d]:
        return f"Worked with {dname} before" if en else f"Pernah bermitra dengan {dname}"
    return f"Has not worked with {dname} yet" if en else f"Belum pernah bermitra dengan {dname}"


def _quota(c: _Pair) -> str:
    state, p, en, s, prov, pname = c.state, c.p, c.en, c.s, c.prov, c.pname
    q = QUOTAS[s.quota[p]]
    target = QUOTA_TARGETS[q]
    # ``quota_filled`` counts partners with a campaign commitment (>= 6 months) in the
    # province, the same rule as Province.quotaProgress (outcomes.commitments_known)
    filled = int(state.quota_filled[prov, s.quota[p]])
    label = QUOTA_LABELS[q] if en else QUOTA_LABELS_ID[q]
    if filled >= target:
        return (
            f"{pname} already has {filled} {label} committed for 6 months or more "
            f"(campaign target {target})"
            if en
            else f"{pname} sudah punya {filled} {label} yang berkomitmen 6 bulan atau "
            f"lebih (target kampanye {target})"
        )
    return (
        f"{pname} has only {filled} {label} committed for 6 months or more so far "
        f"(campaign target {target})"
        if en
        else f"{pname} baru punya {filled} {label} yang berkomitmen 6 bulan atau lebih "
        f"(target kampanye {target})"
    )


# One fact function per factor: each states its fact in either language.
FACTS: dict[str, Callable[[_Pair], str]] = {
    "presence": _presence,
    "need": _need,
    "focus": _focus,
    "track_record": _track_record,
    "capacity": _capacity,
    "kind": _kind,
    "continuity": _continuity,
    "quota": _quota,
}


def sentence(state: FeatureState, p: int, d: int, factor: str, lang: str = "en") -> str:
    """Return the fact behind ``factor`` for partner position ``p`` and district position ``d``.

    ``lang`` is ``"en"`` or ``"id"`` (Bahasa Indonesia); both state the same facts.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    fact = FACTS.get(factor)
    if fact is None:
        raise ValueError(f"unknown factor {factor!r}")
    s = state.space
    dd, pp = s.columns("districts"), s.columns("partners")
    dname = str(_col(dd, "name", d, s.d_codes[d]))
    prov = s.d_prov[d]
    pname = str(_col(dd, "province_name", d, s.prov_codes[prov]))
    return fact(_Pair(state, p, d, lang == "en", lang, s, dd, pp, dname, prov, pname))


def linear_reasons(
    state: FeatureState,
    p: int,
    d: int,
    weights: np.ndarray,
    reference: np.ndarray,
    *,
    keep: int | None = None,
    x: np.ndarray | None = None,
) -> list[Reason]:
    """Reasons of a linear score ``x @ weights``: per factor ``sum w (x - reference)``.

    All factors, largest first; with ``keep``, only the ``keep`` largest and the most
    negative one when it lowers the score. Sentences are written only for the factors
    returned. ``x``: the pair's features when the caller built them (for many pairs at once).
    """
    if x is None:
        x = state.pair_features(np.array([p]), np.array([d]))[0]
    x = np.asarray(x, dtype=float)
    delta = weights * (x - reference)
    ranked = sorted(
        ((f, float(delta[idx].sum())) for f, idx in FACTOR_INDEX.items()), key=lambda fc: -fc[1]
    )
    if keep is not None:
        kept = ranked[:keep]
        if ranked and ranked[-1][1] < 0 and ranked[-1] not in kept:
            kept.append(ranked[-1])
        ranked = kept
    return [
        Reason(f, c, sentence(state, p, d, f, "en"), sentence(state, p, d, f, "id"))
        for f, c in ranked
    ]
