"""Errors the API reports on purpose, each with a machine-readable ``extensions.code``.

Resolvers raise these; graphql-core copies ``extensions`` onto the GraphQL error. In
production every other error is masked (see :func:`should_mask_error`).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

BAD_USER_INPUT = "BAD_USER_INPUT"
INVALID_ID = "INVALID_ID"
INVALID_CURSOR = "INVALID_CURSOR"


class MitraError(Exception):
    """An error whose message is safe to show to the client."""

    code = "MITRA_ERROR"

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extensions: dict[str, Any] = {"code": self.code, **extra}
        if field is not None:
            self.extensions["field"] = field


class UserInputError(MitraError):
    code = BAD_USER_INPUT


class InvalidIdError(UserInputError):
    code = INVALID_ID


class InvalidCursorError(UserInputError):
    code = INVALID_CURSOR


def is_expected(error: GraphQLError) -> bool:
    """Errors about the request itself: ours, or validation errors without a Python cause."""
    return error.original_error is None or isinstance(error.original_error, MitraError)


def should_mask_error(error: GraphQLError) -> bool:
    return not is_expected(error)
