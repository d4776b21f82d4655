"""A database that cannot be reached is ``DATABASE_UNAVAILABLE`` with HTTP 503, never driver text.

Resolvers let database errors propagate; :class:`DatabaseAvailability` replaces every
error caused by a lost database with one the client can act on (retry later) and sets
the HTTP status to 503, so load balancers and clients see an outage, not a bug. The
driver's message goes to the server log only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from sqlalchemy import exc as sa_exc
from strawberry.extensions import SchemaExtension

from service.db.timeouts import is_timeout_error

DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
MESSAGE = "the database is unavailable; try again shortly"

log = logging.getLogger("mitra.graphql")


def is_database_unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) means the database cannot be used right now.

    SQLAlchemy's ``OperationalError`` covers refused or dropped connections, a terminated
    backend, a missing SQLite file, a locked database; ``InterfaceError`` a connection
    that is already closed; a ``DBAPIError`` that invalidated its connection is a
    disconnect too. ``OSError`` covers sockets that fail before the driver wraps them.
    SQLite reports a missing table as an ``OperationalError`` too: that is a database
    that was never migrated, a deployment mistake rather than an outage, so it is not.
    """
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, sa_exc.OperationalError) and str(error.orig).startswith("no such"):
            return False
        # A statement stopped by its timeout (service/db/timeouts.py) is a query that
        # asked too much of a database that is up.
        if is_timeout_error(getattr(error, "orig", None)):
            return False
        if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError | OSError):
            return True
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        error = error.__cause__ or error.__context__
    return False


def unavailable_error(path: Any = None) -> GraphQLError:
    return GraphQLError(MESSAGE, path=path, extensions={"code": DATABASE_UNAVAILABLE})


class DatabaseAvailability(SchemaExtension):
    """Turn database outages in a result into ``DATABASE_UNAVAILABLE`` and HTTP 503."""

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        lost = [e for e in result.errors if is_database_unavailable(e.original_error)]
        if not lost:
            return
        log.warning("database unavailable: %s", lost[0].original_error)
        result.errors = [unavailable_error(e.path) if e in lost else e for e in result.errors]
        response = getattr(self.execution_context.context, "response", None)
        if response is not None:
            response.status_code = 503
