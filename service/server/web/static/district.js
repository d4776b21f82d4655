// The district panel: prevalence series, partnerships, recommended partners, and
// (with a planner token) proposing a partnership or rejecting a recommendation.

import { ApiError, getToken, gql } from "./api.js";
import { bar, errorBox, h, loading, sourceLink } from "./dom.js";
import { formatInteger, formatNumber, formatPercent, label, locale, reasonText, t } from "./i18n.js";

export const RECOMMENDATION_COUNT = 10;

const DISTRICT_QUERY = `
query ConsoleDistrict($code: String!, $world: World = REAL) {
  district(code: $code) {
    code name type underdeveloped population
    province { code name }
    latestStuntingPrevalence { value year survey imputed source sourceUrl }
    stuntingPrevalenceSeries { year survey value imputed source sourceUrl }
    imputedStuntingPrevalence { year survey value imputed source sourceUrl }
    partnerships(world: $world) {
      id databaseId status startYear startDate endDate durationMonths synthetic sourceUrl
      interventionAreas
      partner { id databaseId name kind synthetic }
    }
  }
}`;

const SITUATION_QUERY = `
query ConsoleSituation($code: String!, $world: World = REAL) {
  district(code: $code) {
    code
    situation(world: $world) {
      latestPrevalence { value survey imputed }
      targetPct gapToTarget underdeveloped
      byArea { area partnerCount partnershipCount knownBudgetIdr partnershipsWithoutBudget }
      uncoveredAreas
      partnerCount partnershipCount partnershipsWithoutArea knownBudgetIdr partnershipsWithoutBudget
      provinceQuotas { category target committed committedTwelveMonths met }
    }
  }
}`;

const RECOMMEND_QUERY = `
query ConsoleRecommend($code: String!, $first: Int, $world: World = REAL) {
  recommendPartners(districtCode: $code, first: $first, world: $world) {
    rank score modelVersion
    partner { id databaseId name kind synthetic interventionAreas }
    reasons { factor contribution sentence sentenceId: sentence(language: ID) }
  }
}`;

const PROPOSE_MUTATION = `
mutation ConsolePropose($input: ProposePartnershipInput!) {
  proposePartnership(input: $input) {
    partnership { id databaseId status }
    userErrors { field message code }
  }
}`;

const FEEDBACK_MUTATION = `
mutation ConsoleFeedback($input: RecordRecommendationFeedbackInput!) {
  recordRecommendationFeedback(input: $input) {
    feedback { databaseId verdict modelVersion }
    removedFromRecommendations
    userErrors { field message code }
  }
}`;

const AREAS = [
  "FOOD_SUPPLEMENTATION",
  "WASH",
  "PARENTING_EARLY_CHILDHOOD",
  "BEHAVIOUR_CHANGE_CAMPAIGN",
  "HEALTH_SERVICES",
  "FOSTER_PARENT_SPONSORSHIP",
  "ECONOMIC_EMPOWERMENT",
  "FOOD_SECURITY_AGRICULTURE",
  "CAPACITY_BUILDING_DATA",
  "FUNDING",
];
const CURRENT_STATUSES = new Set(["ACTIVE", "REPORTED", "PROPOSED"]);

function isoDate(d) {
  return d.toISOString().slice(0, 10);
}

function defaultDates() {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const end = new Date(Date.UTC(start.getUTCFullYear() + 1, start.getUTCMonth(), 0));
  return { start: isoDate(start), end: isoDate(end) };
}

const FIELD_LABELS = {
  startDate: "propose.start",
  endDate: "propose.end",
  interventionAreas: "propose.areas",
  reason: "reject.reason",
  districtCode: "tabs.district",
};

/** The form's own label for an input field named in userErrors, else the API's name. */
function fieldLabel(field) {
  const last = String(field).split(".").pop();
  return FIELD_LABELS[last] ? t(FIELD_LABELS[last]) : last;
}

