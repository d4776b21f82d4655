"""How the GraphQL layer ends a write's transaction: the one commit/rollback decision.

Domain writes never commit (``service/domain/writes/__init__.py``); the resolver that
opened the session does, through :func:`settle`, so an accepted write is committed once
and a refused one leaves nothing behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from service.domain.writes import Result


def settle(session: Session, result: Result[Any]) -> None:
    """Commit ``session`` when ``result`` was accepted, else roll it back.

    Async callers run it as ``await session.run_sync(settle, result)``.
    """
    if result.ok:
        session.commit()
    else:
        session.rollback()
