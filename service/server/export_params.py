"""The exports' query parameters: parsing, checking, and the JSON error naming each one.

A malformed value is a 400 and an unknown province, district or partner a 404
(:class:`ExportError`), sent before any row (:mod:`service.server.exports`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse

from schema.errors import DEMO_UNAVAILABLE, NOT_FOUND, InvalidIdError
from schema.ids import from_global_id
from service.domain import provinces
from service.domain import validation as v
from service.domain.partners import get_partners
from service.domain.worlds import World, demo_available

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.datastructures import QueryParams


BAD_USER_INPUT = "BAD_USER_INPUT"


class ExportError(Exception):
    """A refused export request: its HTTP status, error code, message and parameter."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def response(self) -> JSONResponse:
        """Render the error as the GraphQL-shaped JSON body ``{"errors": [...]}``."""
        extensions: dict[str, Any] = {"code": self.code}
        if self.field is not None:
            extensions["field"] = self.field
        return JSONResponse(
            {"errors": [{"message": self.message, "extensions": extensions}]},
            status_code=self.status,
        )


def bad_param(field: str, message: str) -> ExportError:
    return ExportError(400, BAD_USER_INPUT, message, field)


def raise_first(errors: list[v.UserError], name: str) -> None:
    """Refuse the request for the first of ``errors``, found in the query parameter ``name``."""
    if errors:
        e = errors[0]
        raise ExportError(404 if e.code == NOT_FOUND else 400, e.code, e.worded(name), name)


# --- query parameters ----------------------------------------------------------------------


class Params:
    """The request's query parameters; each read marks a name as known."""

    def __init__(self, query: QueryParams) -> None:
        self.query = query
        self.read: set[str] = set()

    def one(self, name: str) -> str | None:
        self.read.add(name)
        values = self.query.getlist(name)
        if len(values) > 1:
            raise bad_param(name, f"{name} may be given once")
        return values[0].strip() if values else None

    def many(self, name: str) -> list[str]:
        self.read.add(name)
        return [item.strip() for value in self.query.getlist(name) for item in value.split(",")]

    def boolean(self, name: str) -> bool | None:
        value = self.one(name)
        if value is None:
            return None
        if value.lower() in ("true", "1", "yes"):
            return True
        if value.lower() in ("false", "0", "no"):
            return False
        raise bad_param(name, f"{name} must be true or false")

    def number(self, name: str) -> float | None:
        value = self.one(name)
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            raise bad_param(name, f"{name} must be a number") from None

    def integer(self, name: str) -> int | None:
        value = self.one(name)
        if value is None:
            return None
        if not (value.lstrip("-").isdigit() and len(value) <= 9):
            raise bad_param(name, f"{name} must be a whole number")
        return int(value)

    def choice(self, name: str, options: type[Any]) -> list[Any]:
        allowed = {m.name: m for m in options}
        chosen = []
        for item in self.many(name):
            member = allowed.get(item.upper())
            if member is None:
                raise bad_param(name, f"{item!r} is not one of: {', '.join(allowed)}")
            chosen.append(member)
        return chosen

    def world(self) -> World:
        value = self.one("world")
        if value is None:
            return World.REAL
        try:
            return World(value.lower())
        except ValueError:
            raise bad_param("world", "world must be real (the default) or demo") from None

    def finish(self) -> None:
        unknown = sorted(set(self.query.keys()) - self.read)
        if unknown:
            raise bad_param(unknown[0], f"unknown parameter {unknown[0]!r}")


def province_codes(params: Params, name: str = "provinceCode") -> list[str]:
    codes = params.many(name)
    for code in codes:
        raise_first(v.province_code(code), name)
    return codes


def district_codes(params: Params, name: str = "districtCode") -> list[str]:
    """Codes as sent ("53.02" or "5302"), checked, in their stored form "NN.NN"."""
    codes = []
    for code in params.many(name):
        raise_first(v.district_code(code), name)
        canonical = v.canonical_district_code(code)
        assert canonical is not None  # the validator accepted it
        codes.append(canonical)
    return codes


def partner_ids(params: Params, name: str = "partnerId") -> list[int]:
    ids = []
    for value in params.many(name):
        if value.isascii() and value.isdigit() and len(value) <= 18:
            ids.append(int(value))
            continue
        try:
            type_name, key = from_global_id(value)
        except InvalidIdError:
            type_name, key = "", ""
        if type_name != "Partner":
            raise bad_param(name, f"{name} must be a partner id (a number or a Partner global id)")
        ids.append(int(key))
    return ids


def single(values: list[Any], name: str) -> Any:
    if len(values) > 1:
        raise bad_param(name, f"{name} takes one value here")
    return values[0] if values else None


async def check_exist(
    session: AsyncSession,
    *,
    province_codes: Sequence[str] = (),
    district_codes: Sequence[str] = (),
    partner_ids: Sequence[int] = (),
    province_field: str = "provinceCode",
    district_field: str = "districtCode",
) -> None:
    missing_p, missing_d = await provinces.unknown_codes(
        session, province_codes=province_codes, district_codes=district_codes
    )
    if missing_p:
        raise ExportError(
            404, NOT_FOUND, f"there is no province {', '.join(missing_p)}", province_field
        )
    if missing_d:
        raise ExportError(
            404, NOT_FOUND, f"there is no district {', '.join(missing_d)}", district_field
        )
    if partner_ids:
        missing = sorted(set(partner_ids) - set(await get_partners(session, ids=partner_ids)))
        if missing:
            raise ExportError(
                404, NOT_FOUND, f"there is no partner {', '.join(map(str, missing))}", "partnerId"
            )


def row_provenance(world: World) -> str:
    if world is World.REAL:
        return "the real record only (world=demo adds the generated demo world)"
    return "per row: real or synthetic (demo)"


async def check_world(session: AsyncSession, world: World) -> None:
    if world is World.DEMO and not await demo_available(session):
        raise ExportError(
            400,
            DEMO_UNAVAILABLE,
            "this database holds no generated demo data: ask for world=real",
            "world",
        )


def synthetic_filter(params: Params, world: World) -> bool | None:
    """The ``synthetic`` filter within ``world``: the real record never holds synthetic rows."""
    synthetic = params.boolean("synthetic")
    if world is World.REAL:
        if synthetic:
            raise bad_param(
                "synthetic", "generated (synthetic) rows are in the demo world: add world=demo"
            )
        return False
    return synthetic
