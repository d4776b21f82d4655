"""Exports over HTTP: ``/export/<table>.csv``, ``.xlsx`` and ``/export/districts.geojson``.

The same tokens and roles as ``/graphql``: a viewer may export what a viewer may read;
with ``MITRA_READS_REQUIRE_TOKEN`` a token is needed, and a refused token is always
refused. Filters come as query parameters named like the GraphQL filter fields; a
malformed value is a 400 and an unknown province, district or partner a 404, each a
JSON body ``{"errors": [{"message", "extensions": {"code", "field"}}]}`` naming the
parameter, sent before any row. Rows come from :mod:`service.domain.exports` batch by
batch: CSV and GeoJSON stream as they are read; XLSX is written by openpyxl's
write-only workbook to a temporary file (never the whole table in memory) and then sent.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from schema.errors import NOT_FOUND, UNAUTHENTICATED, InvalidIdError
from schema.ids import from_global_id
from schema.permissions import MISSING_TOKEN, REJECTED_TOKEN, principal_from_authorization
from service.db.enums import DistrictType, PartnerKind, PartnershipStatus
from service.domain import commitments, exports, planning, provinces
from service.domain import validation as v
from service.domain.boundaries import ATTRIBUTION, LICENCE_URL, district_geometries
from service.domain.campaign import quota_progress_by_province
from service.domain.districts import DistrictFilter, DistrictOrder, DistrictOrderField
from service.domain.partners import PartnerFilter, get_partners
from service.domain.partnerships import PartnershipFilter
from service.domain.recommending import Recommender

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.datastructures import QueryParams
    from starlette.requests import Request
    from starlette.routing import BaseRoute

    from service.domain.exports import Row, Table

BAD_USER_INPUT = "BAD_USER_INPUT"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON_TYPE = "application/geo+json"
RowSource = Callable[["AsyncSession"], AsyncIterator["Row"]]


class ExportError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def response(self) -> JSONResponse:
        extensions: dict[str, Any] = {"code": self.code}
        if self.field is not None:
            extensions["field"] = self.field
        return JSONResponse(
            {"errors": [{"message": self.message, "extensions": extensions}]},
            status_code=self.status,
        )


def _bad(field: str, message: str) -> ExportError:
    return ExportError(400, BAD_USER_INPUT, message, field)


def _raise_first(errors: list[v.UserError]) -> None:
    if errors:
        e = errors[0]
        raise ExportError(404 if e.code == NOT_FOUND else 400, e.code, e.message, e.field)


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
            raise _bad(name, f"{name} may be given once")
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
        raise _bad(name, f"{name} must be true or false")

    def number(self, name: str) -> float | None:
        value = self.one(name)
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            raise _bad(name, f"{name} must be a number") from None

    def integer(self, name: str) -> int | None:
        value = self.one(name)
        if value is None:
            return None
        if not (value.lstrip("-").isdigit() and len(value) <= 9):
            raise _bad(name, f"{name} must be a whole number")
        return int(value)

    def choice(self, name: str, options: type[Any]) -> list[Any]:
        allowed = {m.name: m for m in options}
        chosen = []
        for item in self.many(name):
            member = allowed.get(item.upper())
            if member is None:
                raise _bad(name, f"{item!r} is not one of: {', '.join(allowed)}")
            chosen.append(member)
        return chosen

    def finish(self) -> None:
        unknown = sorted(set(self.query.keys()) - self.read)
        if unknown:
            raise _bad(unknown[0], f"unknown parameter {unknown[0]!r}")


def _province_codes(params: Params, name: str = "provinceCode") -> list[str]:
    codes = params.many(name)
    for code in codes:
        _raise_first(v.province_code(code, field=name))
    return codes


def _district_codes(params: Params, name: str = "districtCode") -> list[str]:
    codes = params.many(name)
    for code in codes:
        _raise_first(v.district_code(code, field=name))
    return codes


def _partner_ids(params: Params, name: str = "partnerId") -> list[int]:
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
            raise _bad(name, f"{name} must be a partner id (a number or a Partner global id)")
        ids.append(int(key))
    return ids


def _single(values: list[Any], name: str) -> Any:
    if len(values) > 1:
        raise _bad(name, f"{name} takes one value here")
    return values[0] if values else None


async def _check_exist(
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


# --- one plan per table: parse and check the filter, then produce rows -------------------


@dataclass
class Plan:
    table: Table
    rows: RowSource
    filters: dict[str, Any]
    provenance: str


async def _districts(request: Request, params: Params, session: AsyncSession) -> Plan:
    province = _single(_province_codes(params), "provinceCode")
    kind = _single(params.choice("type", DistrictType), "type")
    order_field = _single(params.choice("orderBy", DistrictOrderField), "orderBy")
    direction = params.one("direction")
    if direction not in (None, "asc", "desc", "ASC", "DESC"):
        raise _bad("direction", "direction must be asc or desc")
    flt = DistrictFilter(
        province_code=province,
        type=kind,
        underdeveloped=params.boolean("underdeveloped"),
        prevalence_min=params.number("prevalenceMin"),
        prevalence_max=params.number("prevalenceMax"),
        search=params.one("search"),
    )
    if flt.search is not None and len(flt.search) > 100:
        raise _bad("search", "search must be at most 100 characters")
    order = DistrictOrder(
        field=order_field or DistrictOrderField.CODE,
        descending=(direction or "asc").lower() == "desc",
    )
    params.finish()
    await _check_exist(session, province_codes=[province] if province else [])
    return Plan(
        exports.DISTRICTS,
        lambda s: exports.district_rows(s, filter=flt, order=order),
        {k: val for k, val in vars(flt).items() if val is not None},
        exports.DISTRICT_PROVENANCE,
    )


async def _partners(request: Request, params: Params, session: AsyncSession) -> Plan:
    province = _single(_province_codes(params), "provinceCode")
    district = _single(_district_codes(params), "districtCode")
    flt = PartnerFilter(
        kinds=params.choice("kind", PartnerKind) or None,
        province_code=province,
        district_code=district,
        synthetic=params.boolean("synthetic"),
        search=params.one("search"),
        include_archived=bool(params.boolean("includeArchived")),
    )
    params.finish()
    await _check_exist(
        session,
        province_codes=[province] if province else [],
        district_codes=[district] if district else [],
    )
    return Plan(
        exports.PARTNERS,
        lambda s: exports.partner_rows(s, filter=flt),
        {k: val for k, val in vars(flt).items() if val not in (None, False)},
        "per row: real or synthetic (demo)",
    )


async def _partnerships(request: Request, params: Params, session: AsyncSession) -> Plan:
    province = _single(_province_codes(params), "provinceCode")
    district = _single(_district_codes(params), "districtCode")
    partner = _single(_partner_ids(params), "partnerId")
    flt = PartnershipFilter(
        partner_id=partner,
        district_code=district,
        province_code=province,
        statuses=params.choice("status", PartnershipStatus) or None,
        synthetic=params.boolean("synthetic"),
    )
    params.finish()
    await _check_exist(
        session,
        province_codes=[province] if province else [],
        district_codes=[district] if district else [],
        partner_ids=[partner] if partner else [],
    )
    return Plan(
        exports.PARTNERSHIPS,
        lambda s: exports.partnership_rows(s, filter=flt),
        {k: val for k, val in vars(flt).items() if val is not None},
        "per row: real or synthetic (demo)",
    )


async def _quota(request: Request, params: Params, session: AsyncSession) -> Plan:
    codes = _province_codes(params)
    params.finish()
    await _check_exist(session, province_codes=codes)
    return Plan(
        exports.QUOTA_PROGRESS,
        lambda s: exports.quota_rows(s, province_codes=codes or None),
        {"province_codes": codes} if codes else {},
        exports.QUOTA_PROVENANCE,
    )


async def _expiring(request: Request, params: Params, session: AsyncSession) -> Plan:
    within = params.integer("withinDays")
    within = commitments.DEFAULT_WITHIN_DAYS if within is None else within
    problem = commitments.within_days_error(within)
    if problem is not None:
        raise _bad("withinDays", problem)
    flt = commitments.ExpiringFilter(
        province_codes=_province_codes(params),
        district_codes=_district_codes(params),
        partner_ids=_partner_ids(params),
        kinds=params.choice("kind", PartnerKind),
    )
    params.finish()
    await _check_exist(
        session,
        province_codes=list(flt.province_codes or ()),
        district_codes=list(flt.district_codes or ()),
        partner_ids=list(flt.partner_ids or ()),
    )
    today = dt.date.today()
    return Plan(
        exports.EXPIRING_COMMITMENTS,
        lambda s: exports.expiring_rows(s, within_days=within, filter=flt, today=today),
        {"within_days": within, "today": today.isoformat()}
        | {k: val for k, val in vars(flt).items() if val},
        "per row: real or synthetic (demo)",
    )


async def _plan(request: Request, params: Params, session: AsyncSession) -> Plan:
    code = _single(_province_codes(params), "provinceCode")
    params.finish()
    if code is None:
        raise _bad("provinceCode", "provinceCode is required")
    await _check_exist(session, province_codes=[code])
    rec = request.app.state.scorer
    if not isinstance(rec, Recommender):
        raise ExportError(503, "RECOMMENDER_UNAVAILABLE", "the recommender is not running")
    quotas = (await quota_progress_by_province(session, province_codes=[code]))[code]
    plan = await rec.run(planning.plan_province, code, quotas)
    if plan is None:
        raise ExportError(404, NOT_FOUND, f"there is no province {code}", "provinceCode")
    return Plan(
        exports.PROVINCE_PLAN,
        lambda s: exports.plan_rows(s, plan=plan),
        {"province_code": code},
        f"recommendations of model {plan.model_version}; synthetic partners are marked per row",
    )


PLANNERS = {
    exports.DISTRICTS.name: _districts,
    exports.PARTNERS.name: _partners,
    exports.PARTNERSHIPS.name: _partnerships,
    exports.QUOTA_PROGRESS.name: _quota,
    exports.EXPIRING_COMMITMENTS.name: _expiring,
    exports.PROVINCE_PLAN.name: _plan,
}


# --- writers -------------------------------------------------------------------------------


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


async def _csv_chunks(request: Request, plan: Plan) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(plan.table.columns)
    async with request.app.state.session_factory() as session:
        count = 0
        async for row in plan.rows(session):
            writer.writerow([_text(value) for value in row])
            count += 1
            if count % exports.BATCH == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _readme(workbook: Workbook, plan: Plan, rows: int) -> None:
    sheet = workbook.create_sheet("README")
    sheet.append(["Mitra export", plan.table.title])
    sheet.append(["generated at (UTC)", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")])
    sheet.append(["rows", rows])
    sheet.append(["filter", json.dumps(plan.filters, default=str, sort_keys=True)])
    sheet.append(["provenance", plan.provenance])
    sheet.append([])
    sheet.append(["data", "source", "licence / terms"])
    for item in exports.SOURCES:
        sheet.append(list(item))


async def _xlsx_file(request: Request, plan: Plan) -> str:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(plan.table.title[:31])
    sheet.append(list(plan.table.columns))
    rows = 0
    async with request.app.state.session_factory() as session:
        async for row in plan.rows(session):
            sheet.append(list(row))
            rows += 1
    _readme(workbook, plan, rows)
    handle, path = tempfile.mkstemp(prefix="mitra-export-", suffix=".xlsx")
    os.close(handle)
    try:
        await run_in_threadpool(workbook.save, path)
    except BaseException:
        os.unlink(path)
        raise
    return path


async def _geojson_chunks(request: Request, plan: Plan) -> AsyncIterator[bytes]:
    geometries = await run_in_threadpool(district_geometries)
    head = {
        "type": "FeatureCollection",
        "name": "mitra-districts",
        "attribution": ATTRIBUTION,
        "license": LICENCE_URL,
        "provenance": plan.provenance,
    }
    yield (json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n').encode("utf-8")
    columns = plan.table.columns
    first = True
    async with request.app.state.session_factory() as session:
        async for row in plan.rows(session):
            properties = dict(zip(columns, row, strict=True))
            feature = {
                "type": "Feature",
                "id": properties["district_code"],
                "properties": properties,
                "geometry": geometries.get(properties["district_code"]),
            }
            text = json.dumps(feature, ensure_ascii=False, default=str)
            yield (("" if first else ",\n") + text).encode("utf-8")
            first = False
    yield b"\n]}\n"


# --- routes --------------------------------------------------------------------------------


async def _authorize(request: Request) -> ExportError | None:
    principal, rejected = await principal_from_authorization(
        request.app.state.session_factory, request.headers.get("authorization")
    )
    if rejected:
        return ExportError(401, UNAUTHENTICATED, REJECTED_TOKEN)
    if request.app.state.settings.reads_require_token and principal is None:
        return ExportError(401, UNAUTHENTICATED, MISSING_TOKEN)
    return None  # any valid token is at least a viewer, and a viewer may read all this


def _filename(table: Table, suffix: str) -> str:
    return f"mitra-{table.name}-{dt.date.today().isoformat()}.{suffix}"


async def export(request: Request) -> Response:
    name = request.path_params["table"]
    fmt = request.path_params["format"]
    planner = PLANNERS.get(name)
    if planner is None or fmt not in ("csv", "xlsx", "geojson"):
        return ExportError(404, NOT_FOUND, f"there is no export {name}.{fmt}").response()
    if fmt == "geojson" and name != exports.DISTRICTS.name:
        return ExportError(404, NOT_FOUND, "only districts export as GeoJSON").response()
    refused = await _authorize(request)
    if refused is not None:
        return refused.response()
    try:
        async with request.app.state.session_factory() as session:
            plan = await planner(request, Params(request.query_params), session)
    except ExportError as exc:
        return exc.response()
    disposition = {"content-disposition": f'attachment; filename="{_filename(plan.table, fmt)}"'}
    if fmt == "csv":
        return StreamingResponse(
            _csv_chunks(request, plan), media_type=CSV_TYPE, headers=disposition
        )
    if fmt == "geojson":
        return StreamingResponse(
            _geojson_chunks(request, plan), media_type=GEOJSON_TYPE, headers=disposition
        )
    path = await _xlsx_file(request, plan)
    return FileResponse(
        path,
        media_type=XLSX_TYPE,
        headers=disposition,
        background=BackgroundTask(os.unlink, path),
    )


async def index(request: Request) -> JSONResponse:
    """What can be exported, with the query parameters each export takes."""
    refused = await _authorize(request)
    if refused is not None:
        return refused.response()
    return JSONResponse(
        {
            "exports": [
                {
                    "table": t.name,
                    "formats": ["csv", "xlsx"] + (["geojson"] if t is exports.DISTRICTS else []),
                    "url": f"/export/{t.name}.csv",
                    "columns": list(t.columns),
                }
                for t in exports.TABLES.values()
            ],
            "sources": [{"data": d, "source": s, "licence": lic} for d, s, lic in exports.SOURCES],
        }
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/export/", index, methods=["GET"]),
        Route("/export/{table}.{format}", export, methods=["GET"]),
    ]
