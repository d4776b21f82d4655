"""Errors the API reports on purpose, each with a machine-readable ``extensions.code``.

Resolvers raise these; graphql-core copies ``extensions`` onto the GraphQL error. In
production every other error is masked (see :func:`should_mask_error`).
"""

from __future__ import annotations

from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.utils.str_converters import to_camel_case

from service.auth import AuthError

BAD_USER_INPUT = "BAD_USER_INPUT"
INVALID_ID = "INVALID_ID"
INVALID_CURSOR = "INVALID_CURSOR"
NOT_FOUND = "NOT_FOUND"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
DEMO_UNAVAILABLE = "DEMO_UNAVAILABLE"


# The domain's field names (snake_case) that the API spells otherwise, as Python names.
API_NAMES = {"areas": "intervention_areas"}


def graphql_field(domain_field: str) -> str:
    """Return the GraphQL name of a field the domain names ``domain_field`` (snake_case).

    The one translation of the domain's field names into the API's: errors from the
    domain (``userErrors.field``) and the partner inputs' keywords both go through it.
    """
    return to_camel_case(API_NAMES.get(domain_field, domain_field))


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


class NotFoundError(UserInputError):
    """Well-formed input naming something that does not exist (e.g. district 99.99)."""

    code = NOT_FOUND


class DemoUnavailableError(UserInputError):
    """``world: DEMO`` asked of a database that holds no generated (synthetic) data."""

    code = DEMO_UNAVAILABLE


class UnauthenticatedError(MitraError):
    """No token, or one that is unknown or revoked."""

    code = UNAUTHENTICATED


class ForbiddenError(MitraError):
    """A valid token whose role is too low for what was asked."""

    code = FORBIDDEN


def from_auth_error(exc: AuthError) -> MitraError:
    """The API error for a :class:`service.auth.AuthError` raised by the domain."""
    if exc.code == FORBIDDEN:
        return ForbiddenError(exc.message)
    return UnauthenticatedError(exc.message)


def refusal(error: MitraError) -> ExecutionResult:
    """The result of an operation refused before it runs: no data, ``error`` alone."""
    return ExecutionResult(
        data=None,
        errors=[GraphQLError(error.message, extensions=error.extensions, original_error=error)],
    )


def is_expected(error: GraphQLError) -> bool:
    """Errors about the request itself, whose message is safe to show.

    Ours and access refusals; validation errors (no Python cause); and bad input
    values found before execution (no ``path``): graphql-core and Strawberry report a
    variable or literal their scalar parsers refuse with a GraphQLError or a
    ValueError/TypeError as the cause. Anything else raised while resolving is not.
    """
    original = error.original_error
    if original is None or isinstance(original, MitraError | AuthError | GraphQLError):
        return True
    return error.path is None and isinstance(original, ValueError | TypeError)


def should_mask_error(error: GraphQLError) -> bool:
    return not is_expected(error)
