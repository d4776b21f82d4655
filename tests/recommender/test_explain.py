"""The reasons' words: one template table per language, the same facts in each."""

from __future__ import annotations

import string

import pytest

from recommender.explain import FACTORS
from recommender.facts import FACTS, Fact
from recommender.wording import EN, ID, LABELS, TEMPLATES, placeholders, render


def test_both_tables_have_the_same_keys_and_placeholders() -> None:
    assert EN.keys() == ID.keys()
    differing = {k: (placeholders(EN[k]), placeholders(ID[k])) for k in EN}
    assert {k: v for k, v in differing.items() if v[0] != v[1]} == {}


def test_every_factor_has_a_fact_function_and_templates() -> None:
    assert set(FACTS) == set(FACTORS)
    # and "real": the real-record rankers' own factors (recommender/real_explain.py)
    assert {key.split(".")[0] for key in EN} == set(FACTORS) | {"real"}


@pytest.mark.parametrize("lang", list(TEMPLATES))
def test_every_label_placeholder_names_a_table_of_the_language(lang: str) -> None:
    forms = [
        spec.split(":")
        for template in TEMPLATES[lang].values()
        for _, name, spec, _ in string.Formatter().parse(template)
        if name and spec and spec.split(":")[0] in ("label", "Label")
    ]
    assert forms and all(table in LABELS[lang] for _, table in forms)


def test_numbers_counts_and_labels_are_written_the_languages_way() -> None:
    nearest = Fact(("presence.nearest",), {"site": "Kota Kupang", "km": 1240.0})
    assert render(nearest, "en") == "Nearest operating site, Kota Kupang, is 1,240 km away"
    assert render(nearest, "id") == "Lokasi operasi terdekat, Kota Kupang, berjarak 1.240 km"
    focus = Fact(("focus.area", "focus.covered"), {"area": "wash", "partnerships": 2})
    assert render(focus, "en") == (
        "Focuses on clean water and sanitation; already covered here by 2 active partnerships"
    )
    assert render(focus, "id") == (
        "Berfokus pada air bersih dan sanitasi; 2 kemitraan aktif sudah menanganinya di sini"
    )
    kind = Fact(("kind.kind",), {"kind": "foundation", "scope": "national"})
    assert (render(kind, "en"), render(kind, "id")) == (
        "A national foundation",
        "Yayasan berskala nasional",
    )


def test_every_feature_is_explained_by_exactly_one_factor() -> None:
    from recommender.feature_names import FEATURES

    listed = [c for cols in FACTORS.values() for c in cols]
    assert sorted(listed) == sorted(FEATURES) and len(set(FEATURES)) == len(FEATURES)


def test_one_partnership_is_singular_and_acronyms_keep_their_capitals() -> None:
    one = Fact(("focus.area", "focus.covered"), {"area": "wash", "partnerships": 1})
    assert render(one, "en").endswith("already covered here by 1 active partnership")
    bumn = Fact(("kind.kind",), {"kind": "state_owned_company", "scope": "national"})
    assert render(bumn, "id") == "BUMN berskala nasional"


def test_real_record_reasons_are_worded_from_the_tables() -> None:
    """recommender.real_explain finds the facts; wording's ``real.*`` templates say them."""
    from types import SimpleNamespace

    import numpy as np

    from recommender import real_explain
    from recommender.vocab import AREAS

    known = np.array([[True, True, False], [False, True, False]])
    record = SimpleNamespace(dist=np.array([[0.0, 50.0, 300.0]] * 3))
    track = real_explain.track_record(record, known, 0, 0, "en")  # type: ignore[arg-type]
    assert track == "Known in 2 districts, 2 of them within 100 km"
    shared = real_explain.shared_partners(record, known, 0, 1, "id")  # type: ignore[arg-type]
    assert shared == "Berbagi kabupaten/kota dengan 1 dari 1 mitra yang dikenal di sini"
    areas = np.zeros(len(AREAS))
    areas[AREAS.index("wash")] = 1
    need, covered = np.ones(len(AREAS)), np.zeros(len(AREAS))
    brings = real_explain.open_areas(areas, need, covered, "en")
    assert brings == "Brings clean water and sanitation, which no active partner covers here"
    covered[AREAS.index("wash")] = 1
    assert real_explain.open_areas(areas, need, covered, "en").startswith(
        "Its areas are already covered here (1 active partnership)"
    )


def test_a_real_partners_kind_reason_names_no_scope_and_reads_its_sector() -> None:
    """A real partner's scope is a rule over its reported footprint (one reported district
    makes a national bank "local"), so the real-record reason says the kind and sector
    only; sector codes are said as words."""
    from types import SimpleNamespace

    import numpy as np

    from recommender import real_explain
    from recommender.facts import sector_label
    from recommender.vocab import KINDS

    space = SimpleNamespace(
        kind=np.array([KINDS.index("state_owned_company"), KINDS.index("international_org")]),
        scope=np.array(["local", "national"]),
        sector=np.array(["banking", "un_agency"], dtype=object),
        natural_resource=np.array([False, False]),
    )
    en = [real_explain.kind(space, p, "en") for p in (0, 1)]  # type: ignore[arg-type]
    assert en == ["State-owned company (banking)", "International organisation (UN agency)"]
    ids = [real_explain.kind(space, p, "id") for p in (0, 1)]  # type: ignore[arg-type]
    words = set(" ".join(en + ids).lower().replace("(", " ").replace(")", " ").split())
    assert not words & {"local", "lokal", "provincial", "provinsi", "national", "nasional"}
    assert sector_label("oil_gas_lng") == "oil and gas LNG"
    assert sector_label("religious_womens_org") == "religious womens org"


def test_districts_for_a_real_partner_name_its_nearest_known_district() -> None:
    """The walk spreads from the partner's known districts: the reason names the nearest
    one and its distance (each district its own), in both languages."""
    from types import SimpleNamespace

    import numpy as np

    from recommender import real_explain

    dist = np.array([[0.0, 40.0, 300.0], [40.0, 0.0, 260.0], [300.0, 260.0, 0.0]])
    names = ["Kota Kupang", "Kabupaten Kupang", "Kabupaten Belu"]
    record = SimpleNamespace(dist=dist, d_names=np.array(names))
    known = np.array([[True, False, False], [False, False, False]])
    say = real_explain.nearest_known
    assert say(record, known, 0, 1, "en") == (  # type: ignore[arg-type]
        "Its nearest known district, Kota Kupang, is 40 km away (1 district known)"
    )
    assert say(record, known, 0, 2, "id") == (  # type: ignore[arg-type]
        "Kabupaten/kota terdekat yang diketahui, Kota Kupang, berjarak 300 km "
        "(1 kabupaten/kota diketahui)"
    )
    assert say(record, known, 0, 0, "en").startswith("Already known in Kota Kupang")  # type: ignore[arg-type]
    assert say(record, known, 1, 0, "en").startswith("No known district yet")  # type: ignore[arg-type]
