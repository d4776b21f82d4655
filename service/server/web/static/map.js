// The district map: a choropleth of the 514 kabupaten/kota drawn from the boundary file
// (TopoJSON, served compressed by this origin), with province outlines on top. Plain SVG
// in an equirectangular projection of Indonesia's bounding box: no tiles, no library.

import { formatPercent, t } from "./i18n.js";

const SVG_NS = "http://www.w3.org/2000/svg";
export const BOUNDS = { west: 94.5, east: 141.5, south: -11.5, north: 6.5 };
const SCALE = 20; // SVG units per degree
export const WIDTH = (BOUNDS.east - BOUNDS.west) * SCALE;
export const HEIGHT = (BOUNDS.north - BOUNDS.south) * SCALE;
export const BOUNDARY_URL = "/static/data/districts.topo.json";
// Districts too small to see at national zoom get a point marker as well (BOUNDARIES.md:
// Kepulauan Seribu survives in the boundary file as a single islet of ~0.6 km²).
const POINT_MARKERS = new Set(["31.01"]);
const MARKER_RADIUS = 3;

// Sequential, colour-blind-safe (ColorBrewer YlOrRd). 14% is the national 2024 target,
// 20/30% are WHO's "high" and "very high" public-health thresholds.
export const PREVALENCE_BINS = [
  { max: 14, colour: "#ffffb2", label: "< 14" },
  { max: 20, colour: "#fecc5c", label: "14–20" },
  { max: 30, colour: "#fd8d3c", label: "20–30" },
  { max: 40, colour: "#f03b20", label: "30–40" },
  { max: Infinity, colour: "#bd0026", label: "≥ 40" },
];
// ColorBrewer PuBuGn: more partners, darker.
export const COVERAGE_BINS = [
  { max: 0, colour: "#ece2f0", label: "0" },
  { max: 1, colour: "#a6bddb", label: "1" },
  { max: 3, colour: "#67a9cf", label: "2–3" },
  { max: 6, colour: "#1c9099", label: "4–6" },
  { max: Infinity, colour: "#016c59", label: "≥ 7" },
];
// Need versus response: a 3 x 3 bivariate scheme (Joshua Stevens' pink-blue). Rows are
// need (latest prevalence < 20, 20–30, ≥ 30 %), columns response (committed partners
// 0, 1–2, ≥ 3). High need with no response is the strong magenta corner.
export const NEED_LEVELS = [
  { max: 20, label: "< 20%" },
  { max: 30, label: "20–30%" },
  { max: Infinity, label: "≥ 30%" },
];
export const RESPONSE_LEVELS = [
  { max: 0, label: "0" },
  { max: 2, label: "1–2" },
  { max: Infinity, label: "≥ 3" },
];
export const NEED_RESPONSE_COLOURS = [
  ["#e8e8e8", "#ace4e4", "#5ac8c8"],
  ["#dfb0d6", "#a5add3", "#5698b9"],
  ["#be64ac", "#8c62aa", "#3b4994"],
];
export const NO_DATA_COLOUR = "#b8b8b8";
export const MODES = ["prevalence", "coverage", "need"];

export function project(lon, lat) {
  return [(lon - BOUNDS.west) * SCALE, (BOUNDS.north - lat) * SCALE];
}

function binColour(bins, value) {
  if (value === null || value === undefined) return NO_DATA_COLOUR;
  for (const bin of bins) if (value < bin.max || (bin.max === 0 && value === 0)) return bin.colour;
  return bins[bins.length - 1].colour;
}

export function prevalenceColour(value) {
  return binColour(PREVALENCE_BINS, value);
}

export function coverageColour(count) {
  if (count === null || count === undefined) return NO_DATA_COLOUR;
  for (const bin of COVERAGE_BINS) if (count <= bin.max) return bin.colour;
  return COVERAGE_BINS[COVERAGE_BINS.length - 1].colour;
}

function level(levels, value, inclusive) {
  for (let i = 0; i < levels.length; i += 1) {
    if (inclusive ? value <= levels[i].max : value < levels[i].max) return i;
  }
  return levels.length - 1;
}

export function needResponseColour(prevalence, committed) {
  if (prevalence === null || prevalence === undefined) return NO_DATA_COLOUR;
  const need = level(NEED_LEVELS, prevalence, false);
  const response = level(RESPONSE_LEVELS, committed || 0, true);
  return NEED_RESPONSE_COLOURS[need][response];
}

