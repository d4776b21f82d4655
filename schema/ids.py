"""Parsers for identifiers that come from clients: global ids, cursors, region codes.

Each parser either returns a clean value or raises a :class:`UserInputError` subclass;
hypothesis tests feed them arbitrary text.
"""

from __future__ import annotations

import base64
import binascii
import re
from functools import lru_cache

from schema.errors import InvalidCursorError, InvalidIdError, UserInputError
from service.domain.validation import (
    DISTRICT_CODE_FORMS,
    PROVINCE_CODE_FORM,
    canonical_district_code,
)

_PROVINCE_CODE = re.compile(r"[0-9]{2}")
_DISTRICT_CODE = re.compile(r"[0-9]{2}\.[0-9]{2}")
_CURSOR_PREFIX = "offset:"
NODE_TYPES = ("Province", "District", "Partner", "Partnership")


def _b64encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")


def _b64decode(value: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(value.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None


# Ids and cursors are built for every object of every page: remember the recent ones
# (province and district codes, partner ids, page offsets) instead of encoding them again.
@lru_cache(maxsize=32_768)
def to_global_id(type_name: str, key: object) -> str:
    return _b64encode(f"{type_name}:{key}")


def from_global_id(global_id: str) -> tuple[str, str]:
    """Split a global id into its type name and key, checking the key's format."""
    decoded = _b64decode(global_id)
    if decoded is None or ":" not in decoded or _b64encode(decoded) != global_id:
        raise InvalidIdError(f"not a valid id: {global_id!r}", field="id")
    type_name, key = decoded.split(":", 1)
    if type_name not in NODE_TYPES:
        raise InvalidIdError(f"not a valid id: {global_id!r}", field="id")
    if type_name == "Province" and not _PROVINCE_CODE.fullmatch(key):
        raise InvalidIdError(f"not a valid id: {global_id!r}", field="id")
    if type_name == "District" and not _DISTRICT_CODE.fullmatch(key):
        raise InvalidIdError(f"not a valid id: {global_id!r}", field="id")
    if type_name in ("Partner", "Partnership") and not _is_database_id(key):
        raise InvalidIdError(f"not a valid id: {global_id!r}", field="id")
    return type_name, key


def _is_database_id(key: str) -> bool:
    return key.isascii() and key.isdigit() and len(key) <= 18 and int(key) > 0


def parse_typed_id(global_id: str, expected_type: str, *, field: str = "id") -> int:
    """The database id in a global id of ``expected_type`` (Partner or Partnership)."""
    type_name, key = from_global_id(global_id)
    if type_name != expected_type:
        raise InvalidIdError(f"{field} must be the id of a {expected_type}", field=field)
    return int(key)


def parse_province_code(code: str, *, field: str = "code") -> str:
    if not _PROVINCE_CODE.fullmatch(code):
        raise UserInputError(f"{field} must be {PROVINCE_CODE_FORM}", field=field)
    return code


def parse_district_code(code: str, *, field: str = "code") -> str:
    """The stored form ``"NN.NN"`` of a district code sent as ``"NN.NN"`` or ``"NNNN"``."""
    canonical = canonical_district_code(code)
    if canonical is None:
        raise UserInputError(f"{field} must be {DISTRICT_CODE_FORMS}", field=field)
    return canonical


@lru_cache(maxsize=4096)
def to_cursor(offset: int) -> str:
    return _b64encode(f"{_CURSOR_PREFIX}{offset}")


def from_cursor(cursor: str) -> int:
    """The offset of the item a cursor points at."""
    decoded = _b64decode(cursor)
    if decoded is None or not decoded.startswith(_CURSOR_PREFIX):
        raise InvalidCursorError(f"not a valid cursor: {cursor!r}", field="after")
    digits = decoded.removeprefix(_CURSOR_PREFIX)
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 9:
        raise InvalidCursorError(f"not a valid cursor: {cursor!r}", field="after")
    return int(digits)
