"""Validators for outside input: each returns a list of :class:`UserError`, never raises.

The rules of a partnership's life (which status may follow which, one open
partnership per pair, no new work for an archived partner) are
:mod:`service.domain.partnership_rules`. They are pure: whatever needs the database
(does this district exist, is there an open partnership already) is looked up by the
caller (``service.domain.writes``) and passed in. ``field`` names are the domain's own
(snake_case, the keywords the domain functions take); the API shows each in its own
words (``schema.errors.graphql_field``) as ``userErrors { field message code }``.
A message that names its field does so as its first word (``"notes must be text"``) and
says so (``UserError.subject``), so that a reader who knows the field by another name
can put that name in its place (:meth:`UserError.worded`).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from service.db.enums import InterventionArea, PartnerKind, PartnerScope, PartnershipStatus

NAME_MIN, NAME_MAX = 2, 200
WEBSITE_MAX = 300
BUDGET_LIMIT = 10**15  # exclusive; 1 quadrillion rupiah is far beyond any programme budget
COMMITMENT_MIN, COMMITMENT_MAX = 1, 120
BENEFICIARIES_LIMIT = 2**31  # exclusive; the column is a 32-bit integer
MAX_CODES = 600  # there are 514 districts and 38 provinces
PROVINCE_CODE = re.compile(r"[0-9]{2}\Z")
# A Kemendagri district code: "53.02" as published, or "5302" without the dot (the
# reference data's district_code_numeric). BPS 2020 codes differ for 199 of
# the 514 districts (BPS 5302 is Sumba Timur), so they are not accepted as codes.
DISTRICT_CODE = re.compile(r"([0-9]{2})\.?([0-9]{2})\Z")
PROVINCE_CODE_FORM = 'a two-digit Kemendagri province code such as "53"'
DISTRICT_CODE_FORMS = 'a Kemendagri district code such as "53.02" or "5302"'


class ErrorCode(enum.StrEnum):
    """Machine-readable codes of validation errors (``userErrors.code``)."""

    REQUIRED = "REQUIRED"
    INVALID_TYPE = "INVALID_TYPE"
    TOO_SHORT = "TOO_SHORT"
    TOO_LONG = "TOO_LONG"
    INVALID_CHARACTERS = "INVALID_CHARACTERS"
    INVALID_CHOICE = "INVALID_CHOICE"
    INVALID_FORMAT = "INVALID_FORMAT"
    NOT_FOUND = "NOT_FOUND"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    INVALID_DATE_ORDER = "INVALID_DATE_ORDER"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    READ_ONLY = "READ_ONLY"
    DUPLICATE = "DUPLICATE"
    ARCHIVED = "ARCHIVED"


# A domain field name: snake_case, never the API's camelCase.
FIELD_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*\Z")


@dataclass(frozen=True, slots=True)
class UserError:
    """One problem with one input field, named as the domain names it (snake_case).

    Raises ``ValueError`` for a field name that is not snake_case: the domain does not
    speak the API's camelCase.
    """

    field: str
    message: str
    code: str
    subject: bool = False  # the message's first word is the field's name

    def __post_init__(self) -> None:
        """Check the field's name and, for a message about the field, that it leads."""
        if not FIELD_NAME.match(self.field):
            raise ValueError(f"a domain error names its field in snake_case, not {self.field!r}")
        if self.subject and not self.message.startswith(f"{self.field} "):
            raise ValueError(f"the message does not begin with its field: {self.message!r}")

    def worded(self, field_name: str) -> str:
        """Return the message with the field named ``field_name`` where it names the field."""
        if not self.subject:
            return self.message
        return field_name + self.message.removeprefix(self.field)


Errors = list[UserError]


