"""Who may do what: bearer-token authentication and the role checks of the API.

``principal_from_authorization`` turns an ``Authorization`` header into the
:class:`~service.auth.Principal` put on the context (in a short session of its own,
committed, because it refreshes ``last_used_at``). The permission classes
:class:`IsViewer`, :class:`IsPlanner` and :class:`IsAdmin` guard fields; their
``has_permission`` raises the error itself so the client learns *why*:
``UNAUTHENTICATED`` (no token, or an unknown or revoked one) or ``FORBIDDEN`` (a valid
token whose role is too low). :class:`ReadAccess` refuses whole operations when reads
need a token (``MITRA_READS_REQUIRE_TOKEN``) or when a rejected token was sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission

from schema.errors import UnauthenticatedError, from_auth_error, refusal
from service.auth import AuthError, Principal, Role, authenticate, parse_bearer, require
from service.domain.actions import REQUIRED_ROLE, Action

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
    from strawberry.types import Info

    from schema.context import Context

MISSING_TOKEN = "a valid bearer token is required: send 'Authorization: Bearer <token>'"
REJECTED_TOKEN = "the bearer token is unknown or revoked"


async def principal_from_authorization(
    session_factory: async_sessionmaker[AsyncSession], header: str | None
) -> tuple[Principal | None, bool]:
    """The principal for an ``Authorization`` header, and whether a sent token was refused.

    No header (or not a Bearer one) gives ``(None, False)``; a token that is unknown or
    revoked gives ``(None, True)``.
    """
    token = parse_bearer(header)
    if token is None:
        return None, False
    async with session_factory() as session, session.begin():
        principal = await authenticate(session, token)
    return principal, principal is None


def check_role(context: Context, role: Role) -> Principal:
    """The context's principal when it holds ``role``; else raise the API's access error."""
    if context.token_rejected:
        raise UnauthenticatedError(REJECTED_TOKEN)
    if context.principal is None:
        raise UnauthenticatedError(MISSING_TOKEN)
    try:
        return require(context.principal, role)
    except AuthError as exc:
        raise from_auth_error(exc) from None


class RoleRequired(BasePermission):
    """Base of the role permissions: subclasses set ``role``."""

    role: ClassVar[Role]

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        check_role(info.context, self.role)  # raises UNAUTHENTICATED or FORBIDDEN
        return True


class IsViewer(RoleRequired):
    """Any valid token (reads)."""

    role = Role.VIEWER


class IsPlanner(RoleRequired):
    """Planner or admin (the writes of the planning workflow)."""

    role = Role.PLANNER


class IsAdmin(RoleRequired):
    """Admin only (the audit log, model administration)."""

    role = Role.ADMIN


PERMISSION_FOR_ROLE: dict[Role, type[RoleRequired]] = {
    Role.VIEWER: IsViewer,
    Role.PLANNER: IsPlanner,
    Role.ADMIN: IsAdmin,
}


def permission_for(action: Action) -> list[type[BasePermission]]:
    """The permission classes of the field that performs ``action`` (the domain's role table)."""
    return [PERMISSION_FOR_ROLE[REQUIRED_ROLE[action]]]


class ReadAccess(SchemaExtension):
    """Refuse an operation before it runs when it must carry a valid token and does not.

    That is every operation when reads require a token, and any operation that sent a
    token the server refused (a client with a stale token should hear so, not be
    served as anonymous).
    """

    def __init__(self, *, reads_require_token: bool) -> None:
        self.reads_require_token = reads_require_token

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        principal = getattr(context, "principal", None)
        rejected = bool(getattr(context, "token_rejected", False))
        if rejected or (self.reads_require_token and principal is None):
            error = UnauthenticatedError(REJECTED_TOKEN if rejected else MISSING_TOKEN)
            self.execution_context.result = refusal(error)
        yield


__all__ = [
    "PERMISSION_FOR_ROLE",
    "IsAdmin",
    "IsPlanner",
    "IsViewer",
    "ReadAccess",
    "check_role",
    "permission_for",
    "principal_from_authorization",
]
