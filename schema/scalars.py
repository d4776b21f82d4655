"""Custom scalars, registered on the schema through ``StrawberryConfig.scalar_map``.

GraphQL ``Int`` is 32-bit; rupiah amounts and populations need more.
"""

from __future__ import annotations

from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

BigInt = NewType("BigInt", int)


def _parse_big_int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("BigInt cannot be a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        digits = value.removeprefix("-")
        if digits.isascii() and digits.isdigit() and len(digits) <= 30:
            return int(value)
    raise ValueError(f"BigInt cannot represent {value!r}")


SCALAR_MAP: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        description=(
            "A whole number beyond the 32-bit range of Int, such as an amount in rupiah. "
            "Serialised as a JSON number; accepted as a number or a string of digits."
        ),
        serialize=int,
        parse_value=_parse_big_int,
    ),
}


def big_int(value: int | None) -> BigInt | None:
    """Mark a database integer as a BigInt for the type checker."""
    return None if value is None else BigInt(value)
