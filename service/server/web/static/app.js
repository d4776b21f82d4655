// Mitra planner console: wires the map, the filters and the panels to /graphql.

import { allNodes, download, getToken, getWorld, gql, setToken, setWorld } from "./api.js";
import { DistrictPanel } from "./district.js";
import { errorBox, h } from "./dom.js";
import {
  formatPercent,
  initLanguage,
  language,
  onLanguageChange,
  setLanguage,
  t,
  translateDocument,
} from "./i18n.js";
import {
  COVERAGE_BINS,
  DistrictMap,
  NEED_LEVELS,
  NEED_RESPONSE_COLOURS,
  NO_DATA_COLOUR,
  PREVALENCE_BINS,
  RESPONSE_LEVELS,
} from "./map.js";
import { NATIONAL_QUERY, NationalPanel, ProvincePanel, renderNationalSummary } from "./province.js";

const PAGE_SIZE = 100; // the API's cap
const LIST_LIMIT = 60;

const MAP_QUERY = `
query ConsoleMap($first: Int!, $after: String, $world: World = REAL) {
  districts(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      code name shortName latitude longitude underdeveloped
      province { code name }
      latestStuntingPrevalence { value year survey imputed }
      activePartnerCounts(world: $world) { kind count }
      reportedRealPartnershipCount
      committedPartnerCount(world: $world)
    } }
  }
}`;

const FILTER_QUERY = `
query ConsoleFilter($first: Int!, $after: String, $filter: DistrictFilter, $orderBy: DistrictOrder) {
  districts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { code } }
  }
}`;

const $ = (sel) => document.querySelector(sel);

const state = {
  districts: [],
  byCode: new Map(),
  matching: null, // null = no filter; otherwise an array of codes in prevalence order
  filterSeq: 0,
  provinces: [],
  national: null,
};

let map;
let districtPanel;
let provincePanel;
let nationalPanel;

// ---------- language ----------

function setupLanguage() {
  initLanguage();
  translateDocument();
  for (const btn of document.querySelectorAll("button.lang")) {
    btn.addEventListener("click", () => setLanguage(btn.dataset.lang));
  }
  const sync = () => {
    for (const btn of document.querySelectorAll("button.lang")) {
      btn.setAttribute("aria-pressed", btn.dataset.lang === language() ? "true" : "false");
    }
  };
  sync();
  onLanguageChange(() => {
    sync();
    renderToken();
    renderWorld();
    renderLegend();
    renderFilterStatus();
    renderList();
    map.restyle();
    renderNationalSummary($("#national-summary"), state.national && state.national.campaignProgress);
    districtPanel.render();
    provincePanel.render();
    nationalPanel.render();
    if (state.districts.length) $("#map-status").textContent = t("map.loaded", { count: state.districts.length });
    if (map.drawn) applyZoom();
    $("#map").setAttribute("aria-label", t("map.label", { count: state.districts.length || 514 }));
  });
}

// ---------- world: the real record, or the demo world on request ----------

function renderWorld() {
  const demo = getWorld() === "DEMO";
  const toggle = $("#world-toggle");
  toggle.setAttribute("aria-pressed", demo ? "true" : "false");
  toggle.textContent = demo ? t("world.toggleOff") : t("world.toggle");
  const banner = $("#demo-banner");
  banner.hidden = !demo;
  banner.textContent = demo ? t("world.banner") : "";
  document.body.dataset.world = demo ? "DEMO" : "REAL";
}

/** Reload everything the world changes: the map's coverage, the panels, national progress. */
function reloadForWorld() {
  state.national = null;
  loadNational();
  loadDistricts();
  if (districtPanel.code) districtPanel.load(districtPanel.code);
  if (provincePanel.code) provincePanel.load(provincePanel.code);
}

