"""Validators of outside input: examples, and properties over random input (hypothesis).

For every validator: arbitrary input never raises and only ever yields errors on the
validator's own field; valid input yields no error; invalid input yields an error
with the expected code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.db.enums import InterventionArea, PartnerKind, PartnerScope, PartnershipStatus
from service.domain import partnership_rules as rules
from service.domain import validation as v
from service.domain.validation import ErrorCode, UserError

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(),
    st.binary(),
    st.dates(),
    st.datetimes(),
    st.lists(st.text(max_size=12), max_size=5),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
# Printable names: letters, digits, punctuation and spaces, but no control characters.
name_chars = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
valid_names = st.text(name_chars, min_size=2, max_size=200).filter(
    lambda s: v.NAME_MIN <= len(s.strip()) <= v.NAME_MAX
)


def codes(errors: list[UserError]) -> set[str]:
    return {e.code for e in errors}


def _only_field(errors: list[UserError], field: str) -> None:
    assert all(isinstance(e, UserError) for e in errors)
    assert all(e.field == field and e.message and e.code in ErrorCode.__members__ for e in errors)


VALIDATORS: list[tuple[str, Callable[[Any], list[UserError]], str]] = [
    ("partner_name", v.partner_name, "name"),
    ("partner_kind", v.partner_kind, "kind"),
    ("partner_scope", v.partner_scope, "scope"),
    ("partnership_status", v.partnership_status, "status"),
    ("verdict", v.verdict, "verdict"),
    ("intervention_areas", v.intervention_areas, "areas"),
    ("province_code", v.province_code, "province_code"),
    ("district_code", v.district_code, "district_code"),
    (
        "province_codes",
        lambda x: v.code_list(x, field="province_codes", kind="province"),
        "province_codes",
    ),
    ("website", v.website, "website"),
    ("budget_idr", v.budget_idr, "budget_idr"),
    ("commitment_months", v.commitment_months, "duration_months"),
    ("beneficiaries", v.beneficiaries, "target_beneficiaries"),
    ("free_text", lambda x: v.free_text(x, field="notes", max_length=50), "notes"),
    ("date_value", lambda x: v.date_value(x, field="start_date"), "start_date"),
    ("date_order", lambda x: v.date_order(x, dt.date(2024, 1, 1)), "end_date"),
    ("status_transition", lambda x: rules.status_transition("proposed", x), "status"),
    ("status_transition_from", lambda x: rules.status_transition(x, "active"), "status"),
]


@pytest.mark.parametrize(("label", "check", "field"), VALIDATORS, ids=[x[0] for x in VALIDATORS])
@given(value=anything)
def test_any_input_never_raises_and_names_its_field(
    label: str, check: Callable[[Any], list[UserError]], field: str, value: Any
) -> None:
    _only_field(check(value), field)


# --- names -------------------------------------------------------------------------------


@given(valid_names)
def test_valid_names_pass(name: str) -> None:
    assert v.partner_name(name) == []


@given(st.text(max_size=300))
def test_name_errors_follow_the_rules(name: str) -> None:
    errors = v.partner_name(name)
    trimmed = name.strip()
    bad_chars = any(c in name for c in "\x00\n\r\t\x1b\x7f")
    if bad_chars:
        assert codes(errors) == {"INVALID_CHARACTERS"}
    elif len(trimmed) < 2:
        assert codes(errors) & {"TOO_SHORT", "INVALID_CHARACTERS"}
    elif len(trimmed) > 200:
        assert codes(errors) & {"TOO_LONG", "INVALID_CHARACTERS"}


@given(valid_names, st.sampled_from(["\x00", "\n", "\x07", "\u2028"]), st.integers(0, 200))
def test_control_characters_anywhere_are_refused(name: str, bad: str, at: int) -> None:
    at = min(at, len(name))
    errors = v.partner_name(name[:at] + bad + name[at:])
    assert codes(errors) == {"INVALID_CHARACTERS"} and errors[0].field == "name"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        (None, "REQUIRED"),
        (42, "INVALID_TYPE"),
        ("  a  ", "TOO_SHORT"),
        ("x" * 201, "TOO_LONG"),
        ("  " + "x" * 200 + "  ", None),
        ("PT Kalbe Farma Tbk", None),
        ("Yayasan\tX", "INVALID_CHARACTERS"),
    ],
)
def test_name_examples(name: Any, code: str | None) -> None:
    assert codes(v.partner_name(name)) == ({code} if code else set())


# --- choices -----------------------------------------------------------------------------


@given(st.sampled_from([k.value for k in PartnerKind]))
def test_known_kinds_pass(kind: str) -> None:
    assert v.partner_kind(kind) == []


@given(st.text())
def test_unknown_kinds_fail(kind: str) -> None:
    errors = v.partner_kind(kind)
    assert (errors == []) == (kind in {k.value for k in PartnerKind})
    if errors:
        assert errors[0].code == "INVALID_CHOICE" and errors[0].field == "kind"


@given(
    st.sampled_from([s.value for s in PartnerScope]),
    st.sampled_from([s.value for s in PartnershipStatus]),
)
def test_known_scopes_and_statuses_pass(scope: str, status: str) -> None:
    assert v.partner_scope(scope) == [] and v.partnership_status(status) == []


@given(st.lists(st.sampled_from([a.value for a in InterventionArea]), max_size=10))
def test_known_areas_pass(areas: list[str]) -> None:
    assert v.intervention_areas(areas) == []


@given(
    st.lists(st.sampled_from([a.value for a in InterventionArea]), max_size=5), st.text(min_size=1)
)
def test_one_unknown_area_fails(areas: list[str], extra: str) -> None:
    errors = v.intervention_areas([*areas, extra])
    assert (errors == []) == (extra in {a.value for a in InterventionArea})


def test_areas_must_be_a_list() -> None:
    assert codes(v.intervention_areas("wash")) == {"INVALID_TYPE"}
    assert v.intervention_areas(None) == [] and v.intervention_areas(()) == []


@pytest.mark.parametrize("value", ["accepted", "rejected"])
def test_verdicts(value: str) -> None:
    assert v.verdict(value) == []
    assert codes(v.verdict(value.upper())) == {"INVALID_CHOICE"}


# --- codes -------------------------------------------------------------------------------

digits2 = st.from_regex(r"\A[0-9]{2}\Z")


@given(digits2, digits2)
def test_well_formed_codes_pass(a: str, b: str) -> None:
    assert v.province_code(a) == []
    assert v.district_code(f"{a}.{b}") == []


@given(st.text(max_size=8))
def test_malformed_codes_fail(value: str) -> None:
    import re

    if not re.fullmatch(r"[0-9]{2}", value):
        assert codes(v.province_code(value)) == {"INVALID_FORMAT"}
    if not re.fullmatch(r"[0-9]{2}\.?[0-9]{2}", value):
        assert codes(v.district_code(value)) == {"INVALID_FORMAT"}


@pytest.mark.parametrize("value", ["32.04\n", "32045", "32.4", "٣٢.٠٤", "32-04", " 32.04"])
def test_district_code_examples(value: str) -> None:
    assert codes(v.district_code(value)) == {"INVALID_FORMAT"}


def test_codes_must_exist_when_known_is_given() -> None:
    assert v.district_code("32.04", known={"32.04"}) == []
    assert codes(v.district_code("32.99", known={"32.04"})) == {"NOT_FOUND"}
    assert codes(v.province_code("99", known={"32"})) == {"NOT_FOUND"}
    assert codes(
        v.code_list(["32", "99"], field="province_codes", kind="province", known={"32"})
    ) == {"NOT_FOUND"}
    assert codes(v.code_list("32", field="province_codes", kind="province")) == {"INVALID_TYPE"}
    assert codes(v.code_list(["32"] * 601, field="province_codes", kind="province")) == {"TOO_LONG"}


# --- websites ----------------------------------------------------------------------------

hosts = st.from_regex(r"\A[a-z][a-z0-9-]{0,20}(\.[a-z]{2,6}){1,2}\Z")


@given(
    st.sampled_from(["http", "https", "HTTPS"]),
    hosts,
    st.from_regex(r"\A(/[a-z0-9_-]{0,10}){0,3}\Z"),
)
def test_http_urls_pass(scheme: str, host: str, path: str) -> None:
    assert v.website(f"{scheme}://{host}{path}") == []


@given(st.text(max_size=80))
def test_website_is_http_or_error(value: str) -> None:
    errors = v.website(value)
    if not errors:
        assert value.strip().lower().startswith(("http://", "https://"))


@pytest.mark.parametrize(
    "value",
    [
        "ftp://x.id",
        "javascript:alert(1)",
        "http://",
        "https:///path",
        "www.x.id",
        "http://exa mple.id",
        "http://x.id:99999",
        "https://" + "a" * 300 + ".id",
        "http://x.id/\x00",
    ],
)
def test_bad_websites(value: str) -> None:
    errors = v.website(value)
    assert errors and errors[0].field == "website"


# --- numbers -----------------------------------------------------------------------------


@given(st.integers(0, 10**15 - 1))
def test_budgets_in_range_pass(value: int) -> None:
    assert v.budget_idr(value) == []


@given(st.one_of(st.integers(max_value=-1), st.integers(min_value=10**15)))
def test_budgets_out_of_range_fail(value: int) -> None:
    assert codes(v.budget_idr(value)) == {"OUT_OF_RANGE"}


@pytest.mark.parametrize("value", [True, 1.5, "100", 1e3])
def test_budgets_must_be_whole_numbers(value: Any) -> None:
    assert codes(v.budget_idr(value)) == {"INVALID_TYPE"}


@given(st.integers())
def test_commitment_months(value: int) -> None:
    errors = v.commitment_months(value, field="typical_commitment_months")
    assert (errors == []) == (1 <= value <= 120)
    if errors:
        assert errors[0].code == "OUT_OF_RANGE" and errors[0].field == "typical_commitment_months"


def test_required_numbers() -> None:
    assert codes(v.budget_idr(None, required=True)) == {"REQUIRED"}
    assert v.budget_idr(None) == [] and v.commitment_months(None) == []


# --- dates and transitions ---------------------------------------------------------------


@given(st.dates(), st.dates())
def test_date_order(start: dt.date, end: dt.date) -> None:
    errors = v.date_order(start, end)
    assert (errors == []) == (end >= start)
    if errors:
        assert errors[0].code == "INVALID_DATE_ORDER" and errors[0].field == "end_date"


def test_date_order_with_missing_dates() -> None:
    assert v.date_order(None, dt.date(2024, 1, 1)) == []
    assert v.date_order(dt.date(2024, 1, 1), None) == []


def test_date_value_rejects_datetimes_and_strings() -> None:
    assert codes(v.date_value("2024-01-01", field="start_date")) == {"INVALID_TYPE"}
    assert codes(v.date_value(dt.datetime(2024, 1, 1), field="start_date")) == {"INVALID_TYPE"}


ALLOWED = {
    ("proposed", "active"),
    ("proposed", "cancelled"),
    ("active", "completed"),
    ("active", "cancelled"),
}
statuses = st.sampled_from([s.value for s in PartnershipStatus])


@given(statuses, statuses)
def test_status_transitions(current: str, new: str) -> None:
    errors = rules.status_transition(current, new)
    assert (errors == []) == ((current, new) in ALLOWED)
    if current == "reported":
        assert codes(errors) == {"READ_ONLY"}
    elif errors:
        assert codes(errors) == {"INVALID_TRANSITION"}


def test_transition_to_unknown_status() -> None:
    assert codes(rules.status_transition("proposed", "done")) == {"INVALID_CHOICE"}
    assert codes(rules.status_transition("weird", "active")) == {"INVALID_TRANSITION"}


# --- duplicates and archived partners ----------------------------------------------------


@given(st.lists(st.integers(1, 10**6), max_size=4))
def test_duplicates(open_ids: list[int]) -> None:
    errors = rules.no_open_duplicate(open_ids)
    assert (errors == []) == (not open_ids)
    if errors:
        assert errors[0].code == "DUPLICATE" and errors[0].field == "district_code"


@given(st.one_of(st.none(), st.datetimes(timezones=st.just(dt.UTC))))
def test_archived_partner(archived_at: dt.datetime | None) -> None:
    errors = rules.partner_not_archived(archived_at)
    assert (errors == []) == (archived_at is None)
    if errors:
        assert errors[0].code == "ARCHIVED" and errors[0].field == "partner_id"


@given(st.text(max_size=80))
def test_free_text(value: str) -> None:
    errors = v.free_text(value, field="reason", max_length=40)
    _only_field(errors, "reason")
    if len(value.strip()) > 40 and not codes(errors) & {"INVALID_CHARACTERS"}:
        assert codes(errors) == {"TOO_LONG"}
    assert v.free_text("line one\nline two\ttabbed", field="reason", max_length=40) == []
