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

import datetime as dt
import os
from typing import TYPE_CHECKING

from starlette.background import BackgroundTask
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from recommender.emphasis import DEFAULT_EMPHASIS, Emphasis
from schema.errors import NOT_FOUND, UNAUTHENTICATED
from schema.permissions import MISSING_TOKEN, REJECTED_TOKEN, principal_from_authorization
from schema.ratelimit import charge_client, refusal_body
from service.db.enums import DistrictType, PartnerKind, PartnershipStatus, QuotaCategory
from service.domain import (
    commitments,
    districts,
    export_tables,
    exports,
    partners,
    partnerships,
    planning,
    provinces,
)
from service.domain.districts import DistrictFilter, DistrictOrder, DistrictOrderField
from service.domain.partners import PartnerFilter
from service.domain.partnerships import PartnershipFilter
from service.domain.recommending import Recommender
from service.domain.worlds import World
from service.server import export_params as qp
from service.server.export_formats import Plan, csv_chunks, geojson_chunks, xlsx_file
from service.server.export_params import ExportError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.requests import Request
    from starlette.routing import BaseRoute

    from service.auth import Principal
    from service.domain.export_tables import Table

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON_TYPE = "application/geo+json"


# --- one plan per table: parse and check the filter, then produce rows -------------------


async def _districts(request: Request, params: qp.Params, session: AsyncSession) -> Plan:
    province = qp.single(qp.province_codes(params), "provinceCode")
    kind = qp.single(params.choice("type", DistrictType), "type")
    order_field = qp.single(params.choice("orderBy", DistrictOrderField), "orderBy")
    direction = params.one("direction")
    if direction not in (None, "asc", "desc", "ASC", "DESC"):
        raise qp.bad_param("direction", "direction must be asc or desc")
    flt = DistrictFilter(
        province_code=province,
        type=kind,
        underdeveloped=params.boolean("underdeveloped"),
        prevalence_min=params.number("prevalenceMin"),
        prevalence_max=params.number("prevalenceMax"),
        search=params.one("search"),
    )
    if flt.search is not None and len(flt.search) > 100:
        raise qp.bad_param("search", "search must be at most 100 characters")
    order = DistrictOrder(
        field=order_field or DistrictOrderField.CODE,
        descending=(direction or "asc").lower() == "desc",
    )
    world = params.world()
    params.finish()
    await qp.check_exist(session, province_codes=[province] if province else [])
    await qp.check_world(session, world)
    size = await districts.list_districts(session, filter=flt, order=order, limit=0)
    return Plan(
        export_tables.DISTRICTS,
        lambda s: exports.district_rows(s, filter=flt, order=order, world=world),
        {k: val for k, val in vars(flt).items() if val is not None} | {"world": world.value},
        export_tables.DISTRICT_PROVENANCE[world],
        size.total,
    )


async def _partners(request: Request, params: qp.Params, session: AsyncSession) -> Plan:
    province = qp.single(qp.province_codes(params), "provinceCode")
    district = qp.single(qp.district_codes(params), "districtCode")
    world = params.world()
    flt = PartnerFilter(
        kinds=params.choice("kind", PartnerKind) or None,
        province_code=province,
        district_code=district,
        synthetic=qp.synthetic_filter(params, world),
        search=params.one("search"),
        include_archived=bool(params.boolean("includeArchived")),
    )
    params.finish()
    await qp.check_exist(
        session,
        province_codes=[province] if province else [],
        district_codes=[district] if district else [],
    )
    await qp.check_world(session, world)
    size = await partners.list_partners(session, filter=flt, limit=0)
    return Plan(
        export_tables.PARTNERS,
        lambda s: exports.partner_rows(s, filter=flt),
        {k: val for k, val in vars(flt).items() if val is not None} | {"world": world.value},
        qp.row_provenance(world),
        size.total,
    )


