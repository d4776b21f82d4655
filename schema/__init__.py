"""The GraphQL layer: :func:`build_schema` assembles Query and Mutation from modules.

To extend the API, add a type with ``@strawberry.type`` fields to ``QUERY_TYPES`` or
``MUTATION_TYPES`` below; ``merge_types`` composes them into the root types.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.availability import DatabaseAvailability, is_database_unavailable
from schema.commitments import CommitmentQuery
from schema.cost import MaxResultSize
from schema.database_errors import DatabaseErrors
from schema.documents import document_cache
from schema.errors import is_expected, should_mask_error
from schema.hardening import RejectUnstorableText
from schema.model_admin import ModelAdminMutation
from schema.mutations import WriteMutation
from schema.permissions import ReadAccess
from schema.queries import ReadQuery
from schema.ratelimit import RateLimit
from schema.recommendations import RecommendationQuery
from schema.reference import LoadReference
from schema.scalars import SCALAR_MAP
from schema.types.audit import AuditQuery
from schema.types.district import District
from schema.types.partner import Partner
from schema.types.partnership import Partnership
from schema.types.province import Province
from service.settings import Settings

if TYPE_CHECKING:
    from strawberry.types import ExecutionContext

log = logging.getLogger("mitra.graphql")

# Root field groups, one per module. The write side and the recommender add theirs here.
QUERY_TYPES: tuple[type, ...] = (ReadQuery, AuditQuery, RecommendationQuery, CommitmentQuery)
MUTATION_TYPES: tuple[type, ...] = (WriteMutation, ModelAdminMutation)

NODE_TYPES: list[type] = [Province, District, Partner, Partnership]


class MitraSchema(strawberry.Schema):
    """Logs unexpected errors with their traceback; client mistakes only briefly."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if is_database_unavailable(error.original_error):
                continue  # DatabaseAvailability logs it once, without a traceback per field
            if is_expected(error):
                log.info("graphql request error: %s", error.message)
            else:
                log.error("graphql error: %s", error.message, exc_info=error.original_error)


def _root_types() -> tuple[type, type | None]:
    query = merge_types("Query", QUERY_TYPES)
    mutation = merge_types("Mutation", MUTATION_TYPES) if MUTATION_TYPES else None
    return query, mutation


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema with the limits, introspection policy and error masking of ``settings``."""
    settings = settings or Settings()
    # The depth and alias rules are classes that Strawberry's limiters create in their
    # constructors: build them once, so that every request validates with the same rule
    # classes and the validation cache (keyed by schema, document and rules) can hit.
    limit_rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    # Factories, not instances: Strawberry builds fresh extensions for every request.
    # A repeated query text is parsed and validated once (schema/documents.py); the
    # token limit is a parse option and so part of that cache's key.
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        document_cache(),
        lambda: AddValidationRules(limit_rules),
        lambda: ReadAccess(reads_require_token=settings.reads_require_token),
        RejectUnstorableText,
        lambda: MaxResultSize(
            max_objects=settings.max_result_objects, max_page=settings.max_page_size
        ),
        # last: an operation refused above is not charged
        lambda: RateLimit(
            per_token=settings.rate_limit_per_minute,
            per_address=settings.anonymous_rate_limit_per_minute,
            max_page=settings.max_page_size,
        ),
    ]
    extensions.append(LoadReference)  # last: after the checks that may refuse the operation
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    if settings.production:
        extensions.append(lambda: MaskErrors(should_mask_error=should_mask_error))
    # Last, so they see database errors before MaskErrors (whose exit runs after) hides
    # them: a lost database is DATABASE_UNAVAILABLE (on_execute), then a statement timeout
    # is DATABASE_TIMEOUT and any other database error INTERNAL_ERROR (on_operation).
    extensions.append(DatabaseAvailability)
    extensions.append(DatabaseErrors)
    query, mutation = _root_types()
    kwargs: dict[str, Any] = {}
    if mutation is not None:
        kwargs["mutation"] = mutation
    return MitraSchema(
        query=query,
        types=NODE_TYPES,
        extensions=extensions,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        **kwargs,
    )


__all__ = ["MUTATION_TYPES", "QUERY_TYPES", "MitraSchema", "build_schema"]
