"""The partner's fields in the API, written once: the ORM model plus one mapping.

The GraphQL type ``Partner`` and the inputs ``CreatePartnerInput`` and
``UpdatePartnerInput`` each carry the partner's fields. None of them spells the fields
out: :func:`partner_fields` writes them into the class before Strawberry reads it,
taking the names, their order, their Python types and whether they may be null from
the ORM model (``service.db.models.Partner``, read through the write fields of
``service.domain.writes.partners``), and from :data:`PARTNER_API` only what the model
cannot say (enums stored as text, the BigInt scalar, the lists, the descriptions).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import strawberry

from schema.errors import API_NAMES
from schema.scalars import BigInt
from schema.types.enums import InterventionArea, PartnerKind, PartnerScope
from service.db.models import Partner as PartnerRow
from service.domain.writes.partners import (
    PARTNER_COLUMNS,
    PARTNER_LISTS,
    PARTNER_REQUIRED,
)

if TYPE_CHECKING:
    from service.db import models

T = TypeVar("T")
Form = Literal["type", "create", "update"]


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class ApiField:
    """How the API shows one partner field that its column does not describe fully."""

    type: Any  # the GraphQL type as Python, null aside
    from_row: Callable[[Any], Any] = _same  # the stored value as that type
    description: str | None = None


# The one mapping: the fields (by the domain's name) whose column does not say it all.
PARTNER_API: dict[str, ApiField] = {
    "kind": ApiField(PartnerKind, PartnerKind),
    "scope": ApiField(
        PartnerScope,
        PartnerScope,
        "How far its work reaches. For a partner from public sources it is a rule over "
        "the reported districts (NATIONAL: an international organisation or two or more "
        "provinces; PROVINCIAL: two or more districts of one province; else LOCAL): what "
        "the sources show, not the size of the organisation.",
    ),
    "annual_budget_idr": ApiField(BigInt),
    "synthetic": ApiField(
        bool, bool, "True for generated demonstration partners, false for real ones."
    ),
    "areas": ApiField(list[InterventionArea]),
    "province_codes": ApiField(list[str], description='Provinces it operates in, e.g. ["53"].'),
    "district_codes": ApiField(
        list[str], description='Districts it operates in, e.g. ["53.02"] (or "5302").'
    ),
}
_COLUMNS = PartnerRow.__table__.columns
# The columns the Partner type shows: all but the key (the Node id) and the row's birth.
_SHOWN = tuple(c.key for c in _COLUMNS if c.key not in {"id", "created_at"})


def _api(key: str) -> ApiField:
    return PARTNER_API.get(key) or ApiField(_COLUMNS[key].type.python_type)


def _nullable(key: str) -> bool:
    return key not in PARTNER_LISTS and bool(_COLUMNS[key].nullable)


_REQUIRED = object()  # no class attribute: the field has no default


def _field(api: ApiField, *, described: bool = True, **default: Any) -> Any:
    """The class attribute of a field: its default, or a strawberry field when described."""
    if described and api.description is not None:
        return strawberry.field(description=api.description, **default)
    if "default_factory" in default:
        return strawberry.field(**default)
    return default.get("default", _REQUIRED)


def _fields(form: Form) -> list[tuple[str, Any, Any]]:
    """(Python name, annotation, class attribute) of each partner field of ``form``."""
    if form == "type":
        keys: tuple[str, ...] = _SHOWN
    else:
        optional = [c for c in PARTNER_COLUMNS if c not in PARTNER_REQUIRED]
        keys = (*PARTNER_REQUIRED, *PARTNER_LISTS, *optional)
    out = []
    for key in keys:
        api = _api(key)
        if form == "type":
            annotation, attr = (api.type | None if _nullable(key) else api.type), _field(api)
        elif form == "update":
            # The update input has never described its fields (the SDL stays as it was).
            annotation = api.type | None
            attr = _field(api, described=False, default=strawberry.UNSET)
        elif _nullable(key):
            annotation, attr = api.type | None, _field(api, default=None)
        elif key in PARTNER_LISTS:
            annotation, attr = api.type, _field(api, default_factory=list)
        else:
            annotation, attr = api.type, _field(api)
        out.append((API_NAMES.get(key, key), annotation, attr))
    return out


def partner_fields(form: Form) -> Callable[[type[T]], type[T]]:
    """Add the partner's fields to a class before Strawberry reads it.

    ``form`` is ``"type"`` (what the Partner type shows: every column but the key, in
    the model's order), ``"create"`` (the fields a write sets: the required ones, the
    lists, then the optional ones; lists default to empty, the others to null) or
    ``"update"`` (the same fields, each optional and left out unless given). The
    fields follow those the class declares itself.
    """

    def add(cls: type[T]) -> type[T]:
        annotations = dict(inspect.get_annotations(cls))
        for name, annotation, attr in _fields(form):
            annotations[name] = annotation
            if attr is not _REQUIRED:
                setattr(cls, name, attr)
        cls.__annotations__ = annotations
        return cls

    return add


def partner_values(row: models.Partner) -> dict[str, Any]:
    """The Partner type's column fields of ``row``, keyed by their Python names."""
    return {API_NAMES.get(k, k): _api(k).from_row(getattr(row, k)) for k in _SHOWN}
