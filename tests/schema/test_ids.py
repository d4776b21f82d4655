"""Property tests for the parsers of client input: global ids, cursors, region codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schema.errors import UserInputError
from schema.ids import (
    NODE_TYPES,
    from_cursor,
    from_global_id,
    parse_district_code,
    parse_province_code,
    parse_typed_id,
    to_cursor,
    to_global_id,
)

district_codes = st.from_regex(r"\A[0-9]{2}\.[0-9]{2}\Z")
province_codes = st.from_regex(r"\A[0-9]{2}\Z")


@given(st.text(max_size=60))
def test_parsers_accept_or_raise_a_user_error(text):
    for parse in (from_global_id, from_cursor, parse_district_code, parse_province_code):
        try:
            parse(text)
        except UserInputError as error:
            assert error.extensions["code"] in {"BAD_USER_INPUT", "INVALID_ID", "INVALID_CURSOR"}


@given(district_codes, province_codes, st.integers(min_value=1, max_value=10**12))
def test_global_ids_round_trip(district, province, number):
    assert from_global_id(to_global_id("District", district)) == ("District", district)
    assert from_global_id(to_global_id("Province", province)) == ("Province", province)
    for type_name in ("Partner", "Partnership"):
        assert parse_typed_id(to_global_id(type_name, number), type_name) == number


@given(st.sampled_from(NODE_TYPES), st.text(max_size=20))
def test_global_ids_with_bad_keys_are_refused(type_name, key):
    global_id = to_global_id(type_name, key)
    try:
        parsed = from_global_id(global_id)
    except UserInputError:
        return
    assert parsed == (type_name, key)
    assert key.isascii() and key.strip() == key


@given(st.integers(min_value=0, max_value=10**8))
def test_cursors_round_trip(offset):
    assert from_cursor(to_cursor(offset)) == offset


@given(district_codes)
def test_district_codes(code):
    assert parse_district_code(code) == code
    assert parse_district_code(code.replace(".", "")) == code  # "5302" is "53.02"
    for bad in (code + "x", " " + code, code + "\n", code.replace(".", "-"), code[:4]):
        with pytest.raises(UserInputError, match=r'"53.02" or "5302"'):
            parse_district_code(bad)
