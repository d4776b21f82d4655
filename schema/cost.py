"""A bound on how many objects one query may ask for, estimated before it runs.

The depth, alias and token limits do not stop fan-out: within depth 10,
``provinces { districts { province { districts { ... } } } }`` multiplies list sizes
into millions of objects. :class:`MaxResultSize` walks the operation with the
schema's types and multiplies, for every list field, its expected length: the
``first`` argument when one is given (a variable counts as the page-size cap), else
the size hint of that list. An operation whose estimate exceeds the limit is refused
with ``QUERY_TOO_LARGE`` before any resolver runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.type import GraphQLInterfaceType, GraphQLOutputType
from strawberry.extensions import SchemaExtension

from schema.documents import Memo
from schema.errors import MitraError, refusal

if TYPE_CHECKING:
    from strawberry.types import ExecutionContext

# Lists that take no ``first`` argument, and how long they can reasonably be.
# Lists of scalars or enums count as one object; only lists of objects multiply.
DEFAULT_LIST_SIZE = 25
LIST_SIZE_HINTS: Mapping[str, int] = {
    "Query.provinces": 38,
    "Province.districts": 40,  # the largest province has 38
    "Province.quotaProgress": 3,
    "CampaignProgress.byCategory": 3,
    "QuotaProgress.partners": 20,
    "Query.expiringCommitments": 100,
    "DistrictSituation.byArea": 10,
    "DistrictSituation.provinceQuotas": 3,
    "DistrictSituation.prevalenceSeries": 8,
}
# Lists whose length the code bounds (reasons) or the data does (six surveys at most).
LIST_NAME_HINTS: Mapping[str, int] = {
    "reasons": 6,
    "stuntingPrevalenceSeries": 8,
    "userErrors": 10,
}


class QueryTooLargeError(MitraError):
    code = "QUERY_TOO_LARGE"


def _unwrap(type_: GraphQLOutputType) -> tuple[Any, bool]:
    """The named type under NonNull/List wrappers, and whether a list was among them."""
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(type_, GraphQLList)
        type_ = type_.of_type
    return type_, is_list


class _Estimator:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        max_page: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.max_page = max_page

    def _first(self, node: FieldNode) -> int | None:
        for arg in node.arguments or ():
            if arg.name.value != "first":
                continue
            # out-of-range values are the resolver's to refuse, with its own message
            if isinstance(arg.value, IntValueNode):
                return min(max(0, int(arg.value.value)), self.max_page)
            if isinstance(arg.value, VariableNode):
                value = self.variables.get(arg.value.name.value)
                if isinstance(value, int):
                    return min(max(0, value), self.max_page)
                return self.max_page
        return None

    def selection(
        self, parent: Any, selection_set: SelectionSetNode | None, page: int | None, seen: int
    ) -> int:
        """Objects produced below ``parent``; ``page`` is a pending ``first`` for lists."""
        if selection_set is None or seen > 8:
            return 0
        total = 0
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                total += self.field(parent, sel, page, seen)
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition
                target = self.schema.get_type(cond.name.value) if cond else parent
                total += self.selection(target, sel.selection_set, page, seen)
            elif isinstance(sel, FragmentSpreadNode):
                frag = self.fragments.get(sel.name.value)
                if frag is not None:
                    target = self.schema.get_type(frag.type_condition.name.value)
                    total += self.selection(target, frag.selection_set, page, seen + 1)
        return total

    def field(self, parent: Any, node: FieldNode, page: int | None, seen: int) -> int:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(node.name.value)
        if definition is None:  # __typename and friends, or unknown (validation reports it)
            return 0
        named, is_list = _unwrap(definition.type)
        first = self._first(node)
        if is_list and node.selection_set is None:
            return 1  # a list of scalars or enums
        if is_list:
            hint = LIST_SIZE_HINTS.get(
                f"{parent.name}.{node.name.value}",
                LIST_NAME_HINTS.get(node.name.value, DEFAULT_LIST_SIZE),
            )
            count = first if first is not None else page if page is not None else hint
            pending = None
        else:
            # a connection hands its ``first`` to its ``edges``/``nodes`` lists
            count, pending = 1, first
        if node.selection_set is None:
            return count
        return count * (1 + self.selection(named, node.selection_set, pending, seen))


def estimate(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None = None,
    *,
    max_page: int = 100,
) -> int:
    """Estimated number of objects ``operation`` would return."""
    root = schema.get_root_type(operation.operation)
    return _Estimator(schema, fragments, variables or {}, max_page).selection(
        root, operation.selection_set, None, 0
    )


def document_size(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    *,
    max_page: int,
) -> int:
    """The largest estimate over the operations of ``document`` that would run."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [
            op for op in operations if op.name is not None and op.name.value == operation_name
        ]
    return max(
        (estimate(schema, op, fragments, variables, max_page=max_page) for op in operations),
        default=0,
    )


# Estimates by query text, operation and integer variables: computed once per text.
_SIZES: Memo[int] = Memo()


def operation_cost(context: ExecutionContext, *, max_page: int) -> int:
    """Return the estimate for the operation ``context`` executes (0 before it is parsed).

    Computed once per query text, operation and integer variables (the size check and
    the rate limit share it).
    """
    document = context.graphql_document
    if document is None:
        return 0
    schema = context.schema._schema
    variables = context.variables or {}
    # Only integer variables (a ``first``) change the estimate.
    ints = tuple(sorted((k, v) for k, v in variables.items() if isinstance(v, int)))

    def compute() -> int:
        return document_size(schema, document, context.operation_name, variables, max_page=max_page)

    if context.query is None:  # a document without its text: nothing to key by
        return compute()
    return _SIZES.get_or_compute(
        (schema, context.query, context.operation_name, ints, max_page), compute
    )


class MaxResultSize(SchemaExtension):
    """Refuse operations estimated to return more than ``max_objects`` objects."""

    def __init__(self, *, max_objects: int, max_page: int) -> None:
        self.max_objects = max_objects
        self.max_page = max_page

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            size = operation_cost(context, max_page=self.max_page)
            if size > self.max_objects:
                error = QueryTooLargeError(
                    f"query would return about {size:,} objects; the limit is "
                    f"{self.max_objects:,}: ask for smaller pages or fewer nested lists",
                    estimate=size,
                    max=self.max_objects,
                )
                context.result = refusal(error)
        yield
