"""Work done once per distinct query text instead of once per request.

A planner's console sends the same few query texts over and over. Parsing, validating,
estimating the cost of and checking the literals of a document depend only on its text
(and on the schema and limits), so :class:`DocumentCache` keeps the parsed document
and its validation errors per text, and :class:`Memo` is the bounded store that the
cost estimate and the literal check use for theirs. Keys are query texts, never
documents: hashing a graphql-core document walks all of it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from graphql import ASTValidationRule, DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

V = TypeVar("V")

# Distinct query texts remembered; more are computed as before and evict the oldest.
DEFAULT_SIZE = 256


class Memo(Generic[V]):
    """A bounded least-recently-used mapping with ``get_or_compute``."""

    def __init__(self, maxsize: int = DEFAULT_SIZE) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, V] = OrderedDict()

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        try:
            value = self._items[key]
        except KeyError:
            value = compute()
            self._items[key] = value
            if len(self._items) > self.maxsize:
                self._items.popitem(last=False)
            return value
        self._items.move_to_end(key)
        return value

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class _Entry:
    document: DocumentNode
    rules: tuple[type[ASTValidationRule], ...] | None = None
    errors: list[GraphQLError] | None = None


class DocumentCache(SchemaExtension):
    """Parse and validate each query text once per schema.

    Stands in for Strawberry's ParserCache and ValidationCache, whose validation cache
    is keyed by the document and so hashes the whole tree on every request. Parse
    errors are not kept (the next request raises them again).
    """

    def __init__(self, memo: Memo[_Entry]) -> None:
        self.memo = memo
        self._entry: _Entry | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            options = context.parse_options
            key = (context.query, tuple(sorted(options.items())))
            self._entry = self.memo.get_or_compute(
                key, lambda: _Entry(parse(context.query or "", **options))
            )
            context.graphql_document = self._entry.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        entry = self._entry
        if entry is not None and context.graphql_document is entry.document:
            rules = context.validation_rules
            if entry.errors is None or entry.rules != rules:
                entry.errors = validate_document(context.schema._schema, entry.document, rules)
                entry.rules = rules
            context.pre_execution_errors = entry.errors
        yield


def document_cache() -> Callable[[], DocumentCache]:
    """A factory of per-request extensions sharing one store: one per schema."""
    memo: Memo[_Entry] = Memo()
    return lambda: DocumentCache(memo)