class Verdict(enum.StrEnum):
    """A planner's verdict on a recommendation."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"


# Control characters, lone surrogates and line/paragraph separators: never in a name.
_BAD_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def not_found(field: str, what: str, ref: object) -> UserError:
    """``NOT_FOUND`` for the ``what`` (partner, partnership, ...) the caller named ``ref``."""
    return UserError(
        field=field, message=f"there is no {what} {ref}", code=ErrorCode.NOT_FOUND.value
    )


def _err(field: str, code: ErrorCode, message: str) -> Errors:
    return [UserError(field=field, message=message, code=code.value)]


def _err_on(field: str, code: ErrorCode, predicate: str) -> Errors:
    """Return an error whose message is ``predicate`` said of the field (named first)."""
    return [UserError(field=field, message=f"{field} {predicate}", code=code.value, subject=True)]


def _has_bad_chars(value: str, *, allow_newlines: bool = False) -> bool:
    for ch in value:
        if allow_newlines and ch in "\n\t":
            continue
        if unicodedata.category(ch) in _BAD_CATEGORIES:
            return True
    return False


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def clean_text(value: str) -> str:
    """How names and short texts are stored: surrounding whitespace removed."""
    return value.strip()


def partner_name(value: object, *, field: str = "name") -> Errors:
    """Check a partner name: required, trimmed, of bounded length, no control characters."""
    if value is None:
        return _err(field, ErrorCode.REQUIRED, "a name is required")
    if not isinstance(value, str):
        return _err(field, ErrorCode.INVALID_TYPE, "the name must be text")
    if _has_bad_chars(value):
        return _err(
            field, ErrorCode.INVALID_CHARACTERS, "the name must not contain control characters"
        )
    name = clean_text(value)
    if len(name) < NAME_MIN:
        return _err(field, ErrorCode.TOO_SHORT, f"the name needs at least {NAME_MIN} characters")
    if len(name) > NAME_MAX:
        return _err(field, ErrorCode.TOO_LONG, f"the name may have at most {NAME_MAX} characters")
    return []


def free_text(value: object, *, field: str, max_length: int, required: bool = False) -> Errors:
    """Check optional prose (description, notes, reason).

    Newlines and tabs are allowed, no other control characters.
    """
    if value is None:
        return _err_on(field, ErrorCode.REQUIRED, "is required") if required else []
    if not isinstance(value, str):
        return _err_on(field, ErrorCode.INVALID_TYPE, "must be text")
    if _has_bad_chars(value, allow_newlines=True):
        return _err_on(field, ErrorCode.INVALID_CHARACTERS, "must not contain control characters")
    if len(value.strip()) > max_length:
        return _err_on(field, ErrorCode.TOO_LONG, f"may have at most {max_length} characters")
    if required and not value.strip():
        return _err_on(field, ErrorCode.REQUIRED, "is required")
    return []


def choice(value: object, options: type[enum.StrEnum], *, field: str) -> Errors:
    """One value of a string enum (the stored value, e.g. ``"ngo"``)."""
    allowed = [member.value for member in options]
    if value is None:
        return _err_on(field, ErrorCode.REQUIRED, "is required")
    if not isinstance(value, str) or value not in allowed:
        shown = value if isinstance(value, str) and len(value) <= 40 else "this value"
        return _err(
            field, ErrorCode.INVALID_CHOICE, f"{shown!r} is not one of: {', '.join(allowed)}"
        )
    return []


def partner_kind(value: object, *, field: str = "kind") -> Errors:
    """Check a partner kind."""
    return choice(value, PartnerKind, field=field)


def partner_scope(value: object, *, field: str = "scope") -> Errors:
    """Check a partner scope."""
    return choice(value, PartnerScope, field=field)


def partnership_status(value: object, *, field: str = "status") -> Errors:
    """Check a partnership status."""
    return choice(value, PartnershipStatus, field=field)


def verdict(value: object, *, field: str = "verdict") -> Errors:
    """Check a verdict on a recommendation."""
    return choice(value, Verdict, field=field)


def intervention_areas(values: object, *, field: str = "areas") -> Errors:
    """Check a list of intervention areas; empty is allowed, unknown values are not."""
    if values is None:
        return []
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        return _err(field, ErrorCode.INVALID_TYPE, "areas must be a list")
    items = list(values)
    if len(items) > 10 * len(InterventionArea):
        return _err(field, ErrorCode.TOO_LONG, "too many areas")
    for item in items:
        errors = choice(item, InterventionArea, field=field)
        if errors:
            return errors
    return []


def canonical_district_code(value: str) -> str | None:
    """Return the stored form ``"NN.NN"`` of a district code given as ``"NN.NN"``/``"NNNN"``.

    ``None`` when ``value`` is neither. ASCII digits only; no surrounding spaces.
    """
    match = DISTRICT_CODE.match(value)
    return None if match is None else f"{match[1]}.{match[2]}"


def canonical_district_codes(values: Iterable[str]) -> list[str]:
    """Sorted distinct stored forms of valid district codes (invalid ones are dropped)."""
    return sorted({c for c in map(canonical_district_code, values) if c is not None})


def province_code(
    value: object, *, field: str = "province_code", known: Collection[str] | None = None
) -> Errors:
    """Check a Kemendagri province code, ``"NN"``; with ``known``, one that exists."""
    if value is None:
        return _err(field, ErrorCode.REQUIRED, "a province code is required")
    if not isinstance(value, str) or not PROVINCE_CODE.match(value):
        return _err_on(field, ErrorCode.INVALID_FORMAT, f"must be {PROVINCE_CODE_FORM}")
    if known is not None and value not in known:
        return _err(field, ErrorCode.NOT_FOUND, f"there is no province {value}")
    return []


def district_code(
    value: object, *, field: str = "district_code", known: Collection[str] | None = None
) -> Errors:
    """Check a district code (:func:`canonical_district_code`).

    With ``known`` (stored forms), the code must exist. Messages name the code as the
    client wrote it.
    """
    if value is None:
        return _err(field, ErrorCode.REQUIRED, "a district code is required")
    canonical = canonical_district_code(value) if isinstance(value, str) else None
    if canonical is None:
        return _err_on(field, ErrorCode.INVALID_FORMAT, f"must be {DISTRICT_CODE_FORMS}")
    if known is not None and canonical not in known:
        return _err(field, ErrorCode.NOT_FOUND, f"there is no district {value}")
    return []


def code_list(
    values: object, *, field: str, kind: str, known: Collection[str] | None = None
) -> Errors:
    """Check a list of province (``kind="province"``) or district codes."""
    if values is None:
        return []
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        return _err_on(field, ErrorCode.INVALID_TYPE, "must be a list")
    items = list(values)
    if len(items) > MAX_CODES:
        return _err_on(field, ErrorCode.TOO_LONG, f"may list at most {MAX_CODES} codes")
    check = province_code if kind == "province" else district_code
    for item in items:
        errors = check(item, field=field, known=known)
        if errors:
            return errors
    return []


def website(value: object, *, field: str = "website") -> Errors:
    """Check an optional absolute http(s) URL with a host."""
    if value is None:
        return []
    if not isinstance(value, str):
        return _err(field, ErrorCode.INVALID_TYPE, "the website must be text")
    url = value.strip()
    if len(url) > WEBSITE_MAX:
        return _err(
            field, ErrorCode.TOO_LONG, f"the website may have at most {WEBSITE_MAX} characters"
        )
    if any(ch.isspace() for ch in url) or _has_bad_chars(url):
        return _err(
            field,
            ErrorCode.INVALID_FORMAT,
            "the website must not contain spaces or control characters",
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (raises ValueError for a malformed port)
    except ValueError:
        return _err(field, ErrorCode.INVALID_FORMAT, "the website is not a valid URL")
    if parts.scheme.lower() not in {"http", "https"} or not host:
        return _err(
            field, ErrorCode.INVALID_FORMAT, "the website must be an http:// or https:// address"
        )
    return []


def _bounded_int(
    value: object, *, field: str, low: int, high_exclusive: int, what: str, required: bool
) -> Errors:
    if value is None:
        return _err(field, ErrorCode.REQUIRED, f"{what} is required") if required else []
    if not _is_int(value):
        return _err(field, ErrorCode.INVALID_TYPE, f"{what} must be a whole number")
    assert isinstance(value, int)
    if not low <= value < high_exclusive:
        return _err(
            field, ErrorCode.OUT_OF_RANGE, f"{what} must be from {low} to {high_exclusive - 1}"
        )
    return []


def budget_idr(value: object, *, field: str = "budget_idr", required: bool = False) -> Errors:
    """Rupiah: a non-negative whole number below 10^15."""
    return _bounded_int(
        value, field=field, low=0, high_exclusive=BUDGET_LIMIT, what="the budget", required=required
    )


def commitment_months(
    value: object, *, field: str = "duration_months", required: bool = False
) -> Errors:
    """Check a commitment length in months, 1 to 120."""
    return _bounded_int(
        value,
        field=field,
        low=COMMITMENT_MIN,
        high_exclusive=COMMITMENT_MAX + 1,
        what="the number of months",
        required=required,
    )


def beneficiaries(value: object, *, field: str = "target_beneficiaries") -> Errors:
    """Check a number of target beneficiaries."""
    return _bounded_int(
        value,
        field=field,
        low=0,
        high_exclusive=BENEFICIARIES_LIMIT,
        what="the number of beneficiaries",
        required=False,
    )


def _is_plain_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def date_value(value: object, *, field: str) -> Errors:
    """Check an optional calendar date (a date, not a datetime)."""
    if value is None:
        return []
    if not _is_plain_date(value):
        return _err_on(field, ErrorCode.INVALID_TYPE, "must be a date")
    return []


def date_order(start: object, end: object, *, field: str = "end_date") -> Errors:
    """End on or after start; either may be missing. The error names the end date."""
    if not _is_plain_date(start) or not _is_plain_date(end):
        return []  # missing, or not a date: date_value reports that
    assert isinstance(start, dt.date) and isinstance(end, dt.date)
    if end < start:
        return _err(
            field,
            ErrorCode.INVALID_DATE_ORDER,
            f"the end date {end.isoformat()} is before the start date {start.isoformat()}",
        )
    return []