async def _partnerships(request: Request, params: qp.Params, session: AsyncSession) -> Plan:
    province = qp.single(qp.province_codes(params), "provinceCode")
    district = qp.single(qp.district_codes(params), "districtCode")
    partner = qp.single(qp.partner_ids(params), "partnerId")
    world = params.world()
    flt = PartnershipFilter(
        partner_id=partner,
        district_code=district,
        province_code=province,
        statuses=params.choice("status", PartnershipStatus) or None,
        synthetic=qp.synthetic_filter(params, world),
    )
    params.finish()
    await qp.check_exist(
        session,
        province_codes=[province] if province else [],
        district_codes=[district] if district else [],
        partner_ids=[partner] if partner else [],
    )
    await qp.check_world(session, world)
    size = await partnerships.list_partnerships(session, filter=flt, limit=0)
    return Plan(
        export_tables.PARTNERSHIPS,
        lambda s: exports.partnership_rows(s, filter=flt),
        {k: val for k, val in vars(flt).items() if val is not None} | {"world": world.value},
        qp.row_provenance(world),
        size.total,
    )


async def _quota(request: Request, params: qp.Params, session: AsyncSession) -> Plan:
    codes = qp.province_codes(params)
    world = params.world()
    params.finish()
    await qp.check_exist(session, province_codes=codes)
    await qp.check_world(session, world)
    chosen = len(codes) if codes else len(await provinces.list_provinces(session))
    return Plan(
        export_tables.QUOTA_PROGRESS,
        lambda s: exports.quota_rows(s, province_codes=codes or None, world=world),
        ({"province_codes": codes} if codes else {}) | {"world": world.value},
        export_tables.QUOTA_PROVENANCE[world],
        chosen * len(QuotaCategory),  # one row per quota category of each province
    )


async def _expiring(request: Request, params: qp.Params, session: AsyncSession) -> Plan:
    within = params.integer("withinDays")
    within = commitments.DEFAULT_WITHIN_DAYS if within is None else within
    problem = commitments.within_days_error(within)
    if problem is not None:
        raise qp.bad_param("withinDays", problem)
    flt = commitments.ExpiringFilter(
        province_codes=qp.province_codes(params),
        district_codes=qp.district_codes(params),
        partner_ids=qp.partner_ids(params),
        kinds=params.choice("kind", PartnerKind),
    )
    world = params.world()
    params.finish()
    await qp.check_exist(
        session,
        province_codes=list(flt.province_codes or ()),
        district_codes=list(flt.district_codes or ()),
        partner_ids=list(flt.partner_ids or ()),
    )
    await qp.check_world(session, world)
    today = dt.date.today()
    items = await commitments.expiring_commitments(
        session, within_days=within, filter=flt, today=today, world=world
    )
    return Plan(
        export_tables.EXPIRING_COMMITMENTS,
        lambda s: exports.expiring_rows(s, items=items),
        {"within_days": within, "today": today.isoformat(), "world": world.value}
        | {k: val for k, val in vars(flt).items() if val},
        qp.row_provenance(world),
        len(items),
    )


async def _plan(request: Request, params: qp.Params, session: AsyncSession) -> Plan:
    code = qp.single(qp.province_codes(params), "provinceCode")
    world = params.world()
    emphasis = qp.single(params.choice("emphasis", Emphasis), "emphasis") or DEFAULT_EMPHASIS
    params.finish()
    if code is None:
        raise qp.bad_param("provinceCode", "provinceCode is required")
    await qp.check_exist(session, province_codes=[code])
    await qp.check_world(session, world)
    rec = request.app.state.recommender
    if not isinstance(rec, Recommender):
        raise ExportError(503, "RECOMMENDER_UNAVAILABLE", "the recommender is not running")
    # the real record unless world=demo, as the API's provincePlan
    inputs = await planning.plan_inputs(session, province_code=code, world=world)
    plan = await planning.rank_plan(
        rec, inputs, province_code=code, world=world, emphasis=emphasis.value
    )
    if plan is None:
        raise ExportError(404, NOT_FOUND, f"there is no province {code}", "provinceCode")
    return Plan(
        export_tables.PROVINCE_PLAN,
        lambda s: exports.plan_rows(s, plan=plan),
        {"province_code": code, "world": world.value, "emphasis": emphasis.value},
        f"recommendations of model {plan.model_version}, quotas counted in the "
        f"{'real record' if world is World.REAL else 'real record and the demo world'}; "
        "synthetic partners are marked per row",
        len(plan.picks),
    )


