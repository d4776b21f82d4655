"""``mitra token create|list|revoke``: functions the CLI parser calls.

Each function opens its own engine and transaction, commits on success, prints to
``out`` and returns a process exit code. The plaintext token is printed once, by
``create``, and is not recoverable afterwards.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TextIO, TypeVar

from service import auth
from service.db.session import make_async_engine, make_async_sessionmaker

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from service.settings import Settings

T = TypeVar("T")


def _in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = make_async_engine(settings.async_database_url)
        try:
            async with make_async_sessionmaker(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _fmt(value: object) -> str:
    return "-" if value is None else str(value)


def create(settings: Settings, *, owner: str, role: str, out: TextIO = sys.stdout) -> int:
    try:
        role_value = auth.Role(role)
        auth.clean_owner(owner)
    except ValueError as exc:
        print(f"mitra token create: {exc}", file=sys.stderr)
        return 2

    async def work(session: AsyncSession) -> tuple[int, str, str]:
        row, plaintext = await auth.create_token(session, owner=owner, role=role_value)
        return row.id, row.prefix, plaintext

    token_id, prefix, plaintext = _in_transaction(settings, work)
    print(
        f"created token {token_id} ({prefix}...) for {owner.strip()} with role {role_value}",
        file=out,
    )
    print("store it now; it is not shown again:", file=out)
    print(plaintext, file=out)
    return 0


def list_(settings: Settings, *, include_revoked: bool = False, out: TextIO = sys.stdout) -> int:
    async def work(session: AsyncSession) -> list[tuple[object, ...]]:
        rows = await auth.list_tokens(session, include_revoked=include_revoked)
        return [
            (r.id, r.prefix, r.owner, r.role, r.created_at, r.last_used_at, r.revoked_at)
            for r in rows
        ]

    rows = _in_transaction(settings, work)
    print("id\tprefix\towner\trole\tcreated_at\tlast_used_at\trevoked_at", file=out)
    for row in rows:
        print("\t".join(_fmt(v) for v in row), file=out)
    return 0


def revoke(
    settings: Settings,
    *,
    token_id: int | None = None,
    prefix: str | None = None,
    out: TextIO = sys.stdout,
) -> int:
    async def work(session: AsyncSession) -> int | None:
        row = await auth.revoke_token(session, token_id=token_id, prefix=prefix)
        return None if row is None else row.id

    try:
        revoked = _in_transaction(settings, work)
    except ValueError as exc:
        print(f"mitra token revoke: {exc}", file=sys.stderr)
        return 2
    if revoked is None:
        print("mitra token revoke: no such live token", file=sys.stderr)
        return 1
    print(f"revoked token {revoked}", file=out)
    return 0
