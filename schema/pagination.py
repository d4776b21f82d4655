"""Relay connections: ``edges { cursor node }``, ``pageInfo`` and ``totalCount``.

Cursors are opaque offsets. ``first`` defaults to 20 and is capped by
``Settings.max_page_size``; anything outside is a ``BAD_USER_INPUT`` error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from schema.errors import UserInputError
from schema.ids import from_cursor, to_cursor
from service.domain.pagination import Page

DEFAULT_PAGE_SIZE = 20

NodeT = TypeVar("NodeT")
ModelT = TypeVar("ModelT")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Items in the whole list, all pages.")

    @strawberry.field(description="The nodes of this page, without cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


@dataclass(frozen=True)
class Window:
    offset: int
    limit: int


def page_window(first: int | None, after: str | None, *, max_page_size: int) -> Window:
    """Validate ``first``/``after`` and turn them into an offset and a limit."""
    limit = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= limit <= max_page_size:
        raise UserInputError(
            f"first must be between 1 and {max_page_size}", field="first", max=max_page_size
        )
    offset = 0 if after is None else from_cursor(after) + 1
    return Window(offset=offset, limit=limit)


def to_connection(page: Page[ModelT], convert: Callable[[ModelT], NodeT]) -> Connection[NodeT]:
    items: Sequence[ModelT] = page.items
    edges = [
        Edge(cursor=to_cursor(page.offset + i), node=convert(item)) for i, item in enumerate(items)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total,
    )