PLANNERS = {
    export_tables.DISTRICTS.name: _districts,
    export_tables.PARTNERS.name: _partners,
    export_tables.PARTNERSHIPS.name: _partnerships,
    export_tables.QUOTA_PROGRESS.name: _quota,
    export_tables.EXPIRING_COMMITMENTS.name: _expiring,
    export_tables.PROVINCE_PLAN.name: _plan,
}


# --- routes --------------------------------------------------------------------------------


async def _authorize(request: Request) -> tuple[Principal | None, ExportError | None]:
    """The caller (None: anonymous) and the refusal, if the request may not export."""
    principal, rejected = await principal_from_authorization(
        request.app.state.session_factory, request.headers.get("authorization")
    )
    if rejected:
        return None, ExportError(401, UNAUTHENTICATED, REJECTED_TOKEN)
    if request.app.state.settings.reads_require_token and principal is None:
        return None, ExportError(401, UNAUTHENTICATED, MISSING_TOKEN)
    return principal, None  # any valid token is at least a viewer, who may read all this


def export_cost(plan: Plan) -> int:
    """Rate-limit units of an export: one per cell it reads (rows x columns), at least 1.

    A GraphQL query is charged one unit per field of each object it returns
    (:mod:`schema.cost`), so an export costs what the same rows and columns would.
    """
    return max(1, plan.size * len(plan.table.columns))


async def _charge(request: Request, principal: Principal | None, plan: Plan) -> Response | None:
    """Charge the export to its client's budget; the 429 response when it is over."""
    state = request.app.state
    refused = await charge_client(
        getattr(state, "rate_limiter", None),
        state.settings,
        principal,
        request.client.host if request.client else None,
        export_cost(plan),
    )
    if refused is None:
        return None
    error, retry_after = refused
    return JSONResponse(
        refusal_body(error), status_code=429, headers={"Retry-After": str(retry_after)}
    )


def _filename(table: Table, suffix: str) -> str:
    return f"mitra-{table.name}-{dt.date.today().isoformat()}.{suffix}"


async def export(request: Request) -> Response:
    name = request.path_params["table"]
    fmt = request.path_params["format"]
    planner = PLANNERS.get(name)
    if planner is None or fmt not in ("csv", "xlsx", "geojson"):
        return ExportError(404, NOT_FOUND, f"there is no export {name}.{fmt}").response()
    if fmt == "geojson" and name != export_tables.DISTRICTS.name:
        return ExportError(404, NOT_FOUND, "only districts export as GeoJSON").response()
    principal, refused = await _authorize(request)
    if refused is not None:
        return refused.response()
    try:
        async with request.app.state.session_factory() as session:
            plan = await planner(request, qp.Params(request.query_params), session)
    except ExportError as exc:
        return exc.response()
    limited = await _charge(request, principal, plan)
    if limited is not None:
        return limited
    disposition = {"content-disposition": f'attachment; filename="{_filename(plan.table, fmt)}"'}
    if fmt == "csv":
        return StreamingResponse(
            csv_chunks(request, plan), media_type=CSV_TYPE, headers=disposition
        )
    if fmt == "geojson":
        return StreamingResponse(
            geojson_chunks(request, plan), media_type=GEOJSON_TYPE, headers=disposition
        )
    path = await xlsx_file(request, plan)
    return FileResponse(
        path,
        media_type=XLSX_TYPE,
        headers=disposition,
        background=BackgroundTask(os.unlink, path),
    )


async def index(request: Request) -> JSONResponse:
    """What can be exported, with the query parameters each export takes."""
    _principal, refused = await _authorize(request)
    if refused is not None:
        return refused.response()
    return JSONResponse(
        {
            "exports": [
                {
                    "table": t.name,
                    "formats": ["csv", "xlsx"]
                    + (["geojson"] if t is export_tables.DISTRICTS else []),
                    "url": f"/export/{t.name}.csv",
                    "columns": list(t.columns),
                }
                for t in export_tables.TABLES.values()
            ],
            "sources": [{"data": d, "source": s, "licence": lic} for d, s, lic in exports.SOURCES],
        }
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/export/", index, methods=["GET"]),
        Route("/export/{table}.{format}", export, methods=["GET"]),
    ]