function setupWorld() {
  renderWorld();
  $("#world-toggle").addEventListener("click", async () => {
    const status = $("#world-status");
    if (getWorld() === "DEMO") {
      setWorld("REAL");
      status.textContent = t("world.realOn");
    } else {
      // Ask first: a database without a demo world says so, and the console stays real.
      try {
        await gql("query ConsoleWorldCheck($world: World!) { campaignProgress(world: $world) { world } }", {
          world: "DEMO",
        });
      } catch (err) {
        status.textContent = err.message;
        $("#demo-banner").hidden = false;
        $("#demo-banner").textContent = err.message;
        return;
      }
      setWorld("DEMO");
      status.textContent = t("world.demoOn");
    }
    renderWorld();
    reloadForWorld();
  });
}

// ---------- token ----------

function renderToken() {
  $("#token-status").textContent = getToken() ? t("token.set") : t("token.unset");
  $("#token-status").classList.toggle("has-token", Boolean(getToken()));
}

/** After the token changes: reload what failed without one, redraw what depends on it. */
function afterTokenChange() {
  renderToken();
  if (!state.districts.length) loadDistricts();
  if (!state.national) loadNational();
  if (districtPanel.code && districtPanel.failed()) districtPanel.load(districtPanel.code);
  else districtPanel.render();
}

function setupToken() {
  $("#token-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const input = $("#token-input");
    const token = input.value.trim();
    const status = $("#token-status");
    if (!token) return;
    // Check it before keeping it: a refused token would make every request fail.
    const previous = getToken();
    setToken(token);
    try {
      await gql("query ConsoleTokenCheck { __typename }");
    } catch (err) {
      setToken(previous);
      renderToken();
      status.textContent = err.message;
      status.classList.add("refused");
      input.focus();
      return;
    }
    status.classList.remove("refused");
    input.value = "";
    afterTokenChange();
  });
  $("#token-clear").addEventListener("click", () => {
    setToken("");
    $("#token-input").value = "";
    $("#token-status").classList.remove("refused");
    afterTokenChange();
  });
  renderToken();
}

// ---------- tabs ----------

const TABS = ["district", "province", "national"];

function showTab(name, { focus = false } = {}) {
  for (const tab of TABS) {
    const button = $(`#tab-${tab}`);
    const selected = tab === name;
    button.setAttribute("aria-selected", selected ? "true" : "false");
    button.tabIndex = selected ? 0 : -1;
    $(`#view-${tab}`).hidden = !selected;
    if (selected && focus) button.focus();
  }
}

function setupTabs() {
  for (const tab of TABS) {
    const button = $(`#tab-${tab}`);
    button.addEventListener("click", () => showTab(tab));
    button.addEventListener("keydown", (e) => {
      const i = TABS.indexOf(tab);
      let next = null;
      if (e.key === "ArrowRight") next = TABS[(i + 1) % TABS.length];
      else if (e.key === "ArrowLeft") next = TABS[(i + TABS.length - 1) % TABS.length];
      else if (e.key === "Home") next = TABS[0];
      else if (e.key === "End") next = TABS[TABS.length - 1];
      if (next) {
        e.preventDefault();
        showTab(next, { focus: true });
      }
    });
  }
}

// ---------- legend ----------

function swatch(colour, { hatched = false } = {}) {
  const s = h("span", { class: `swatch${hatched ? " hatched" : ""}`, "aria-hidden": "true" });
  s.style.backgroundColor = colour;
  return s;
}

function needLegend() {
  // Rows: need from high (top) to low; columns: response from none to most.
  const rows = [...NEED_LEVELS.keys()].reverse().map((need) =>
    h(
      "tr",
      {},
      h("th", { scope: "row" }, NEED_LEVELS[need].label),
      ...RESPONSE_LEVELS.map((_, response) => h("td", {}, swatch(NEED_RESPONSE_COLOURS[need][response]))),
    ),
  );
  return h(
    "table",
    { class: "bivariate" },
    h("caption", {}, t("legend.need")),
    h(
      "thead",
      {},
      h("tr", {}, h("th", { scope: "col" }, `${t("legend.needAxis")} ↓ · ${t("legend.responseAxis")} →`),
        ...RESPONSE_LEVELS.map((l) => h("th", { scope: "col" }, l.label))),
    ),
    h("tbody", {}, ...rows),
  );
}

