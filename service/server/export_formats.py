"""The export file formats: CSV and GeoJSON streamed batch by batch, XLSX via a temporary file.

A :class:`Plan` (built by :mod:`service.server.exports` from the request) says which table,
which rows and with which filters; the writers here turn it into bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from starlette.concurrency import run_in_threadpool

from service.domain import exports
from service.domain.boundaries import ATTRIBUTION, LICENCE_URL, district_geometries

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.requests import Request

    from service.domain.export_tables import Table
    from service.domain.exports import Row

RowSource = Callable[["AsyncSession"], AsyncIterator["Row"]]


@dataclass
class Plan:
    """One export ready to write: its table, row source, filters and provenance."""

    table: Table
    rows: RowSource
    filters: dict[str, Any]
    provenance: str
    size: int  # the rows it reads: its rate-limit cost is size x columns (exports.export_cost)


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


async def csv_chunks(request: Request, plan: Plan) -> AsyncIterator[bytes]:
    """Stream ``plan``'s rows as CSV, one batch of rows per chunk."""
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


async def xlsx_file(request: Request, plan: Plan) -> str:
    """Write ``plan``'s rows and a README sheet to a temporary XLSX file; return its path."""
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


async def geojson_chunks(request: Request, plan: Plan) -> AsyncIterator[bytes]:
    """Stream ``plan``'s district rows as GeoJSON features with their boundaries."""
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
