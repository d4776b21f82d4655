"""Database failures reported with a code and a plain message, never the driver's text.

In every environment (not only production, where other unexpected errors are masked
too), an error caused by the database reaches the client as one of:

* ``DATABASE_TIMEOUT``: the statement ran longer than the database's
  ``statement_timeout`` (``MITRA_STATEMENT_TIMEOUT_MS``) and was cancelled;
* ``DATABASE_UNAVAILABLE``: the connection was lost (the server restarted, or an
  administrator ended the backend). Reads are retried once by the HTTP layer before this
  is reported; writes are not retried, since one may have been saved before the
  connection dropped;
* ``INTERNAL_ERROR``: any other database error.

The driver's message (SQL text, driver name) goes to the log only.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from strawberry.extensions import SchemaExtension

from schema.errors import MitraError

DATABASE_TIMEOUT = "DATABASE_TIMEOUT"
DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
INTERNAL_ERROR = "INTERNAL_ERROR"
QUERY_CANCELED_SQLSTATE = "57014"  # PostgreSQL: statement timeout or cancel request


class DatabaseTimeoutError(MitraError):
    code = DATABASE_TIMEOUT


class DatabaseUnavailableError(MitraError):
    code = DATABASE_UNAVAILABLE


class InternalError(MitraError):
    code = INTERNAL_ERROR


def database_cause(error: BaseException | None) -> SQLAlchemyError | None:
    """The SQLAlchemy error in ``error``'s cause chain, if any."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, SQLAlchemyError):
            return error
        error = error.__cause__ or error.__context__
        seen += 1
    return None


def is_disconnect(error: BaseException | None) -> bool:
    cause = database_cause(error)
    return isinstance(cause, DBAPIError) and bool(cause.connection_invalidated)


def client_error(cause: SQLAlchemyError) -> MitraError:
    if isinstance(cause, DBAPIError):
        if getattr(cause.orig, "sqlstate", None) == QUERY_CANCELED_SQLSTATE:
            return DatabaseTimeoutError(
                "the database stopped this request because it ran longer than its "
                "statement timeout; ask for less (smaller pages, fewer nested lists) or retry"
            )
        if cause.connection_invalidated:
            return DatabaseUnavailableError(
                "the connection to the database was lost while handling this request; "
                "retry (a write may have been saved before the loss: read it back first)"
            )
    return InternalError("internal error: the database refused the request (details logged)")


class DatabaseErrors(SchemaExtension):
    """Replace errors caused by the database with :func:`client_error`'s."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        replaced = []
        for error in result.errors:
            cause = database_cause(error.original_error)
            if cause is None:
                replaced.append(error)
                continue
            mine = client_error(cause)
            replaced.append(
                GraphQLError(
                    mine.message,
                    nodes=error.nodes,
                    path=error.path,
                    extensions=mine.extensions,
                    original_error=mine,
                )
            )
        result.errors = replaced
