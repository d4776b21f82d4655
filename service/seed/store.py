"""Idempotent bulk writes keyed by natural keys.

``sync_rows`` inserts the rows whose natural key is new and updates the ones whose
content differs, in bulk; rows already equal are left alone, so a second seed run
writes nothing. Nothing is deleted: rows added by users of the service stay.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, inspect, select, update
from sqlalchemy.orm import Session

from service.seed.reference import Row

Key = tuple[Any, ...]


@dataclass
class Written:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0

    def add(self, other: Written) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.deleted += other.deleted


def _existing(
    session: Session, model: type[Any], columns: Sequence[str], where: ColumnElement[bool] | None
) -> list[Row]:
    stmt = select(*(getattr(model, c) for c in columns))
    if where is not None:
        stmt = stmt.where(where)
    return [dict(r._mapping) for r in session.execute(stmt)]


def sync_rows(
    session: Session,
    model: type[Any],
    rows: Sequence[Row],
    *,
    key: Sequence[str],
    where: ColumnElement[bool] | None = None,
) -> tuple[Written, dict[Key, Any]]:
    """Make ``model`` hold ``rows`` (matched on ``key``); return counts and key -> primary key.

    ``where`` limits which existing rows may match (e.g. only real partnerships).
    """
    pk_cols = [c.key for c in inspect(model).primary_key]
    pk_name = pk_cols[0]
    if len(pk_cols) != 1:
        raise TypeError(f"{model.__name__}: sync_rows needs a single-column primary key")
    columns = sorted({c for r in rows for c in r} | set(key) | {pk_name})
    seen: set[Key] = set()
    for r in rows:
        k = tuple(r[c] for c in key)
        if k in seen:
            raise ValueError(f"{model.__tablename__}: duplicate natural key {k}")
        seen.add(k)

    existing = {tuple(e[c] for c in key): e for e in _existing(session, model, columns, where)}
    inserts, updates = [], []
    for r in rows:
        old = existing.get(tuple(r[c] for c in key))
        if old is None:
            inserts.append(r)
        elif any(old[c] != v for c, v in r.items()):
            updates.append({**r, pk_name: old[pk_name]})
    if inserts:
        session.execute(insert(model), inserts)
    if updates:
        session.execute(update(model), updates)

    ids = {
        tuple(e[c] for c in key): e[pk_name]
        for e in _existing(session, model, [*key, pk_name], where)
    }
    return Written(inserted=len(inserts), updated=len(updates)), ids


def sync_links(
    session: Session,
    model: type[Any],
    *,
    owner: str,
    value: str,
    links: Iterable[tuple[Any, Any]],
    owners: Iterable[Any],
) -> Written:
    """Make the (owner, value) association rows of ``owners`` exactly ``links``."""
    wanted = set(links)
    owner_ids = set(owners)
    owner_col, value_col = getattr(model, owner), getattr(model, value)
    have: set[tuple[Any, Any]] = set()
    for batch in _chunks(sorted(owner_ids), 500):
        have.update(
            (o, v)
            for o, v in session.execute(select(owner_col, value_col).where(owner_col.in_(batch)))
        )
    missing = sorted(wanted - have)
    stale = sorted(have - wanted)
    if missing:
        session.execute(insert(model), [{owner: o, value: v} for o, v in missing])
    for o, v in stale:
        session.execute(delete(model).where(owner_col == o, value_col == v))
    return Written(inserted=len(missing), deleted=len(stale))


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
