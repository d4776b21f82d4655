"""Reference data for the resolvers: the service's snapshot per data version, or a
fresh load before execution when the context came without one (tests, scripts)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from strawberry.extensions import SchemaExtension

from service.domain.reference import ReferenceData, load_reference

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class ReferenceCache:
    """Holds the :class:`ReferenceData` of one data version; loads it again when the
    version moves. Its rows are detached and read-only."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory
        self._version: int | None = None
        self._data: ReferenceData | None = None
        self._lock = asyncio.Lock()

    async def get(self, version: int) -> ReferenceData:
        if self._data is not None and self._version == version:
            return self._data
        async with self._lock:
            if self._data is None or self._version != version:
                async with self.session_factory() as session:
                    self._data = await load_reference(session)
                self._version = version
            return self._data


class LoadReference(SchemaExtension):
    """Load the reference data into a context that has none, before any resolver runs.

    A failure is left to the resolvers that need the data (their error is masked in
    production like any other); operations that do not need it still run.
    """

    async def on_execute(self) -> AsyncIterator[None]:
        refused = self.execution_context.result is not None
        context = self.execution_context.context
        if not refused and getattr(context, "reference_data", False) is None:
            try:
                async with context.session_factory() as session:
                    context.reference_data = await load_reference(session)
            except Exception as exc:
                context.reference_error = exc
        yield
