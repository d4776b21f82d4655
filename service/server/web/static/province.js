// Province view (quota bars and the province plan) and national view (progress to 1000).

import { ApiError, getToken, gql } from "./api.js";
import { bar, errorBox, h, loading } from "./dom.js";
import { formatInteger, formatNumber, label, language, locale, reasonText, t } from "./i18n.js";

export const EXPIRING_DAYS = 60;

const EXPIRING_FIELDS = `
    daysLeft endDate quotaAtRisk quotaCategory quotaTarget committedNow committedAfterEnd
    reachedSixMonths reachedTwelveMonths commitmentMonths
    partnership { id databaseId synthetic }
    partner { name kind synthetic }
    district { code name }`;

const EXTEND_MUTATION = `
mutation ConsoleExtend($input: ExtendCommitmentInput!) {
  extendCommitment(input: $input) { partnership { id endDate } userErrors { field message code } }
}`;

const END_MUTATION = `
mutation ConsoleEnd($input: EndCommitmentInput!) {
  endCommitment(input: $input) { partnership { id status } userErrors { field message code } }
}`;

function formatDate(iso) {
  return new Date(`${iso}T00:00:00Z`).toLocaleDateString(locale(), { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
}

/** The commitments ending within EXPIRING_DAYS; with a planner token, extend or end each. */
export function expiringList(items, { onChanged, showProvince = false } = {}) {
  const section = h(
    "section",
    { class: "expiring", "aria-labelledby": "expiring-h" },
    h("h3", { id: "expiring-h" }, t("expiring.heading", { days: EXPIRING_DAYS }), ` (${items.length})`),
  );
  if (!items.length) {
    section.append(h("p", { class: "empty" }, t("expiring.none", { days: EXPIRING_DAYS })));
    return section;
  }
  const canWrite = Boolean(getToken());
  section.append(
    h(
      "ul",
      { class: "expiring-list" },
      items.map((item) => {
        const status = h("p", { class: "write-result", role: "status" });
        const dateInput = h("input", { type: "date", "aria-label": t("expiring.newEnd"), min: item.endDate });
        const act = async (mutation, input, field) => {
          if ("endDate" in input && !input.endDate) {
            status.textContent = t("expiring.needDate");
            status.className = "write-result error";
            dateInput.focus();
            return;
          }
          status.textContent = "…";
          try {
            const data = await gql(mutation, { input: { partnershipId: item.partnership.id, ...input } });
            const payload = data[field];
            if (payload.userErrors.length) {
              status.textContent = payload.userErrors.map((e) => e.message).join("; ");
              status.className = "write-result error";
            } else {
              status.textContent = t("expiring.saved");
              status.className = "write-result ok";
              if (onChanged) onChanged();
            }
          } catch (err) {
            status.textContent = err.message;
            status.className = "write-result error";
          }
        };
        return h(
          "li",
          { class: item.quotaAtRisk ? "at-risk" : "", dataset: { partnership: String(item.partnership.databaseId) } },
          h("strong", {}, item.partner.name),
          " ",
          h("span", { class: `badge kind kind-${String(item.partner.kind).toLowerCase()}` }, label("kind", item.partner.kind)),
          item.partner.synthetic ? h("span", { class: "badge synthetic" }, t("district.synthetic")) : null,
          h(
            "span",
            { class: "sub" },
            showProvince ? `${item.district.name} (${item.district.code.slice(0, 2)}) · ` : `${item.district.name} · `,
            t("expiring.ends", { date: formatDate(item.endDate), days: item.daysLeft }),
            " · ",
            item.reachedTwelveMonths ? t("expiring.twelve") : item.reachedSixMonths ? t("expiring.six") : t("expiring.short"),
          ),
          item.quotaAtRisk
            ? h(
                "span",
                { class: "badge at-risk", "data-testid": "quota-at-risk" },
                t("expiring.atRisk", {
                  quota: label("quota", item.quotaCategory),
                  now: item.committedNow,
                  after: item.committedAfterEnd,
                  target: item.quotaTarget,
                }),
              )
            : null,
          canWrite
            ? h(
                "span",
                { class: "expiring-actions" },
                dateInput,
                h("button", { type: "button", class: "secondary", onclick: () => act(EXTEND_MUTATION, { endDate: dateInput.value }, "extendCommitment") }, t("expiring.extend")),
                h("button", { type: "button", class: "secondary", onclick: () => act(END_MUTATION, {}, "endCommitment") }, t("expiring.end")),
              )
            : null,
          status,
        );
      }),
    ),
  );
  return section;
}

const PROVINCE_QUERY = `
query ConsoleProvince($code: String!, $world: World = REAL) {
  province(code: $code) {
    code name
    quotaProgress(world: $world) { category target committed committedTwelveMonths remaining met }
  }
  expiringCommitments(withinDays: ${EXPIRING_DAYS}, filter: { provinceCodes: [$code] }, world: $world) {${EXPIRING_FIELDS}
  }
}`;

const PLAN_QUERY = `
query ConsolePlan($code: String!, $world: World = REAL) {
  provincePlan(provinceCode: $code, world: $world) {
    modelVersion
    picks {
      category score areasCovered
      partner { id name kind synthetic }
      district { code name }
      reasons { factor contribution sentence sentenceId: sentence(language: ID) }
    }
    remainingAfterPlan { category remaining explanation explanationId: explanation(language: ID) }
  }
}`;

export const NATIONAL_QUERY = `
query ConsoleNational($world: World = REAL) {
  campaignProgress(world: $world) {
    world target committedPartners realCommittedPartners syntheticCommittedPartners
    provinces provincesMeetingAllQuotas
  }
  provinces { code name quotaProgress(world: $world) { category target committed committedTwelveMonths remaining met } }
  expiringCommitments(withinDays: ${EXPIRING_DAYS}, world: $world) {${EXPIRING_FIELDS}
  }
}`;

function quotaRows(quota, { compact = false } = {}) {
  return h(
    "ul",
    { class: compact ? "quota compact" : "quota" },
    (quota || []).map((q) => {
      const name = label("quota", q.category);
      const line = t("province.quotaLine", { committed: q.committed, target: q.target })
        + (q.committedTwelveMonths !== undefined ? ` ${t("province.twelveMonths", { count: q.committedTwelveMonths })}` : "");
      return h(
        "li",
        { class: q.met ? "met" : "", dataset: { category: q.category } },
        h("span", { class: "quota-name" }, name),
        bar(q.committed, q.target, { label: `${name}: ${line}`, met: q.met }),
        h(
          "span",
          { class: "quota-count" },
          line,
          compact ? null : " · ",
          compact ? null : q.met ? t("province.met") : t("province.remaining", { remaining: q.remaining }),
        ),
      );
    }),
  );
}

export class ProvincePanel {
  constructor(container, { onChanged } = {}) {
    this.container = container;
    this.onChanged = onChanged;
    this.code = null;
    this.province = null;
    this.error = null;
    this.plan = null;
    this.planState = "idle";
    this.planError = null;
    this.planSlot = null; // the plan's section, replaced alone when the plan arrives
    this.controller = null;
  }

  async load(code) {
    if (this.controller) this.controller.abort();
    this.controller = new AbortController();
    const { signal } = this.controller;
    this.code = code;
    this.province = null;
    this.error = null;
    this.plan = null;
    this.planState = code ? "loading" : "idle";
    this.render();
    if (!code) return;
    const provinceDone = gql(PROVINCE_QUERY, { code }, { signal }).then(
      (d) => {
        this.province = d.province;
        this.expiring = d.expiringCommitments || [];
      },
      (err) => {
        if (err.name !== "AbortError") this.error = err;
      },
    );
    const planDone = gql(PLAN_QUERY, { code }, { signal }).then(
      (d) => {
        this.plan = d.provincePlan;
        this.planState = "ok";
      },
      (err) => {
        if (err.name === "AbortError") return;
        if (err instanceof ApiError && err.isMissingField("provincePlan")) this.planState = "unavailable";
        else {
          this.planState = "error";
          this.planError = err;
        }
      },
    );
    await provinceDone;
    if (signal.aborted) return;
    this.render();
    await planDone;
    if (signal.aborted) return;
    // Only the plan's section changes: re-rendering the whole panel would replace the
    // expiring list and lose a date a planner is typing there.
    if (this.planSlot && this.planSlot.isConnected) {
      const fresh = this.renderPlan();
      this.planSlot.replaceWith(fresh);
      this.planSlot = fresh;
    } else {
      this.render();
    }
  }

  render() {
    const c = this.container;
    if (!this.code) {
      c.replaceChildren(h("p", { class: "empty" }, t("province.none")));
      return;
    }
    if (this.error) {
      c.replaceChildren(errorBox(this.error, () => this.load(this.code)));
      return;
    }
    if (!this.province) {
      c.replaceChildren(loading(t("province.loading")));
      return;
    }
    const p = this.province;
    this.planSlot = this.renderPlan();
    c.replaceChildren(
      h(
        "article",
        { class: "province", dataset: { code: p.code } },
        h("h2", {}, p.name),
        h("h3", {}, t("province.quota")),
        quotaRows(p.quotaProgress),
        expiringList(this.expiring || [], {
          onChanged: () => {
            this.load(this.code);
            if (this.onChanged) this.onChanged();
          },
        }),
        this.planSlot,
      ),
    );
  }

  renderPlan() {
    const s = h("section", { class: "plan", "aria-labelledby": "plan-h" }, h("h3", { id: "plan-h" }, t("province.plan")));
    if (this.planState === "loading") s.append(loading(t("province.planLoading")));
    else if (this.planState === "unavailable") s.append(h("p", { class: "notice" }, t("province.planUnavailable")));
    else if (this.planState === "error") s.append(errorBox(this.planError, () => this.load(this.code)));
    else {
      const picks = (this.plan && this.plan.picks) || [];
      if (this.plan && this.plan.modelVersion) {
        s.append(h("p", { class: "model-version" }, t("rec.model", { version: this.plan.modelVersion })));
      }
      if (!picks.length) s.append(h("p", { class: "empty" }, t("province.planEmpty")));
      const byCategory = new Map();
      for (const pick of picks) {
        if (!byCategory.has(pick.category)) byCategory.set(pick.category, []);
        byCategory.get(pick.category).push(pick);
      }
      for (const [category, list] of byCategory) {
        s.append(
          h("h4", {}, label("quota", category), ` (${list.length})`),
          h(
            "ol",
            { class: "pick-list" },
            list.map((pick) =>
              h(
                "li",
                {},
                h("strong", {}, pick.partner.name),
                " ",
                h("span", { class: `badge kind kind-${String(pick.partner.kind).toLowerCase()}` }, label("kind", pick.partner.kind)),
                pick.partner.synthetic ? h("span", { class: "badge synthetic" }, t("district.synthetic")) : null,
                " ",
                pick.district ? h("span", { class: "sub" }, t("province.pickIn", { district: pick.district.name })) : null,
                pick.score !== null && pick.score !== undefined
                  ? h("span", { class: "score" }, t("rec.score", { score: formatNumber(pick.score, 2) }))
                  : null,
                (pick.areasCovered || []).length
                  ? h("span", { class: "sub" }, t("province.areas", { areas: pick.areasCovered.map((a) => label("area", a)).join(", ") }))
                  : null,
                (pick.reasons || []).length
                  ? h("ul", { class: "reasons" }, pick.reasons.slice(0, 3).map((r) => h("li", { class: "reason" }, reasonText(r))))
                  : null,
              ),
            ),
          ),
        );
      }
      const left = ((this.plan && this.plan.remainingAfterPlan) || []).filter((q) => q.remaining > 0);
      if (this.plan && (picks.length || left.length)) {
        s.append(
          h(
            "p",
            { class: left.length ? "notice" : "hint" },
            left.length
              ? t("province.leftAfterPlan", { list: left.map((q) => `${label("quota", q.category)} ${q.remaining}`).join(", ") })
              : t("province.planFills"),
          ),
        );
      }
      const why = left.filter((q) => q.explanation);
      if (why.length) {
        s.append(
          h(
            "ul",
            { class: "open-slots", "data-testid": "open-slots" },
            why.map((q) =>
              h("li", { dataset: { category: q.category } }, language() === "id" ? q.explanationId : q.explanation),
            ),
          ),
        );
      }
    }
    return s;
  }
}

export function renderNationalSummary(container, progress) {
  if (!progress) {
    container.replaceChildren(h("p", { class: "notice" }, t("national.unavailable")));
    return;
  }
  const text = t("national.progress", {
    committed: formatInteger(progress.committedPartners),
    target: formatInteger(progress.target),
  });
  const parts = [
    h("span", { class: "national-label" }, t("national.heading")),
    bar(progress.committedPartners, progress.target, { label: text, met: progress.committedPartners >= progress.target }),
    h("span", { class: "national-count", "data-testid": "national-count" }, text),
  ];
  if (progress.syntheticCommittedPartners) {
    parts.push(
      h(
        "span",
        { class: "national-split", "data-testid": "national-split" },
        t("national.split", {
          real: formatInteger(progress.realCommittedPartners),
          demo: formatInteger(progress.syntheticCommittedPartners),
        }),
      ),
    );
  }
  container.replaceChildren(...parts);
}

export class NationalPanel {
  constructor(container, { onProvince }) {
    this.container = container;
    this.onProvince = onProvince;
    this.data = null;
    this.error = null;
  }

  setData(data, error) {
    this.data = data;
    this.error = error;
    this.render();
  }

  render() {
    const c = this.container;
    if (this.error) {
      c.replaceChildren(errorBox(this.error));
      return;
    }
    if (!this.data) {
      c.replaceChildren(loading(t("national.loading")));
      return;
    }
    const { campaignProgress: cp, provinces } = this.data;
    const met = provinces.filter((p) => (p.quotaProgress || []).every((q) => q.met)).length;
    c.replaceChildren(
      h("h2", {}, t("national.heading")),
      cp
        ? h(
            "p",
            { class: "national-line" },
            bar(cp.committedPartners, cp.target, { label: t("national.progress", { committed: cp.committedPartners, target: cp.target }) }),
            t("national.progress", { committed: formatInteger(cp.committedPartners), target: formatInteger(cp.target) }),
          )
        : null,
      h("p", {}, t("national.provincesMet", { met, total: provinces.length })),
      expiringList(this.data.expiringCommitments || [], { showProvince: true }),
      h("h3", {}, t("national.table")),
      h(
        "ul",
        { class: "province-quota-list" },
        provinces.map((p) =>
          h(
            "li",
            { dataset: { code: p.code } },
            h("button", { type: "button", class: "link-button", onclick: () => this.onProvince(p.code) }, p.name),
            quotaRows(p.quotaProgress, { compact: true }),
          ),
        ),
      ),
    );
  }
}