/** What a district says: its name and value in the chosen measure, for label and tooltip. */
export function describe(d, mode) {
  const province = d.province ? d.province.name : "";
  const p = d.latestStuntingPrevalence;
  const prevalence = p
    ? `${formatPercent(p.value)} (${p.survey})${p.imputed ? `, ${t("map.imputedShort")}` : ""}`
    : t("map.noData");
  let value;
  if (mode === "coverage") {
    value = d.coverage === null || d.coverage === undefined
      ? t("map.noData")
      : t("map.partnerships", { count: d.coverage });
  } else if (mode === "need") {
    value = `${prevalence}; ${t("map.committed", { count: d.committedPartnerCount || 0 })}`;
  } else {
    value = prevalence;
  }
  return { title: d.name, province, value, label: t("map.circleLabel", { name: d.name, province, value }) };
}

// ---------- TopoJSON ----------

function decodeArcs(topology) {
  const [sx, sy] = topology.transform.scale;
  const [tx, ty] = topology.transform.translate;
  return topology.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map(([dx, dy]) => {
      x += dx;
      y += dy;
      return project(x * sx + tx, y * sy + ty);
    });
  });
}

function ringPath(indices, arcs, box) {
  const points = [];
  for (const index of indices) {
    const arc = index >= 0 ? arcs[index] : arcs[~index].slice().reverse();
    for (let i = points.length ? 1 : 0; i < arc.length; i += 1) points.push(arc[i]);
  }
  for (const [x, y] of points) {
    if (x < box[0]) box[0] = x;
    if (y < box[1]) box[1] = y;
    if (x > box[2]) box[2] = x;
    if (y > box[3]) box[3] = y;
  }
  return `M${points.map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`).join("L")}Z`;
}

function geometryPath(geometry, arcs) {
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const polygons = geometry.type === "Polygon" ? [geometry.arcs] : geometry.arcs;
  const d = polygons.map((rings) => rings.map((r) => ringPath(r, arcs, box)).join("")).join("");
  return { d, box };
}

/** Path data and bounding box of every district and province, keyed by code. */
export function decodeBoundaries(topology) {
  const arcs = decodeArcs(topology);
  const shapes = (name, key) => new Map(
    topology.objects[name].geometries.map((g) => [g.properties[key], geometryPath(g, arcs)]),
  );
  return {
    districts: shapes("districts", "district_code"),
    provinces: shapes("provinces", "province_code"),
  };
}

// ---------- the map ----------

export class DistrictMap {
  constructor(svg, tooltip, { onSelect }) {
    this.svg = svg;
    this.tooltip = tooltip;
    this.onSelect = onSelect;
    this.mode = "prevalence";
    this.districts = [];
    this.byCode = new Map();
    this.shapes = new Map(); // code -> path element
    this.markers = new Map();
    this.boundaries = null;
    this.matching = null;
    this.selected = null;
    this.focusCode = null;
    this.zoomed = null;
    svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    this.defs = document.createElementNS(SVG_NS, "defs");
    this.layer = document.createElementNS(SVG_NS, "g");
    this.layer.setAttribute("class", "districts");
    this.outlines = document.createElementNS(SVG_NS, "g");
    this.outlines.setAttribute("class", "provinces");
    this.outlines.setAttribute("aria-hidden", "true");
    this.markerLayer = document.createElementNS(SVG_NS, "g");
    this.markerLayer.setAttribute("class", "markers");
    svg.append(this.defs, this.layer, this.outlines, this.markerLayer);
    svg.addEventListener("keydown", (e) => this.onKey(e));
  }

  /** Fetch and decode the boundary file; draws as soon as the districts are in too. */
  async loadBoundaries(url = BOUNDARY_URL) {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    this.boundaries = decodeBoundaries(await response.json());
    if (this.districts.length) this.draw();
    return this.boundaries;
  }

  setDistricts(districts) {
    this.districts = districts;
    this.byCode = new Map(districts.map((d) => [d.code, d]));
    for (const d of districts) {
      const [x, y] = project(d.longitude, d.latitude);
      d._x = x;
      d._y = y;
    }
    if (this.boundaries) this.draw();
  }

  get drawn() {
    return this.shapes.size;
  }

  draw() {
    this.layer.replaceChildren();
    this.outlines.replaceChildren();
    this.markerLayer.replaceChildren();
    this.shapes.clear();
    this.markers.clear();
    const ordered = [...this.districts].sort((a, b) => (a.code < b.code ? -1 : 1));
    const frag = document.createDocumentFragment();
    for (const d of ordered) {
      const shape = this.boundaries.districts.get(d.code);
      if (!shape) continue;
      const path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("d", shape.d);
      path.setAttribute("fill-rule", "evenodd"); // lakes are holes
      path.setAttribute("tabindex", "-1");
      path.setAttribute("role", "button");
      path.setAttribute("class", "district");
      path.dataset.code = d.code;
      this.listen(path, d.code, { focusable: true });
      this.shapes.set(d.code, path);
      frag.appendChild(path);
      if (POINT_MARKERS.has(d.code)) {
        const marker = document.createElementNS(SVG_NS, "circle");
        marker.setAttribute("cx", d._x.toFixed(1));
        marker.setAttribute("cy", d._y.toFixed(1));
        marker.setAttribute("r", MARKER_RADIUS);
        marker.setAttribute("class", "district-marker");
        marker.setAttribute("aria-hidden", "true");
        marker.dataset.code = d.code;
        this.listen(marker, d.code, { focusable: false });
        this.markers.set(d.code, marker);
        this.markerLayer.appendChild(marker);
      }
    }
    this.layer.appendChild(frag);
    for (const [code, shape] of this.boundaries.provinces) {
      const outline = document.createElementNS(SVG_NS, "path");
      outline.setAttribute("d", shape.d);
      outline.setAttribute("class", "province-outline");
      outline.dataset.province = code;
      this.outlines.appendChild(outline);
    }
    this.setFocusable(this.selected || (ordered[0] && ordered[0].code));
    this.restyle();
  }

  listen(element, code, { focusable }) {
    element.addEventListener("click", () => this.select(code, { notify: true }));
    element.addEventListener("mouseenter", () => this.showTooltip(code));
    element.addEventListener("mouseleave", () => this.hideTooltip());
    if (!focusable) return;
    element.addEventListener("focus", () => {
      this.setFocusable(code);
      this.showTooltip(code);
    });
    element.addEventListener("blur", () => this.hideTooltip());
  }

  setMode(mode) {
    this.mode = MODES.includes(mode) ? mode : "prevalence";
    this.restyle();
  }

  /** `codes` is a Set of matching district codes, or null for "no filter". */
  setMatching(codes) {
    this.matching = codes;
    this.restyle();
  }

  /** A fill with white diagonal hatching over `colour`: how imputed figures are drawn. */
  hatch(colour) {
    const id = `hatch-${colour.replace("#", "")}`;
    if (!this.defs.querySelector(`#${id}`)) {
      const pattern = document.createElementNS(SVG_NS, "pattern");
      pattern.setAttribute("id", id);
      pattern.setAttribute("patternUnits", "userSpaceOnUse");
      pattern.setAttribute("width", "4");
      pattern.setAttribute("height", "4");
      pattern.setAttribute("patternTransform", "rotate(45)");
      const rect = document.createElementNS(SVG_NS, "rect");
      rect.setAttribute("width", "4");
      rect.setAttribute("height", "4");
      rect.setAttribute("fill", colour);
      const line = document.createElementNS(SVG_NS, "line");
      line.setAttribute("x1", "0");
      line.setAttribute("y1", "0");
      line.setAttribute("x2", "0");
      line.setAttribute("y2", "4");
      line.setAttribute("stroke", "#ffffff");
      line.setAttribute("stroke-width", "1.6");
      pattern.append(rect, line);
      this.defs.appendChild(pattern);
    }
    return `url(#${id})`;
  }

  colourOf(d) {
    const p = d.latestStuntingPrevalence;
    if (this.mode === "coverage") return { colour: coverageColour(d.coverage), imputed: false };
    const imputed = Boolean(p && p.imputed);
    if (this.mode === "need") {
      return { colour: needResponseColour(p ? p.value : null, d.committedPartnerCount), imputed };
    }
    return { colour: prevalenceColour(p ? p.value : null), imputed };
  }

  restyle() {
    for (const d of this.districts) {
      const path = this.shapes.get(d.code);
      if (!path) continue;
      const { colour, imputed } = this.colourOf(d);
      const fill = imputed ? this.hatch(colour) : colour;
      path.setAttribute("fill", fill);
      path.dataset.colour = colour;
      path.classList.toggle("imputed", imputed);
      path.classList.toggle("no-data", colour === NO_DATA_COLOUR);
      const dimmed = this.matching !== null && !this.matching.has(d.code);
      path.classList.toggle("dimmed", dimmed);
      path.classList.toggle("selected", d.code === this.selected);
      path.setAttribute("aria-label", describe(d, this.mode).label);
      path.setAttribute("aria-pressed", d.code === this.selected ? "true" : "false");
      const marker = this.markers.get(d.code);
      if (marker) {
        marker.setAttribute("fill", fill);
        marker.classList.toggle("dimmed", dimmed);
        marker.classList.toggle("selected", d.code === this.selected);
      }
    }
  }

  /** Fit the view to a province ("53") or, with null, to the whole country. */
  zoomTo(provinceCode) {
    const shape = provinceCode && this.boundaries && this.boundaries.provinces.get(provinceCode);
    this.zoomed = shape ? provinceCode : null;
    this.svg.dataset.zoom = this.zoomed || "";
    if (!shape) {
      this.svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
      return;
    }
    const [x0, y0, x1, y1] = shape.box;
    const pad = Math.max(x1 - x0, y1 - y0) * 0.08 + 2;
    this.svg.setAttribute(
      "viewBox",
      `${(x0 - pad).toFixed(1)} ${(y0 - pad).toFixed(1)} ${(x1 - x0 + 2 * pad).toFixed(1)} ${(y1 - y0 + 2 * pad).toFixed(1)}`,
    );
  }

  setFocusable(code) {
    if (!code || !this.shapes.has(code)) return;
    if (this.focusCode && this.shapes.has(this.focusCode)) {
      this.shapes.get(this.focusCode).setAttribute("tabindex", "-1");
    }
    this.focusCode = code;
    this.shapes.get(code).setAttribute("tabindex", "0");
  }

  select(code, { notify = false } = {}) {
    if (!this.byCode.has(code)) return;
    this.selected = code;
    this.setFocusable(code);
    const path = this.shapes.get(code);
    // Drawn last so the selection outline is never hidden under a neighbour.
    if (path) this.layer.appendChild(path);
    this.restyle();
    if (notify) this.onSelect(code);
  }

  showTooltip(code) {
    const d = this.byCode.get(code);
    const element = this.markers.get(code) || this.shapes.get(code);
    if (!d || !element) return;
    const info = describe(d, this.mode);
    this.tooltip.replaceChildren();
    const strong = document.createElement("strong");
    strong.textContent = info.title;
    const prov = document.createElement("span");
    prov.textContent = info.province;
    const val = document.createElement("span");
    val.textContent = info.value;
    this.tooltip.append(strong, prov, val);
    this.tooltip.hidden = false;
    const box = element.getBoundingClientRect();
    const host = this.tooltip.offsetParent || document.body;
    const hostBox = host.getBoundingClientRect();
    const tipBox = this.tooltip.getBoundingClientRect();
    let left = box.left - hostBox.left + box.width / 2 - tipBox.width / 2;
    left = Math.max(4, Math.min(left, hostBox.width - tipBox.width - 4));
    let top = box.top - hostBox.top - tipBox.height - 8;
    if (top < 0) top = box.bottom - hostBox.top + 8;
    this.tooltip.style.left = `${left}px`;
    this.tooltip.style.top = `${top}px`;
  }

  hideTooltip() {
    this.tooltip.hidden = true;
  }

  /** Arrow keys move to the nearest district in that direction; Enter/Space selects. */
  onKey(e) {
    const current = this.byCode.get(this.focusCode);
    if (!current) return;
    const dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      this.select(current.code, { notify: true });
      return;
    }
    let next = null;
    if (e.key in dirs) {
      const [dx, dy] = dirs[e.key];
      let best = Infinity;
      for (const d of this.districts) {
        if (d === current || !this.shapes.has(d.code)) continue;
        const vx = d._x - current._x;
        const vy = d._y - current._y;
        const along = vx * dx + vy * dy;
        if (along <= 0) continue;
        const across = Math.abs(vx * dy - vy * dx);
        // Prefer districts straight ahead: sideways distance costs double.
        const cost = along + 2 * across;
        if (cost < best) {
          best = cost;
          next = d;
        }
      }
    } else if (e.key === "Home" || e.key === "End") {
      const sorted = [...this.districts].sort((a, b) => (a.code < b.code ? -1 : 1));
      next = e.key === "Home" ? sorted[0] : sorted[sorted.length - 1];
    } else {
      return;
    }
    e.preventDefault();
    if (next) {
      this.setFocusable(next.code);
      this.shapes.get(next.code).focus();
    }
  }
}
