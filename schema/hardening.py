"""Input hygiene the type system cannot express, checked once for the whole request.

PostgreSQL refuses text with NUL characters and no driver can encode a lone UTF-16
surrogate (JSON allows ``"\\ud800"``), so such strings would fail deep inside a query
as a driver error. :class:`RejectUnstorableText` refuses them up front, in the document
and in the variables, as ``BAD_USER_INPUT``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, StringValueNode, visit
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from schema.documents import Memo
from schema.errors import UserInputError, refusal

MESSAGE = "text must not contain NUL characters or unpaired surrogates"


def unstorable(text: str) -> bool:
    """True when ``text`` holds a NUL or a lone surrogate (U+D800 to U+DFFF)."""
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def _any_unstorable(value: Any, depth: int = 0) -> bool:
    if depth > 100:  # JSON nested this deep is not ours either; let coercion refuse it
        return False
    if isinstance(value, str):
        return unstorable(value)
    if isinstance(value, dict):
        return any(
            _any_unstorable(k, depth + 1) or _any_unstorable(v, depth + 1) for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return any(_any_unstorable(v, depth + 1) for v in value)
    return False


class _StringFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if unstorable(node.value):
            self.found = True


def _has_unstorable(document: DocumentNode) -> bool:
    finder = _StringFinder()
    visit(document, finder)
    return finder.found


# Whether a query text holds an unstorable literal: visited once per text.
_LITERALS: Memo[bool] = Memo()


class RejectUnstorableText(SchemaExtension):
    """Refuse the operation when any string literal or variable cannot be stored."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        bad = _any_unstorable(context.variables or {})
        document = context.graphql_document
        if not bad and document is not None:
            query = context.query
            bad = (
                _has_unstorable(document)
                if query is None
                else _LITERALS.get_or_compute(query, lambda: _has_unstorable(document))
            )
        if bad:
            context.result = refusal(UserInputError(MESSAGE))
        yield
