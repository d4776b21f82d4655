"""The words of the reasons: one template table per language, and how values are written.

A fact (:class:`recommender.facts.Fact`) names the templates of its sentence's parts and
the values they mention, in no language. :func:`render` writes it in one: each part is
the language's template for its key, its placeholders filled by :class:`Wording`:

- ``{x:,.1f}``: a number with a format, written the language's way (``1,234.5`` in
  English, ``1.234,5`` in Indonesian);
- ``{n:count:district}``: a count with its noun, plural when it is not 1 (English);
- ``{k:label:kind}``: a vocabulary code by its label in the language (tables ``area``,
  ``kind``, ``scope``, ``quota``); ``Label`` capitalises it;
- anything else as it is (names, sources).

Both tables have the same keys and each key the same placeholders (a test holds it).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from recommender.vocab import (
    AREA_LABELS,
    AREA_LABELS_ID,
    KIND_LABELS,
    QUOTA_LABELS,
    QUOTA_LABELS_ID,
    SCOPE_LABELS,
)

if TYPE_CHECKING:
    from recommender.facts import Fact

EN: dict[str, str] = {
    "presence.here": "Operates in {district}",
    "presence.here_and_province": (
        "Operates in {district} and {others:count:other district} of {province}"
    ),
    "presence.province": "Operates in {sites:count:district} of {province}",
    "presence.across_province": "Works across {province}",
    "presence.nearest": "Nearest operating site, {site}, is {km:,.0f} km away",
    "presence.none": "No known presence near {district}",
    "need.province_figure": (
        "{district} has no published district figure; its province's stunting "
        "prevalence is {prevalence:,.1f}% ({survey})"
    ),
    "need.district_figure": "This district's stunting prevalence is {prevalence:,.1f}% ({survey})",
    "need.above_target": ", {points:,.1f} points above the 14% target",
    "need.within_target": ", already within the 14% target",
    "need.underdeveloped": "; it is a designated underdeveloped district",
    "focus.no_areas": "No intervention areas on record",
    "focus.area": "Focuses on {area:label:area}; ",
    "focus.uncovered": "no active partner covers it here",
    "focus.covered": "already covered here by {partnerships:count:active partnership}",
    "track_record.none": "No past partnerships with a known outcome",
    "track_record.lasted": "{lasted} of {known:count:past partnership} lasted at least 6 months",
    "track_record.in_province": ", {here} of them in {province}",
    "capacity.no_budget": "Budget not on record; burden index here is {burden:,.0f}",
    "capacity.budget": (
        "Annual budget IDR {budget_bn:,.1f} bn against a burden index of {burden:,.0f} "
        "(prevalence × population)"
    ),
    "kind.kind": "A {scope:label:scope} {kind:label:kind}",
    "kind.sector": " ({sector})",
    "kind.natural_resource": (
        " in a natural-resource sector ({sector}): social and environmental "
        "responsibility is a legal duty (UU 40/2007 art. 74)"
    ),
    "continuity.active": "Already works with {district}",
    "continuity.before": "Worked with {district} before",
    "continuity.never": "Has not worked with {district} yet",
    "quota.met": (
        "{province} already has {filled} {quota:label:quota} committed for 6 months or more "
        "(campaign target {target})"
    ),
    "quota.short": (
        "{province} has only {filled} {quota:label:quota} committed for 6 months or more so "
        "far (campaign target {target})"
    ),
    "quota.not_local": (
        "Not local media in {province}, so it would not count towards the province's "
        "{quota:label:quota} quota ({filled} of {target} committed)"
    ),
    # the real-record rankers' own factors (recommender/real_explain.py)
    "real.kind": "{kind:Label:kind}",
    "real.near.here": "Already known in {site} ({n:count:district} known in all)",
    "real.near.other": (
        "Its nearest known district, {site}, is {km:,.0f} km away ({n:count:district} known)"
    ),
    "real.presence.province": "Known in {n:count:district} of {province}",
    "real.profile": (
        "Its known districts resemble this one: {same_type} of {n} are {type} like it, "
        "{same_ud} of {n} share its underdeveloped status, mean prevalence {prev:.1f}% "
        "({here_prev:.1f}% here), typical population {pop:,.0f} ({here_pop:,.0f} here)"
    ),
    "real.presence.beyond": (
        "Known only in {province}; its nearest known district, {site}, is {km:,.0f} km "
        "away: beyond reach"
    ),
    "real.track.none": "No known district yet (no reported or recorded partnership)",
    "real.track.known": "Known in {n:count:district}, {near} of them within 100 km",
    "real.shared.none": "No partner is known in this district yet",
    "real.shared.some": "Shares a district with {shared} of the {here:count:partner} known here",
    "real.areas.covered": (
        "Its areas are already covered here ({n:count:active partnership}) or not needed "
        "most here: no need points"
    ),
    "real.areas.open": "Brings {area:label:area}, which no active partner covers here",
}

ID: dict[str, str] = {
    "presence.here": "Beroperasi di {district}",
    "presence.here_and_province": (
        "Beroperasi di {district} dan {others} kabupaten/kota lain di {province}"
    ),
    "presence.province": "Beroperasi di {sites} kabupaten/kota di {province}",
    "presence.across_province": "Bekerja di seluruh {province}",
    "presence.nearest": "Lokasi operasi terdekat, {site}, berjarak {km:,.0f} km",
    "presence.none": "Tidak diketahui hadir di dekat {district}",
    "need.province_figure": (
        "{district} belum memiliki angka kabupaten/kota yang dipublikasikan; "
        "prevalensi stunting provinsinya {prevalence:,.1f}% ({survey})"
    ),
    "need.district_figure": "Prevalensi stunting kabupaten/kota ini {prevalence:,.1f}% ({survey})",
    "need.above_target": ", {points:,.1f} poin di atas target 14%",
    "need.within_target": ", sudah memenuhi target 14%",
    "need.underdeveloped": "; termasuk daerah tertinggal",
    "focus.no_areas": "Belum ada bidang intervensi yang tercatat",
    "focus.area": "Berfokus pada {area:label:area}; ",
    "focus.uncovered": "belum ada mitra aktif di bidang ini di sini",
    "focus.covered": "{partnerships} kemitraan aktif sudah menanganinya di sini",
    "track_record.none": "Belum ada kemitraan sebelumnya dengan hasil yang diketahui",
    "track_record.lasted": "{lasted} dari {known} kemitraan sebelumnya berlangsung minimal 6 bulan",
    "track_record.in_province": ", {here} di antaranya di {province}",
    "capacity.no_budget": "Anggaran tidak tercatat; indeks beban di sini {burden:,.0f}",
    "capacity.budget": (
        "Anggaran tahunan Rp{budget_bn:,.1f} miliar dibanding indeks beban {burden:,.0f} "
        "(prevalensi × penduduk)"
    ),
    "kind.kind": "{kind:Label:kind} berskala {scope:label:scope}",
    "kind.sector": " ({sector})",
    "kind.natural_resource": (
        " di sektor sumber daya alam ({sector}): wajib melaksanakan tanggung jawab sosial "
        "dan lingkungan (UU 40/2007 pasal 74)"
    ),
    "continuity.active": "Sudah bermitra dengan {district}",
    "continuity.before": "Pernah bermitra dengan {district}",
    "continuity.never": "Belum pernah bermitra dengan {district}",
    "quota.met": (
        "{province} sudah punya {filled} {quota:label:quota} yang berkomitmen 6 bulan atau "
        "lebih (target kampanye {target})"
    ),
    "quota.short": (
        "{province} baru punya {filled} {quota:label:quota} yang berkomitmen 6 bulan atau "
        "lebih (target kampanye {target})"
    ),
    "quota.not_local": (
        "Bukan media lokal di {province}, jadi tidak dihitung dalam kuota "
        "{quota:label:quota} provinsi ({filled} dari {target} berkomitmen)"
    ),
    "real.kind": "{kind:Label:kind}",
    "real.near.here": "Sudah dikenal di {site} ({n} kabupaten/kota diketahui)",
    "real.near.other": (
        "Kabupaten/kota terdekat yang diketahui, {site}, berjarak {km:,.0f} km "
        "({n} kabupaten/kota diketahui)"
    ),
    "real.presence.province": "Dikenal di {n} kabupaten/kota di {province}",
    "real.profile": (
        "Kabupaten/kota yang diketahuinya mirip dengan ini: {same_type} dari {n} adalah "
        "{type} seperti ini, {same_ud} dari {n} berstatus daerah tertinggal yang sama, "
        "rata-rata prevalensi {prev:.1f}% ({here_prev:.1f}% di sini), penduduk tipikal "
        "{pop:,.0f} ({here_pop:,.0f} di sini)"
    ),
    "real.presence.beyond": (
        "Hanya dikenal di {province}; kabupaten/kota terdekat yang diketahui, {site}, "
        "berjarak {km:,.0f} km: di luar jangkauan"
    ),
    "real.track.none": "Belum ada kabupaten/kota yang diketahui (belum ada kemitraan tercatat)",
    "real.track.known": "Dikenal di {n} kabupaten/kota, {near} di antaranya dalam radius 100 km",
    "real.shared.none": "Belum ada mitra yang diketahui di kabupaten/kota ini",
    "real.shared.some": (
        "Berbagi kabupaten/kota dengan {shared} dari {here} mitra yang dikenal di sini"
    ),
    "real.areas.covered": (
        "Bidangnya sudah ditangani di sini ({n} kemitraan aktif) atau bukan kebutuhan "
        "utama di sini: tanpa poin kebutuhan"
    ),
    "real.areas.open": "Membawa {area:label:area}, yang belum ditangani mitra aktif di sini",
}

TEMPLATES: dict[str, dict[str, str]] = {"en": EN, "id": ID}
LANGUAGES = tuple(TEMPLATES)

# The vocabulary's labels in each language, by table name.
LABELS: dict[str, dict[str, Mapping[str, str]]] = {
    "en": {
        "area": AREA_LABELS,
        "kind": KIND_LABELS["en"],
        "scope": SCOPE_LABELS["en"],
        "quota": QUOTA_LABELS,
    },
    "id": {
        "area": AREA_LABELS_ID,
        "kind": KIND_LABELS["id"],
        "scope": SCOPE_LABELS["id"],
        "quota": QUOTA_LABELS_ID,
    },
}
_DECIMALS_ID = str.maketrans(",.", ".,")


class _Piece(NamedTuple):
    """Literal text, then the placeholder after it (``name`` None: none)."""

    text: str
    name: str | None
    form: str  # "count", "label", "Label", or a format spec's head
    arg: str
    spec: str


def _pieces(template: str) -> tuple[_Piece, ...]:
    out = []
    for text, name, spec, _ in string.Formatter().parse(template):
        form, _, arg = (spec or "").partition(":")
        out.append(_Piece(text, name, form, arg, spec or ""))
    return tuple(out)


class Wording:
    """Fill the templates of one language (the module's placeholder forms).

    Each template is parsed once, into its literal text and its placeholders.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.labels = LABELS[lang]
        self.templates = {key: _pieces(t) for key, t in TEMPLATES[lang].items()}

    def value(self, value: Any, form: str, arg: str, spec: str) -> str:
        """Write one value as its placeholder asks."""
        if form == "count":
            return f"{value} {arg}{'' if value == 1 else 's'}"
        if form in ("label", "Label"):
            text = self.labels[arg].get(value, str(value))
            return text[:1].upper() + text[1:] if form == "Label" else text
        text = format(value, spec)
        return text.translate(_DECIMALS_ID) if spec and self.lang == "id" else text

    def fill(self, key: str, values: Mapping[str, object]) -> str:
        """Return template ``key`` with ``values`` in their places."""
        return "".join(
            text if name is None else text + self.value(values[name], form, arg, spec)
            for text, name, form, arg, spec in self.templates[key]
        )


_WORDINGS = {lang: Wording(lang) for lang in LANGUAGES}


def render(fact: Fact, lang: str) -> str:
    """Return ``fact`` in ``lang``: its parts' templates, filled and joined."""
    wording = _WORDINGS[lang]
    return "".join(wording.fill(key, fact.values) for key in fact.parts)


def placeholders(template: str) -> set[str]:
    """Return the names of the values ``template`` mentions."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