function renderLegend() {
  const mode = $("#f-colour").value;
  const body = $("#legend-body");
  if (mode === "need") {
    body.replaceChildren(
      needLegend(),
      h("p", { class: "legend-note" }, swatch(NO_DATA_COLOUR), " ", t("legend.noData")),
      h("p", { class: "legend-note" }, swatch("#be64ac", { hatched: true }), " ", t("legend.imputed")),
      h("p", { class: "legend-note" }, h("span", { class: "swatch dimmed", "aria-hidden": "true" }), " ", t("legend.dimmed")),
    );
    return;
  }
  if (mode === "coverage") {
    body.replaceChildren(
      h("p", { class: "legend-title" }, t("legend.coverage")),
      h("ul", { class: "legend-items" }, COVERAGE_BINS.map((b) => h("li", {}, swatch(b.colour), b.label))),
      h("p", { class: "legend-note" }, swatch("#999", {}), " ", t("legend.dimmed")),
    );
    body.lastChild.firstChild.classList.add("dimmed");
    return;
  }
  body.replaceChildren(
    h("p", { class: "legend-title" }, t("legend.prevalence")),
    h(
      "ul",
      { class: "legend-items" },
      PREVALENCE_BINS.map((b) => h("li", {}, swatch(b.colour), b.label)),
      h("li", {}, swatch(NO_DATA_COLOUR), t("legend.noData")),
    ),
    h("p", { class: "legend-note" }, swatch("#f03b20", { hatched: true }), " ", t("legend.imputed")),
    h("p", { class: "legend-note" }, h("span", { class: "swatch dimmed", "aria-hidden": "true" }), " ", t("legend.dimmed")),
  );
}

// ---------- districts and the map ----------

function coverage(node) {
  const active = (node.activePartnerCounts || []).reduce((sum, k) => sum + k.count, 0);
  return active + (node.reportedRealPartnershipCount || 0);
}

let boundaries = null;

function loadBoundaries() {
  if (!boundaries) {
    boundaries = map.loadBoundaries().catch((err) => {
      boundaries = null;
      throw err;
    });
  }
  return boundaries;
}

async function loadDistricts() {
  const status = $("#map-status");
  status.textContent = t("map.loading", { loaded: 0, total: "…" });
  $("#map").setAttribute("aria-busy", "true");
  const shapes = loadBoundaries();
  try {
    const { nodes } = await allNodes(MAP_QUERY, { first: PAGE_SIZE }, (d) => d.districts, {
      onPage: (loaded, total) => {
        status.textContent = t("map.loading", { loaded, total });
      },
    });
    for (const n of nodes) n.coverage = coverage(n);
    state.districts = nodes;
    state.byCode = new Map(nodes.map((n) => [n.code, n]));
    map.setDistricts(nodes);
    try {
      await shapes;
    } catch (err) {
      status.replaceChildren(errorBox(new Error(t("map.boundaryError", { message: err.message })), () => loadDistricts()));
      return;
    }
    $("#map").setAttribute("aria-busy", "false");
    $("#map").setAttribute("aria-label", t("map.label", { count: nodes.length }));
    status.textContent = t("map.loaded", { count: nodes.length });
    document.body.dataset.mapReady = String(map.drawn);
    renderList();
    applyZoom();
    const fromHash = codeFromHash();
    if (fromHash) selectDistrict(fromHash, { focusPanel: false });
  } catch (err) {
    status.replaceChildren(errorBox(err, () => loadDistricts()));
  }
}

// ---------- zoom to a province ----------

function applyZoom() {
  const code = $("#f-province").value || null;
  map.zoomTo(code);
  const province = state.provinces.find((p) => p.code === code);
  $("#zoom-out").hidden = !code;
  $("#zoom-status").textContent = code ? t("map.zoomedTo", { name: province ? province.name : code }) : "";
}

