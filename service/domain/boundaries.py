"""District boundaries: the TopoJSON in ``data/reference/`` decoded to GeoJSON geometries.

``districts.topo.json`` holds the 514 kabupaten/kota polygons keyed by Kemendagri
``district_code`` (BPS 2020 boundaries via OCHA ROAP / HDX, CC BY 3.0 IGO; see
``data/reference/PROVENANCE.md``). The console draws it in the browser; the GeoJSON
export decodes it here. The file is quantized and delta-encoded (TopoJSON 1.0 with a
``transform``); a negative arc index means the arc reversed.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from service.settings import REFERENCE_DIR

BOUNDARY_FILE = REFERENCE_DIR / "districts.topo.json"
ATTRIBUTION = (
    "Boundaries: BPS - Statistics Indonesia (2020), via OCHA ROAP / HDX (COD-AB), "
    "CC BY 3.0 IGO. Simplified, lakes removed and re-coded to Kemendagri codes."
)
LICENCE_URL = "https://creativecommons.org/licenses/by/3.0/igo/legalcode"

Position = list[float]
Ring = list[Position]


def _decode_arcs(topology: dict[str, Any]) -> list[Ring]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append([round(x * sx + tx, 6), round(y * sy + ty, 6)])
        decoded.append(points)
    return decoded


def _ring(indices: list[int], arcs: list[Ring]) -> Ring:
    points: Ring = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Consecutive arcs share their joining point: keep it once.
        points.extend(arc if not points else arc[1:])
    return points


def _geometry(geometry: dict[str, Any], arcs: list[Ring]) -> dict[str, Any]:
    kind = geometry["type"]
    if kind == "Polygon":
        coordinates: Any = [_ring(r, arcs) for r in geometry["arcs"]]
    elif kind == "MultiPolygon":
        coordinates = [[_ring(r, arcs) for r in polygon] for polygon in geometry["arcs"]]
    else:
        raise ValueError(f"unexpected geometry type in the boundary file: {kind}")
    return {"type": kind, "coordinates": coordinates}


@lru_cache(maxsize=2)
def district_geometries(path: Path = BOUNDARY_FILE) -> dict[str, dict[str, Any]]:
    """GeoJSON geometry (WGS84 lon/lat) of each district, by Kemendagri code."""
    topology = json.loads(path.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    return {
        g["properties"]["district_code"]: _geometry(g, arcs)
        for g in topology["objects"]["districts"]["geometries"]
    }
