"""Custom scalars. GraphQL ``Int`` is 32-bit; rupiah amounts need more."""

from __future__ import annotations

from typing import TYPE_CHECKING, NewType

import strawberry


def _parse_big_int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("BigInt cannot be a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isascii() and value.lstrip("-").isdigit():
        return int(value)
    raise ValueError(f"BigInt cannot represent {value!r}")


if TYPE_CHECKING:
    BigInt = int
else:
    BigInt = strawberry.scalar(
        NewType("BigInt", int),
        description=(
            "A whole number beyond the 32-bit range of Int, such as an amount in rupiah. "
            "Serialised as a JSON number; accepted as a number or a string of digits."
        ),
        serialize=int,
        parse_value=_parse_big_int,
    )
