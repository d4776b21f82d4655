"""Database failures other than a lost database, reported with a code and a plain message.

:mod:`schema.availability` turns a lost or unreachable database into
``DATABASE_UNAVAILABLE`` (HTTP 503). What is left, in every environment (not only in
production, where other unexpected errors are masked too), reaches the client as:

* ``DATABASE_TIMEOUT``: the statement ran longer than ``MITRA_STATEMENT_TIMEOUT_MS``
  and was stopped (PostgreSQL's ``statement_timeout``, SQLite's progress handler:
  :mod:`service.db.timeouts`);
* ``INTERNAL_ERROR``: any other database error.

The driver's message (SQL text, driver name) goes to the log only.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from strawberry.extensions import SchemaExtension

from schema.errors import MitraError
from service.db.timeouts import is_timeout_error

DATABASE_TIMEOUT = "DATABASE_TIMEOUT"
INTERNAL_ERROR = "INTERNAL_ERROR"


class DatabaseTimeoutError(MitraError):
    code = DATABASE_TIMEOUT


class InternalError(MitraError):
    code = INTERNAL_ERROR


def database_cause(error: BaseException | None) -> SQLAlchemyError | None:
    """The SQLAlchemy error in ``error``'s cause chain, if any."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, SQLAlchemyError):
            return error
        error = error.__cause__ or error.__context__
    return None


def is_statement_timeout(error: BaseException | None) -> bool:
    cause = database_cause(error)
    return isinstance(cause, DBAPIError) and is_timeout_error(cause.orig)


def client_error(cause: SQLAlchemyError) -> MitraError:
    if is_statement_timeout(cause):
        return DatabaseTimeoutError(
            "the database stopped this request because it ran longer than its "
            "statement timeout; ask for less (smaller pages, fewer nested lists) or retry"
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
            # A client's error stays one even when it was raised while a database error
            # was being handled (its __context__), e.g. a bad code with no tables.
            mitra = isinstance(error.original_error, MitraError)
            cause = None if mitra else database_cause(error.original_error)
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
