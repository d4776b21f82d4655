"""The district-code validator: Kemendagri "53.02" and its dotless form "5302", one wording."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from schema.errors import UserInputError, graphql_field
from schema.ids import parse_district_code
from service.domain import validation as v

two_digits = st.from_regex(r"\A[0-9]{2}\Z")


@given(two_digits, two_digits)
def test_both_forms_give_the_stored_form(province: str, district: str) -> None:
    stored = f"{province}.{district}"
    assert v.canonical_district_code(stored) == stored
    assert v.canonical_district_code(province + district) == stored
    assert v.district_code(province + district) == []
    assert v.district_code(province + district, known={stored}) == []


@given(st.text(max_size=12))
def test_anything_else_is_refused_by_every_entry_point_with_one_wording(text: str) -> None:
    canonical = v.canonical_district_code(text)
    if canonical is not None:
        # Only the two forms get through: the stored one or the same digits without the dot.
        assert re.fullmatch(r"[0-9]{2}\.[0-9]{2}", canonical)
        assert text in {canonical, canonical.replace(".", "")}
        return
    (error,) = v.district_code(text)
    assert error.code == "INVALID_FORMAT"
    try:
        parse_district_code(text, field="districtCode")
    except UserInputError as exc:
        # queries and mutations word it the same
        assert exc.message == error.worded(graphql_field(error.field))
    else:
        raise AssertionError(f"{text!r} was accepted by the query parser")


@given(two_digits, two_digits)
def test_unknown_codes_are_named_as_sent(province: str, district: str) -> None:
    sent = province + district
    (error,) = v.district_code(sent, known=set())
    assert (error.code, error.message) == ("NOT_FOUND", f"there is no district {sent}")


def test_code_lists_accept_both_forms_and_dedupe() -> None:
    assert v.canonical_district_codes(["5302", "53.02", "11.01", "bad"]) == ["11.01", "53.02"]
    assert v.code_list(["5302", "11.01"], field="district_codes", kind="district") == []
    (error,) = v.code_list(["5302", "53/02"], field="district_codes", kind="district")
    form = 'must be a Kemendagri district code such as "53.02" or "5302"'
    assert error.field == "district_codes" and error.message == f"district_codes {form}"
    assert error.worded("districtCodes") == f"districtCodes {form}"  # as the API says it