function kindBadge(kind) {
  return h("span", { class: `badge kind kind-${String(kind).toLowerCase()}` }, label("kind", kind));
}

function syntheticBadge(synthetic) {
  return synthetic ? h("span", { class: "badge synthetic", title: t("footer.data") }, t("district.synthetic")) : null;
}

const SVG_NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  for (const child of children) if (child) el.append(child);
  return el;
}

/**
 * A small trend chart: one line through the published figures only, by year; imputed
 * estimates are hollow marks of their own, never a vertex of the line.
 */
function trendChart(published, estimates, max) {
  const all = [...published, ...estimates];
  if (!all.length) return null;
  const years = all.map((r) => r.year);
  const lo = Math.min(...years);
  const hi = Math.max(...years);
  const W = 240;
  const H = 64;
  const PAD = 6;
  const x = (year) => (hi === lo ? W / 2 : PAD + ((W - 2 * PAD) * (year - lo)) / (hi - lo));
  const y = (value) => H - PAD - ((H - 2 * PAD) * value) / max;
  const point = (r) => `${x(r.year).toFixed(1)},${y(r.value).toFixed(1)}`;
  const title = svg("title");
  title.textContent = t("district.trendLabel", { published: published.length, imputed: estimates.length });
  return svg(
    "svg",
    { class: "trend", viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": title.textContent },
    title,
    published.length >= 2 ? svg("polyline", { class: "trend-line", points: published.map(point).join(" ") }) : null,
    ...published.map((r) => svg("circle", { class: "trend-point", cx: x(r.year), cy: y(r.value), r: 3, "data-year": r.year })),
    ...estimates.map((r) =>
      svg("circle", { class: "trend-point imputed", cx: x(r.year), cy: y(r.value), r: 3, "data-year": r.year }),
    ),
  );
}

export class DistrictPanel {
  constructor(container, { onShowProvince, onChanged }) {
    this.container = container;
    this.onShowProvince = onShowProvince;
    this.onChanged = onChanged;
    this.code = null;
    this.district = null;
    this.districtError = null;
    this.recs = null;
    this.recsState = "idle"; // idle | loading | ok | unavailable | error
    this.recsError = null;
    this.situation = null;
    this.situationError = null;
    this.openForm = null; // {type: "propose"|"reject", partnerKey}
    this.results = new Map(); // partnerKey -> {ok, message, errors}
    this.controller = null;
  }

  /** True when the last load failed (for instance for want of a token). */
  failed() {
    return Boolean(this.districtError) || this.recsState === "error";
  }

  async load(code) {
    if (this.controller) this.controller.abort();
    this.controller = new AbortController();
    const { signal } = this.controller;
    this.code = code;
    this.district = null;
    this.districtError = null;
    this.recs = null;
    this.recsState = "loading";
    this.situation = null;
    this.situationError = null;
    this.openForm = null;
    this.results.clear();
    this.container.setAttribute("aria-busy", "true");
    this.render();
    const districtDone = gql(DISTRICT_QUERY, { code }, { signal }).then(
      (data) => {
        this.district = data.district;
        if (!data.district) this.districtError = new ApiError(t("district.notFound", { code }));
      },
      (err) => {
        if (err.name !== "AbortError") this.districtError = err;
      },
    );
    const situationDone = gql(SITUATION_QUERY, { code }, { signal }).then(
      (data) => {
        this.situation = data.district ? data.district.situation : null;
      },
      (err) => {
        if (err.name !== "AbortError") this.situationError = err;
      },
    );
    const recsDone = this.loadRecommendations(signal);
    await districtDone;
    await situationDone;
    if (signal.aborted) return;
    this.render();
    await recsDone;
    if (signal.aborted) return;
    this.container.setAttribute("aria-busy", "false");
    this.render();
  }

  async loadRecommendations(signal) {
    try {
      const data = await gql(RECOMMEND_QUERY, { code: this.code, first: RECOMMENDATION_COUNT }, { signal });
      this.recs = data.recommendPartners || [];
      this.recsState = "ok";
    } catch (err) {
      if (err.name === "AbortError") return;
      if (err instanceof ApiError && err.isMissingField("recommendPartners")) {
        this.recsState = "unavailable";
      } else {
        this.recsState = "error";
        this.recsError = err;
      }
    }
  }

  render() {
    const c = this.container;
    if (!this.code) {
      c.replaceChildren(h("p", { class: "empty" }, t("district.none")));
      return;
    }
    if (this.districtError) {
      c.replaceChildren(errorBox(this.districtError, () => this.load(this.code)));
      return;
    }
    if (!this.district) {
      c.replaceChildren(loading(t("district.loading")));
      return;
    }
    const d = this.district;
    c.replaceChildren(
      h(
        "article",
        { class: "district", "aria-labelledby": "district-name", dataset: { code: d.code } },
        h("h2", { id: "district-name", tabindex: "-1" }, d.name),
        h(
          "p",
          { class: "meta" },
          h("span", { class: "province-name" }, d.province.name),
          " · ",
          h("span", { class: "code" }, d.code),
          d.underdeveloped ? h("span", { class: "badge underdeveloped" }, t("district.underdeveloped")) : null,
        ),
        h(
          "button",
          { type: "button", class: "link-button", onclick: () => this.onShowProvince(d.province.code) },
          t("district.showProvince"),
        ),
        this.renderLatest(d),
        this.renderSeries(d),
        this.renderSituation(d),
        this.renderPartnerships(d),
        this.renderRecommendations(),
      ),
    );
  }

  renderLatest(d) {
    const p = d.latestStuntingPrevalence;
    return h(
      "section",
      { class: "latest", "aria-labelledby": "latest-h" },
      h("h3", { id: "latest-h" }, t("district.latest")),
      p
        ? h(
            "p",
            { class: "big-number" },
            h("span", { class: "value", "data-testid": "latest-prevalence" }, formatPercent(p.value)),
            h("span", { class: "survey" }, ` ${p.survey}`),
            p.imputed ? h("span", { class: "badge imputed" }, t("district.imputed")) : null,
          )
        : h("p", { class: "empty" }, t("district.noSeries")),
      p && p.imputed ? h("p", { class: "hint" }, t("district.imputedNote")) : null,
    );
  }

  renderSeries(d) {
    // The trend holds published figures only; imputed estimates (a province average
    // standing in for the district) are listed apart and never joined to the line.
    const rows = (d.stuntingPrevalenceSeries || []).filter((r) => !r.imputed);
    const estimates = [
      ...(d.imputedStuntingPrevalence || []),
      ...(d.stuntingPrevalenceSeries || []).filter((r) => r.imputed),
    ];
    if (!rows.length && !estimates.length) return null;
    const max = Math.max(50, ...rows.map((r) => r.value), ...estimates.map((r) => r.value));
    return h(
      "section",
      { class: "series", "aria-labelledby": "series-h" },
      h("h3", { id: "series-h" }, t("district.series")),
      trendChart(rows, estimates, max),
      rows.length ? this.seriesTable(rows, max) : h("p", { class: "empty" }, t("district.noPublished")),
      estimates.length
        ? h(
            "div",
            { class: "estimates" },
            h("h4", {}, t("district.estimates")),
            h("p", { class: "hint" }, t("district.estimatesNote")),
            this.seriesTable(estimates, max, { imputed: true }),
          )
        : null,
    );
  }

  seriesTable(rows, max, { imputed = false } = {}) {
    return h(
        "table",
        { class: imputed ? "series-table imputed-table" : "series-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, t("district.year")),
            h("th", { scope: "col" }, t("district.survey")),
            h("th", { scope: "col" }, t("district.value")),
            h("th", { scope: "col" }, t("district.source")),
          ),
        ),
        h(
          "tbody",
          {},
          rows.map((r) =>
            h(
              "tr",
              { class: r.imputed ? "imputed" : "" },
              h("td", {}, String(r.year)),
              h("td", {}, r.survey),
              h(
                "td",
                { class: "num" },
                h("span", { class: "series-value" }, formatPercent(r.value)),
                bar(r.value, max, { label: `${r.survey}: ${formatPercent(r.value)}` }),
                r.imputed ? h("span", { class: "badge imputed" }, t("district.imputed")) : null,
              ),
              h("td", {}, sourceLink(r.sourceUrl, null) || r.source),
            ),
          ),
        ),
    );
  }

  renderSituation(d) {
    const section = h(
      "section",
      { class: "situation", "aria-labelledby": "situation-h" },
      h(
        "div",
        { class: "section-head" },
        h("h3", { id: "situation-h" }, t("situation.heading")),
        h("button", { type: "button", class: "secondary print-button", onclick: () => window.print() }, t("situation.print")),
      ),
    );
    if (this.situationError) {
      section.append(errorBox(this.situationError, () => this.load(this.code)));
      return section;
    }
    const s = this.situation;
    if (!s) {
      section.append(loading(t("district.loading")));
      return section;
    }
    const latest = s.latestPrevalence;
    const target = formatPercent(s.targetPct);
    section.append(
      h(
        "p",
        { class: "gap", "data-testid": "gap-to-target" },
        latest
          ? t(s.gapToTarget >= 0 ? "situation.gap" : "situation.below", {
              value: formatPercent(latest.value),
              gap: formatNumber(Math.abs(s.gapToTarget), 1),
              target,
            })
          : t("situation.noPrevalence"),
        latest && latest.imputed ? h("span", { class: "badge imputed" }, t("district.imputed")) : null,
      ),
      h("p", {}, s.underdeveloped ? t("situation.underdeveloped") : t("situation.notUnderdeveloped")),
      h(
        "p",
        { class: "totals" },
        t("situation.total", {
          partners: formatInteger(s.partnerCount),
          partnerships: formatInteger(s.partnershipCount),
          budget: formatInteger(s.knownBudgetIdr),
          without: formatInteger(s.partnershipsWithoutBudget),
        }),
      ),
    );
    if (s.byArea.length) {
      section.append(
        h(
          "div",
          { class: "table-scroll" },
          h(
          "table",
          { class: "situation-table" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", { scope: "col" }, t("situation.area")),
              h("th", { scope: "col" }, t("situation.partners")),
              h("th", { scope: "col" }, t("situation.partnerships")),
              h("th", { scope: "col" }, t("situation.budget")),
              h("th", { scope: "col" }, t("situation.noBudget")),
            ),
          ),
          h(
            "tbody",
            {},
            s.byArea.map((a) =>
              h(
                "tr",
                { dataset: { area: a.area } },
                h("th", { scope: "row" }, label("area", a.area)),
                h("td", { class: "num" }, formatInteger(a.partnerCount)),
                h("td", { class: "num" }, formatInteger(a.partnershipCount)),
                h("td", { class: "num" }, formatInteger(a.knownBudgetIdr)),
                h("td", { class: "num" }, formatInteger(a.partnershipsWithoutBudget)),
              ),
            ),
          ),
          ),
        ),
      );
    }
    section.append(
      h("h4", {}, t("situation.uncovered"), ` (${s.uncoveredAreas.length})`),
      s.uncoveredAreas.length
        ? h("ul", { class: "uncovered" }, s.uncoveredAreas.map((a) => h("li", { dataset: { area: a } }, label("area", a))))
        : h("p", { class: "hint" }, t("situation.allCovered")),
      h("h4", {}, t("situation.quota"), ` — ${d.province.name}`),
      h(
        "ul",
        { class: "situation-quota" },
        s.provinceQuotas.map((q) =>
          h(
            "li",
            { class: q.met ? "met" : "", dataset: { category: q.category } },
            `${label("quota", q.category)}: `,
            t("province.quotaLine", { committed: q.committed, target: q.target }),
            ` ${t("province.twelveMonths", { count: q.committedTwelveMonths })}`,
            q.met ? ` · ${t("province.met")}` : "",
          ),
        ),
      ),
    );
    return section;
  }

  renderPartnerships(d) {
    const current = (d.partnerships || []).filter((p) => CURRENT_STATUSES.has(p.status));
    const years = (p) => {
      if (p.startDate || p.endDate) {
        const fmt = (s) => (s ? new Date(`${s}T00:00:00Z`).toLocaleDateString(locale(), { year: "numeric", month: "short" }) : "…");
        return `${fmt(p.startDate)} – ${fmt(p.endDate)}`;
      }
      return p.startYear ? String(p.startYear) : "";
    };
    return h(
      "section",
      { class: "partnerships", "aria-labelledby": "partnerships-h" },
      h("h3", { id: "partnerships-h" }, t("district.partnerships"), ` (${current.length})`),
      current.length
        ? h(
            "ul",
            { class: "partnership-list" },
            current.map((p) =>
              h(
                "li",
                { dataset: { partnerId: p.partner.id } },
                h("strong", {}, p.partner.name),
                " ",
                kindBadge(p.partner.kind),
                " ",
                h("span", { class: `badge status status-${p.status.toLowerCase()}` }, label("status", p.status)),
                p.synthetic ? " " : null,
                syntheticBadge(p.synthetic),
                h(
                  "span",
                  { class: "sub" },
                  [years(p), (p.interventionAreas || []).map((a) => label("area", a)).join(", ")]
                    .filter(Boolean)
                    .join(" · "),
                  p.sourceUrl ? " · " : "",
                  p.sourceUrl ? sourceLink(p.sourceUrl) : null,
                ),
              ),
            ),
          )
        : h("p", { class: "empty" }, t("district.noPartnerships")),
    );
  }

  renderRecommendations() {
    const section = h("section", { class: "recommendations", "aria-labelledby": "recs-h", "aria-busy": this.recsState === "loading" ? "true" : "false" });
    const heading = h("h3", { id: "recs-h" }, t("rec.heading"));
    section.append(heading);
    if (this.recsState === "loading") {
      section.append(loading(t("rec.loading")));
      return section;
    }
    if (this.recsState === "unavailable") {
      section.append(h("p", { class: "notice", "data-testid": "recs-unavailable" }, t("rec.unavailable")));
      return section;
    }
    if (this.recsState === "error") {
      section.append(errorBox(this.recsError, () => this.retryRecommendations()));
      return section;
    }
    const recs = this.recs || [];
    if (!recs.length) {
      section.append(h("p", { class: "empty" }, t("rec.none")));
      return section;
    }
    const versions = [...new Set(recs.map((r) => r.modelVersion).filter(Boolean))];
    if (versions.length) {
      section.append(h("p", { class: "model-version" }, t("rec.model", { version: versions.join(", ") })));
      // "transparent" is the documented fallback scorer, used when no learned model is active.
      if (versions.includes("transparent")) section.append(h("p", { class: "hint" }, t("rec.transparent")));
    }
    const hasToken = Boolean(getToken());
    if (!hasToken) section.append(h("p", { class: "hint", "data-testid": "need-token" }, t("rec.needToken")));
    section.append(
      h(
        "ol",
        { class: "rec-list" },
        recs.map((r) => this.renderRecommendation(r, hasToken)),
      ),
    );
    return section;
  }

  renderRecommendation(r, hasToken) {
    const key = r.partner.id;
    const reasons = r.reasons || [];
    const result = this.results.get(key);
    const item = h(
      "li",
      { class: "rec", dataset: { partnerId: r.partner.id } },
      h(
        "div",
        { class: "rec-head" },
        h("span", { class: "rank", "aria-label": t("rec.rank", { rank: r.rank }) }, String(r.rank)),
        h("strong", { class: "partner-name" }, r.partner.name),
        kindBadge(r.partner.kind),
        r.partner.synthetic ? " " : null,
        syntheticBadge(r.partner.synthetic),
        h("span", { class: "score" }, t("rec.score", { score: formatNumber(r.score, 2) })),
        // A bar only for scores on a 0–1 scale; other scorers' numbers are not fractions.
        r.score >= 0 && r.score <= 1
          ? bar(r.score, 1, { label: t("rec.score", { score: formatNumber(r.score, 2) }) })
          : null,
      ),
      reasons.length
        ? h(
            "ul",
            { class: "reasons", "aria-label": t("rec.why") },
            reasons.map((x) => {
              const sign = x.contribution > 0 ? "up" : x.contribution < 0 ? "down" : "flat";
              return h(
                "li",
                { class: `reason ${sign}`, dataset: { factor: x.factor } },
                h("span", { class: "reason-mark", "aria-hidden": "true" }, { up: "▲", down: "▼", flat: "•" }[sign]),
                h("span", { class: "visually-hidden" }, t(`rec.reason.${sign}`)),
                reasonText(x),
              );
            }),
          )
        : null,
    );
    if (hasToken) {
      item.append(
        h(
          "div",
          { class: "rec-actions" },
          h("button", { type: "button", onclick: () => this.toggleForm("propose", key) , "aria-expanded": String(this.isOpen("propose", key)) }, t("rec.propose")),
          h("button", { type: "button", class: "secondary", onclick: () => this.toggleForm("reject", key), "aria-expanded": String(this.isOpen("reject", key)) }, t("rec.reject")),
        ),
      );
      if (this.isOpen("propose", key)) item.append(this.proposeForm(r));
      if (this.isOpen("reject", key)) item.append(this.rejectForm(r));
    }
    if (result) {
      item.append(
        h(
          "div",
          { class: result.ok ? "result ok" : "result error", role: result.ok ? "status" : "alert" },
          h("p", {}, result.message),
          result.errors && result.errors.length
            ? h(
                "ul",
                {},
                result.errors.map((e) =>
                  h("li", { dataset: { code: e.code || "" } }, e.field ? `${fieldLabel(e.field)}: ${e.message}` : e.message),
                ),
              )
            : null,
        ),
      );
    }
    return item;
  }

  isOpen(type, key) {
    return this.openForm && this.openForm.type === type && this.openForm.key === key;
  }

  toggleForm(type, key) {
    this.openForm = this.isOpen(type, key) ? null : { type, key };
    // A new attempt starts clean: the last result would only confuse it.
    if (this.openForm) this.results.delete(key);
    this.render();
    const form = this.container.querySelector(`form[data-form="${type}"]`);
    if (form) form.querySelector("input, textarea").focus();
  }

  async retryRecommendations() {
    this.recsState = "loading";
    this.render();
    await this.loadRecommendations(this.controller ? this.controller.signal : undefined);
    this.render();
  }

  proposeForm(r) {
    const dates = defaultDates();
    const preset = new Set(r.partner.interventionAreas || []);
    const id = (s) => `propose-${s}`;
    const form = h(
      "form",
      { class: "inline-form", dataset: { form: "propose" }, novalidate: true },
      h(
        "fieldset",
        {},
        h("legend", {}, t("propose.legend", { partner: r.partner.name })),
        h(
          "fieldset",
          { class: "areas" },
          h("legend", {}, t("propose.areas")),
          AREAS.map((a) =>
            h(
              "label",
              { class: "check" },
              h("input", { type: "checkbox", name: "area", value: a, checked: preset.has(a) }),
              label("area", a),
            ),
          ),
        ),
        h(
          "div",
          { class: "row" },
          h("label", { for: id("start") }, t("propose.start")),
          h("input", { id: id("start"), name: "startDate", type: "date", value: dates.start, required: true }),
          h("label", { for: id("end") }, t("propose.end")),
          h("input", { id: id("end"), name: "endDate", type: "date", value: dates.end, required: true }),
        ),
        h("p", { class: "hint" }, t("propose.minMonths")),
        h("p", { class: "form-error", role: "alert", hidden: true }),
        h(
          "div",
          { class: "row" },
          h("button", { type: "submit" }, t("propose.submit")),
          h("button", { type: "button", class: "secondary", onclick: () => this.toggleForm("propose", r.partner.id) }, t("propose.cancel")),
        ),
      ),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const fd = new FormData(form);
      const areas = fd.getAll("area");
      if (!areas.length) {
        const msg = form.querySelector(".form-error");
        msg.textContent = t("propose.needArea");
        msg.hidden = false;
        return;
      }
      this.submit(form, r, PROPOSE_MUTATION, "proposePartnership", {
        partnerId: r.partner.id,
        districtCode: this.code,
        interventionAreas: areas,
        startDate: fd.get("startDate"),
        endDate: fd.get("endDate"),
      });
    });
    return form;
  }

  rejectForm(r) {
    const form = h(
      "form",
      { class: "inline-form", dataset: { form: "reject" }, novalidate: true },
      h(
        "fieldset",
        {},
        h("legend", {}, t("reject.legend", { partner: r.partner.name })),
        h("label", { for: "reject-reason" }, t("reject.reason")),
        h("textarea", { id: "reject-reason", name: "reason", rows: 3, maxlength: 1000, required: true }),
        h("p", { class: "form-error", role: "alert", hidden: true }),
        h(
          "div",
          { class: "row" },
          h("button", { type: "submit" }, t("reject.submit")),
          h("button", { type: "button", class: "secondary", onclick: () => this.toggleForm("reject", r.partner.id) }, t("propose.cancel")),
        ),
      ),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const reason = String(new FormData(form).get("reason") || "").trim();
      if (!reason) {
        const msg = form.querySelector(".form-error");
        msg.textContent = t("reject.needReason");
        msg.hidden = false;
        return;
      }
      this.submit(form, r, FEEDBACK_MUTATION, "recordRecommendationFeedback", {
        districtCode: this.code,
        partnerId: r.partner.id,
        verdict: "REJECTED",
        reason,
        modelVersion: r.modelVersion || null,
      });
    });
    return form;
  }

  async submit(form, r, mutation, field, input) {
    const key = r.partner.id;
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    button.textContent = t("mutation.sending");
    form.setAttribute("aria-busy", "true");
    let result;
    try {
      const data = await gql(mutation, { input });
      const payload = data[field] || {};
      const errors = payload.userErrors || [];
      if (errors.length) {
        result = { ok: false, message: t("mutation.userErrors"), errors };
      } else if (field === "proposePartnership") {
        const p = payload.partnership;
        result = {
          ok: true,
          message: p ? t("propose.done", { id: p.databaseId ?? p.id, status: label("status", p.status) }) : t("propose.doneNoId"),
        };
      } else {
        result = { ok: true, message: t(payload.removedFromRecommendations ? "reject.removed" : "reject.done") };
      }
    } catch (err) {
      const missing = err instanceof ApiError && (err.isMissingField(field) || err.errors.some((e) => /Unknown type/.test(e.message || "")));
      result = { ok: false, message: missing ? t("mutation.unavailable") : err.message };
    }
    this.results.set(key, result);
    if (result.ok) this.openForm = null;
    this.render();
    const item = this.container.querySelector(`li.rec[data-partner-id="${CSS.escape(key)}"] .result`);
    if (item) item.setAttribute("tabindex", "-1");
    if (item) item.focus();
    if (result.ok && field === "proposePartnership") {
      // The new partnership shows in the list and may count towards the quotas.
      const data = await gql(DISTRICT_QUERY, { code: this.code }).catch(() => null);
      if (data && data.district) {
        this.district = data.district;
        this.render();
      }
      if (this.onChanged) this.onChanged(this.district ? this.district.province.code : null);
    }
  }
}
