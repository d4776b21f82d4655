"""The audit log: who changed what, and when, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import AuditLog
from service.domain.pagination import Page, fetch_page


@dataclass(frozen=True)
class AuditFilter:
    """Filters of the audit log; ``None`` leaves a field unfiltered."""

    actor: str | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None


async def list_audit_entries(
    session: AsyncSession,
    *,
    filter: AuditFilter | None = None,
    offset: int = 0,
    limit: int = 20,
) -> Page[AuditLog]:
    """Entries matching every given condition, newest first (ties by id, newest first)."""
    flt = filter or AuditFilter()
    stmt = select(AuditLog)
    if flt.actor is not None:
        stmt = stmt.where(AuditLog.actor == flt.actor)
    if flt.action is not None:
        stmt = stmt.where(AuditLog.action == flt.action)
    if flt.entity_type is not None:
        stmt = stmt.where(AuditLog.entity_type == flt.entity_type)
    if flt.entity_id is not None:
        stmt = stmt.where(AuditLog.entity_id == flt.entity_id)
    stmt = stmt.order_by(AuditLog.at.desc(), AuditLog.id.desc())
    return await fetch_page(session, stmt, offset=offset, limit=limit)
