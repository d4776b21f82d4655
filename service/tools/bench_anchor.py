"""The anchor of the HTTP benchmark: a bare Strawberry app with nothing of Mitra in it.

One query, ``items``, returns 100 in-memory objects of 10 fields each: what Strawberry,
graphql-core, Starlette and uvicorn cost on this machine for a page of the district
page's size, without a database, extensions or permissions. ``python -m
service.tools.bench_http`` serves it (``uvicorn service.tools.bench_anchor:app``) and
reports every Mitra query as a ratio to it.
"""

from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

ANCHOR_QUERY = "{ items { id code name kind value year survey imputed latitude longitude } }"


@strawberry.type
class Item:
    id: strawberry.ID
    code: str
    name: str
    kind: str
    value: float
    year: int
    survey: str
    imputed: bool
    latitude: float
    longitude: float


ITEMS = [
    Item(
        id=strawberry.ID(f"item-{i}"),
        code=f"{i // 10:02d}.{i % 10:02d}",
        name=f"Item {i}",
        kind="KABUPATEN" if i % 3 else "KOTA",
        value=20.0 + i / 10,
        year=2021 + i % 4,
        survey="SSGI 2022",
        imputed=bool(i % 2),
        latitude=-8.0 + i / 100,
        longitude=120.0 + i / 100,
    )
    for i in range(100)
]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return ITEMS


schema = strawberry.Schema(query=Query)
app = GraphQL(schema, graphql_ide=None)
