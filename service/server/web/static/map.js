// The district map: one SVG circle per district, placed by an equirectangular
// projection of Indonesia's bounding box. No tiles, no external data.

import { formatPercent, t } from "./i18n.js";

const SVG_NS = "http://www.w3.org/2000/svg";
export const BOUNDS = { west: 94.5, east: 141.5, south: -11.5, north: 6.5 };
const SCALE = 20; // SVG units per degree
export const WIDTH = (BOUNDS.east - BOUNDS.west) * SCALE;
export const HEIGHT = (BOUNDS.north - BOUNDS.south) * SCALE;
const RADIUS = 4.2;

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
export const NO_DATA_COLOUR = "#b8b8b8";

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

/** What a district's circle says: its name and value, for aria-label and tooltip. */
export function describe(d, mode) {
  const province = d.province ? d.province.name : "";
  let value;
  if (mode === "coverage") {
    value = d.coverage === null || d.coverage === undefined
      ? t("map.noData")
      : t("map.partnerships", { count: d.coverage });
  } else {
    const p = d.latestStuntingPrevalence;
    value = p
      ? `${formatPercent(p.value)} (${p.survey})${p.imputed ? `, ${t("map.imputedShort")}` : ""}`
      : t("map.noData");
  }
  return { title: d.name, province, value, label: t("map.circleLabel", { name: d.name, province, value }) };
}

export class DistrictMap {
  constructor(svg, tooltip, { onSelect }) {
    this.svg = svg;
    this.tooltip = tooltip;
    this.onSelect = onSelect;
    this.mode = "prevalence";
    this.districts = [];
    this.byCode = new Map();
    this.circles = new Map();
    this.matching = null;
    this.selected = null;
    this.focusCode = null;
    svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    this.layer = document.createElementNS(SVG_NS, "g");
    this.layer.setAttribute("class", "districts");
    svg.appendChild(this.layer);
    svg.addEventListener("keydown", (e) => this.onKey(e));
  }

  setDistricts(districts) {
    this.districts = districts;
    this.byCode = new Map(districts.map((d) => [d.code, d]));
    this.layer.replaceChildren();
    this.circles.clear();
    // Large districts first so the many small cities of Java stay on top and clickable.
    const ordered = [...districts].sort((a, b) => (a.code < b.code ? -1 : 1));
    const frag = document.createDocumentFragment();
    for (const d of ordered) {
      const [x, y] = project(d.longitude, d.latitude);
      d._x = x;
      d._y = y;
      const c = document.createElementNS(SVG_NS, "circle");
      c.setAttribute("cx", x.toFixed(1));
      c.setAttribute("cy", y.toFixed(1));
      c.setAttribute("r", RADIUS);
      c.setAttribute("tabindex", "-1");
      c.setAttribute("role", "button");
      c.setAttribute("class", "district");
      c.dataset.code = d.code;
      c.addEventListener("click", () => this.select(d.code, { notify: true }));
      c.addEventListener("mouseenter", () => this.showTooltip(d.code));
      c.addEventListener("mouseleave", () => this.hideTooltip());
      c.addEventListener("focus", () => {
        this.setFocusable(d.code);
        this.showTooltip(d.code);
      });
      c.addEventListener("blur", () => this.hideTooltip());
      this.circles.set(d.code, c);
      frag.appendChild(c);
    }
    this.layer.appendChild(frag);
    this.setFocusable(this.selected || (ordered[0] && ordered[0].code));
    this.restyle();
  }

  setMode(mode) {
    this.mode = mode;
    this.restyle();
  }

  /** `codes` is a Set of matching district codes, or null for "no filter". */
  setMatching(codes) {
    this.matching = codes;
    this.restyle();
  }

  restyle() {
    for (const d of this.districts) {
      const c = this.circles.get(d.code);
      if (!c) continue;
      const p = d.latestStuntingPrevalence;
      let colour;
      let hollow = false;
      if (this.mode === "coverage") {
        colour = coverageColour(d.coverage);
      } else {
        colour = prevalenceColour(p ? p.value : null);
        hollow = Boolean(p && p.imputed);
      }
      c.setAttribute("fill", hollow ? "#ffffff" : colour);
      c.setAttribute("stroke", hollow ? colour : "#3b3b3b");
      c.classList.toggle("imputed", hollow);
      c.classList.toggle("no-data", colour === NO_DATA_COLOUR);
      const dimmed = this.matching !== null && !this.matching.has(d.code);
      c.classList.toggle("dimmed", dimmed);
      c.classList.toggle("selected", d.code === this.selected);
      c.setAttribute("aria-label", describe(d, this.mode).label);
      c.setAttribute("aria-pressed", d.code === this.selected ? "true" : "false");
    }
  }

  setFocusable(code) {
    if (!code || !this.circles.has(code)) return;
    if (this.focusCode && this.circles.has(this.focusCode)) {
      this.circles.get(this.focusCode).setAttribute("tabindex", "-1");
    }
    this.focusCode = code;
    this.circles.get(code).setAttribute("tabindex", "0");
  }

  select(code, { notify = false } = {}) {
    if (!this.byCode.has(code)) return;
    this.selected = code;
    this.setFocusable(code);
    const c = this.circles.get(code);
    // Drawn last so the selection ring is never hidden under a neighbour.
    this.layer.appendChild(c);
    this.restyle();
    if (notify) this.onSelect(code);
  }

  showTooltip(code) {
    const d = this.byCode.get(code);
    const c = this.circles.get(code);
    if (!d || !c) return;
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
    const box = c.getBoundingClientRect();
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
        if (d === current) continue;
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
      this.circles.get(next.code).focus();
    }
  }
}