function setupZoom() {
  $("#f-province").addEventListener("change", () => applyZoom());
  $("#zoom-out").addEventListener("click", () => {
    $("#f-province").value = "";
    applyZoom();
    applyFilters();
  });
}

// ---------- exports ----------

function exportUrl(table, format) {
  const params = new URLSearchParams();
  const filter = readFilter();
  if (table === "districts") {
    for (const [key, value] of Object.entries(filter)) params.set(key, String(value));
  } else if (filter.provinceCode) {
    params.set("provinceCode", filter.provinceCode);
  }
  // The export follows the console's world, like every answer on the page.
  if (getWorld() === "DEMO") params.set("world", "demo");
  const query = params.toString();
  return `/export/${table}.${format}${query ? `?${query}` : ""}`;
}

function setupExports() {
  for (const link of document.querySelectorAll("a.export")) {
    link.addEventListener("click", async (e) => {
      e.preventDefault();
      const status = $("#export-status");
      const url = exportUrl(link.dataset.table, link.dataset.format);
      link.setAttribute("href", url);
      status.textContent = "…";
      try {
        status.textContent = await download(url);
      } catch (err) {
        status.textContent = t("export.failed", { message: err.message });
      }
    });
  }
}

function codeFromHash() {
  const m = /(?:^#|&)d=([0-9]{2}\.[0-9]{2})/.exec(window.location.hash);
  return m ? m[1] : null;
}

function selectDistrict(code, { focusPanel = true } = {}) {
  if (!state.byCode.has(code)) return;
  map.select(code);
  showTab("district");
  if (codeFromHash() !== code) history.replaceState(null, "", `#d=${code}`);
  const done = districtPanel.load(code);
  const province = state.byCode.get(code).province.code;
  if (provincePanel.code !== province) {
    $("#p-province").value = province;
    provincePanel.load(province);
  }
  if (focusPanel) {
    // On a phone the panel is below the map: take the reader there.
    done.then(() => {
      const heading = $("#district-name");
      if (heading) heading.focus({ preventScroll: window.matchMedia("(min-width: 60rem)").matches });
    });
  }
}

function renderList() {
  const list = $("#district-list");
  if (!state.districts.length) {
    list.replaceChildren();
    return;
  }
  const codes = state.matching || [...state.districts]
    .sort((a, b) => (b.latestStuntingPrevalence?.value ?? -1) - (a.latestStuntingPrevalence?.value ?? -1))
    .map((d) => d.code);
  const shown = codes.slice(0, LIST_LIMIT).map((c) => state.byCode.get(c)).filter(Boolean);
  const items = shown.map((d) => {
    const p = d.latestStuntingPrevalence;
    return h(
      "li",
      {},
      h(
        "button",
        { type: "button", class: "list-item", dataset: { code: d.code }, onclick: () => selectDistrict(d.code) },
        h("span", { class: "name" }, d.name),
        h("span", { class: "sub" }, d.province.name),
        h("span", { class: `value${p && p.imputed ? " imputed" : ""}` }, p ? formatPercent(p.value) : t("map.noData")),
      ),
    );
  });
  if (codes.length > shown.length) items.push(h("li", { class: "more" }, t("list.more", { count: codes.length - shown.length })));
  list.replaceChildren(...items);
}

// ---------- filters ----------

function readFilter() {
  const f = {};
  const province = $("#f-province").value;
  if (province) f.provinceCode = province;
  const under = $("#f-underdeveloped").value;
  if (under) f.underdeveloped = under === "true";
  const min = $("#f-min").value;
  const max = $("#f-max").value;
  if (min !== "" && !Number.isNaN(Number(min))) f.prevalenceMin = Number(min);
  if (max !== "" && !Number.isNaN(Number(max))) f.prevalenceMax = Number(max);
  const search = $("#f-search").value.trim();
  if (search) f.search = search;
  return f;
}

let lastFilterError = null;

function renderFilterStatus() {
  const el = $("#filter-status");
  if (lastFilterError) {
    el.replaceChildren(errorBox(lastFilterError));
    return;
  }
  el.textContent = state.matching
    ? t("filters.matching", { count: state.matching.length, total: state.districts.length })
    : "";
}

async function applyFilters() {
  const seq = ++state.filterSeq;
  const filter = readFilter();
  lastFilterError = null;
  if (filter.prevalenceMin !== undefined && filter.prevalenceMax !== undefined && filter.prevalenceMin > filter.prevalenceMax) {
    lastFilterError = new Error(t("filters.invalidRange"));
    renderFilterStatus();
    return;
  }
  if (!Object.keys(filter).length) {
    state.matching = null;
    map.setMatching(null);
    renderFilterStatus();
    renderList();
    return;
  }
  $("#filter-status").textContent = "…";
  try {
    const { nodes } = await allNodes(FILTER_QUERY, {
      first: PAGE_SIZE,
      filter,
      orderBy: { field: "PREVALENCE", direction: "DESC" },
    }, (d) => d.districts);
    if (seq !== state.filterSeq) return; // a newer filter won
    state.matching = nodes.map((n) => n.code);
    map.setMatching(new Set(state.matching));
  } catch (err) {
    if (seq !== state.filterSeq) return;
    lastFilterError = err;
  }
  renderFilterStatus();
  renderList();
}

function setupFilters() {
  let timer = null;
  const form = $("#filters");
  const schedule = (delay) => {
    clearTimeout(timer);
    timer = setTimeout(applyFilters, delay);
  };
  form.addEventListener("input", (e) => {
    if (e.target.id === "f-colour") return;
    schedule(e.target.type === "search" || e.target.type === "number" ? 350 : 0);
  });
  form.addEventListener("change", (e) => {
    if (e.target.id === "f-colour") {
      map.setMode(e.target.value);
      renderLegend();
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    schedule(0);
  });
  form.addEventListener("reset", () => {
    setTimeout(() => {
      map.setMode($("#f-colour").value);
      renderLegend();
      applyZoom();
      schedule(0);
    });
  });
}

// ---------- provinces and national progress ----------

function fillProvinceSelects(provinces) {
  for (const id of ["#f-province", "#p-province"]) {
    const select = $(id);
    const keep = select.value;
    for (const opt of [...select.options]) if (opt.value) opt.remove();
    for (const p of provinces) select.append(h("option", { value: p.code }, p.name));
    select.value = keep;
  }
}

async function loadNational() {
  try {
    const data = await gql(NATIONAL_QUERY);
    state.national = data;
    state.provinces = data.provinces;
    fillProvinceSelects(data.provinces);
    renderNationalSummary($("#national-summary"), data.campaignProgress);
    nationalPanel.setData(data, null);
  } catch (err) {
    $("#national-summary").replaceChildren(errorBox(err, () => loadNational()));
    nationalPanel.setData(null, err);
  }
}

function showProvince(code) {
  $("#p-province").value = code;
  provincePanel.load(code);
  showTab("province", { focus: true });
}

// ---------- start ----------

function start() {
  map = new DistrictMap($("#map"), $("#tooltip"), { onSelect: (code) => selectDistrict(code) });
  districtPanel = new DistrictPanel($("#district-view"), {
    onShowProvince: showProvince,
    onChanged: () => {
      loadNational();
      if (provincePanel.code) provincePanel.load(provincePanel.code);
    },
  });
  provincePanel = new ProvincePanel($("#province-view"), { onChanged: () => loadNational() });
  nationalPanel = new NationalPanel($("#national-view"), { onProvince: showProvince });
  setupLanguage();
  setupWorld();
  setupToken();
  setupTabs();
  setupFilters();
  setupZoom();
  setupExports();
  renderLegend();
  $("#p-province").addEventListener("change", (e) => provincePanel.load(e.target.value || null));
  window.addEventListener("hashchange", () => {
    const code = codeFromHash();
    if (code && code !== districtPanel.code) selectDistrict(code);
  });
  nationalPanel.render();
  loadNational();
  loadDistricts();
}

start();
