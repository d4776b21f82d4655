"""AuditEntry: one accepted change, naming who made it, what it did to which object, when."""

from __future__ import annotations

import datetime as dt
from typing import cast

import strawberry
from strawberry.scalars import JSON

from schema.context import Info
from schema.ids import NODE_TYPES, to_global_id
from schema.pagination import Connection, page_window, to_connection
from schema.permissions import permission_for
from service.db import models
from service.domain import audit
from service.domain.actions import Action
from service.domain.audit import AuditFilter as DomainAuditFilter


@strawberry.type(description="One accepted change, written in the same transaction as the change.")
class AuditEntry:
    database_id: int
    at: dt.datetime
    actor: str = strawberry.field(description="The owner of the token that made the change.")
    role: str = strawberry.field(description="The token's role at the time.")
    action: str = strawberry.field(description='The mutation, e.g. "createPartner".')
    entity_type: str = strawberry.field(description='"Partner", "Partnership", ...')
    entity_id: str = strawberry.field(description="The changed object's database id.")
    entity_global_id: strawberry.ID | None = strawberry.field(
        description="The changed object's global id, for node(id:); null for non-node objects."
    )
    summary: JSON = strawberry.field(description="What changed (field: {from, to}) or was set.")

    @classmethod
    def from_model(cls, row: models.AuditLog) -> AuditEntry:
        global_id = (
            strawberry.ID(to_global_id(row.entity_type, row.entity_id))
            if row.entity_type in NODE_TYPES
            else None
        )
        at = row.at if row.at.tzinfo is not None else row.at.replace(tzinfo=dt.UTC)
        return cls(
            database_id=row.id,
            at=at,
            actor=row.actor,
            role=row.role,
            action=row.action,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            entity_global_id=global_id,
            summary=cast(JSON, row.summary or {}),
        )


@strawberry.input(description="All given conditions must hold; exact matches.")
class AuditLogFilter:
    actor: str | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: str | None = strawberry.field(
        default=None, description="A database id; with entityType it names one object."
    )

    def to_domain(self) -> DomainAuditFilter:
        return DomainAuditFilter(
            actor=self.actor,
            action=self.action,
            entity_type=self.entity_type,
            entity_id=self.entity_id,
        )


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="Accepted changes, newest first: who, what, which object, when. Admin only.",
        permission_classes=permission_for(Action.READ_AUDIT_LOG),
    )
    async def audit_log(
        self,
        info: Info,
        filter: AuditLogFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AuditEntry]:
        window = page_window(first, after, max_page_size=info.context.settings.max_page_size)
        flt = filter.to_domain() if filter else None
        async with info.context.session_factory() as session:
            page = await audit.list_audit_entries(
                session, filter=flt, offset=window.offset, limit=window.limit
            )
        return to_connection(page, AuditEntry.from_model)
