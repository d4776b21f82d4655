"""What every write shares: result type, role table, limits, audit row, write lock.

Also the lookups more than one write needs (known codes, the partner row) and the
SAVEPOINT insert that turns a unique-index violation into a user error.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from service.auth import Principal
from service.db.models import AuditLog, District, Partner, Partnership
from service.domain import validation as v
from service.domain.validation import UserError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

DESCRIPTION_MAX = 5000
NOTES_MAX = 2000
REASON_MAX = 1000
SHORT_TEXT_MAX = 120
MODEL_VERSION_MAX = 40


@dataclass(slots=True)
class Result(Generic[T]):
    """What a write returns: the object when accepted, else the reasons it was not."""

    value: T | None = None
    user_errors: list[UserError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the write succeeded (no user errors)."""
        return not self.user_errors


def _rejected(errors: list[UserError]) -> Result[Any]:
    return Result(value=None, user_errors=errors)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [
            _jsonable(v) for v in (sorted(value) if isinstance(value, set | frozenset) else value)
        ]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _audit(
    session: AsyncSession,
    actor: Principal,
    *,
    action: str,
    entity_type: str,
    entity_id: object,
    summary: Mapping[str, Any],
) -> None:
    session.add(
        AuditLog(
            at=_utcnow(),
            actor=actor.owner,
            role=actor.role.value,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            summary={k: _jsonable(val) for k, val in summary.items()},
        )
    )


async def _begin_write(session: AsyncSession) -> None:
    """On SQLite, take the write lock before reading what validation needs.

    The sqlite3 driver starts a transaction only at the first INSERT/UPDATE/DELETE,
    so a SAVEPOINT issued before any would open the transaction itself and its
    RELEASE would commit. ``BEGIN IMMEDIATE`` opens a real transaction and
    serialises writers, so validation and write see the same database. A no-op on
    PostgreSQL and when a transaction is already open.
    """
    conn = await session.connection()
    if conn.dialect.name != "sqlite":
        return
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    if driver is not None and not driver.in_transaction:
        await conn.exec_driver_sql("BEGIN IMMEDIATE")


def _violates(exc: IntegrityError, name: str, sqlite_columns: str) -> bool:
    """Whether ``exc`` comes from the named unique index or constraint."""
    diag = getattr(exc.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    if constraint is not None:
        return bool(constraint == name)
    return sqlite_columns in str(exc.orig)


def _dedupe(values: Iterable[str] | None) -> list[str]:
    return sorted(set(values or ()))


async def _existing(session: AsyncSession, column: Any, values: Sequence[str]) -> set[str]:
    if not values:
        return set()
    return set(await session.scalars(select(column).where(column.in_(values))))


async def _district_code_errors(session: AsyncSession, code: object) -> list[UserError]:
    """Errors for ``districtCode``: its shape first, then whether the district exists."""
    shape = v.district_code(code)
    if shape:
        return shape
    known = await _existing(session, District.code, v.canonical_district_codes([str(code)]))
    return v.district_code(code, known=known)


def _clean_optional(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


async def _insert_or_duplicate(
    session: AsyncSession, row: Any, *, constraint: str, sqlite_columns: str
) -> bool:
    """Flush ``row`` inside a SAVEPOINT; False when the named unique constraint refused it."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        if _violates(exc, constraint, sqlite_columns):
            return False
        raise
    return True


async def _load_partner(
    session: AsyncSession, partner_id: object, *, share: bool = False
) -> Partner | None:
    """Load the partner with its lists, row-locked on PostgreSQL (FOR UPDATE, or FOR SHARE).

    Proposals take the shared lock: they do not wait for each other (the unique index
    settles duplicates) but do wait for an archive in progress, and it for them.
    """
    if not isinstance(partner_id, int) or isinstance(partner_id, bool):
        return None
    return await session.scalar(
        select(Partner)
        .where(Partner.id == partner_id)
        .options(
            selectinload(Partner.areas),
            selectinload(Partner.provinces),
            selectinload(Partner.districts),
        )
        .execution_options(populate_existing=True)
        .with_for_update(of=Partner, read=share)
    )


async def _load_partnership(session: AsyncSession, partnership_id: object) -> Partnership | None:
    """Load the partnership, row-locked on PostgreSQL (FOR UPDATE); None if absent."""
    if not isinstance(partnership_id, int) or isinstance(partnership_id, bool):
        return None
    return await session.scalar(
        select(Partnership)
        .where(Partnership.id == partnership_id)
        .execution_options(populate_existing=True)
        .with_for_update()
    )


def _partner_not_found(partner_id: object) -> UserError:
    return v.not_found("partner_id", "partner", partner_id)
