// The console's only way to the server: POST /graphql, JSON in and out.

import { t } from "./i18n.js";

const ENDPOINT = "/graphql";
const TOKEN_KEY = "mitra.plannerToken";
const WORLD_KEY = "mitra.world";

/** An error whose `message` is fit to show a planner, with what the server said kept aside. */
export class ApiError extends Error {
  constructor(message, { kind = "graphql", status = null, errors = [] } = {}) {
    super(message);
    this.kind = kind;
    this.status = status;
    this.errors = errors;
  }

  /** True when the server's schema has no such field (a part of the API not deployed yet). */
  /** The `extensions.code` of the first error, if any. */
  get code() {
    const first = this.errors[0];
    return (first && first.extensions && first.extensions.code) || null;
  }

  isMissingField(name) {
    return this.errors.some((e) => {
      const msg = String(e.message || "");
      return (
        msg.includes(`Cannot query field '${name}'`) ||
        msg.includes(`Cannot query field "${name}"`) ||
        (msg.includes("Unknown type") && name.startsWith("type:") && msg.includes(name.slice(5)))
      );
    });
  }
}

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  } catch {
    return "";
  }
}

export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // sessionStorage disabled: the token cannot be kept; the UI shows "no token".
  }
}

/**
 * Which data the console shows: "REAL" (the real record, the default) or "DEMO" (the
 * generated demo world added, each generated item marked). Kept for the tab's session.
 */
export function getWorld() {
  try {
    return sessionStorage.getItem(WORLD_KEY) === "DEMO" ? "DEMO" : "REAL";
  } catch {
    return "REAL";
  }
}

export function setWorld(world) {
  try {
    if (world === "DEMO") sessionStorage.setItem(WORLD_KEY, "DEMO");
    else sessionStorage.removeItem(WORLD_KEY);
  } catch {
    // sessionStorage disabled: the console stays on the real record.
  }
}

function humanMessage(errors) {
  const first = errors[0] || {};
  const code = first.extensions && first.extensions.code;
  if (code === "UNAUTHENTICATED" || code === "UNAUTHORIZED") return t("error.unauthorized");
  if (code === "FORBIDDEN") return t("error.forbidden");
  if (code === "DEMO_UNAVAILABLE") return t("error.demoUnavailable");
  return t("error.generic", { message: first.message || "?" });
}

/**
 * Run a GraphQL operation. Resolves to `data`; rejects with an ApiError whose message
 * is human. Partial data with errors rejects too: the console never shows half an answer
 * as if it were whole. An operation that declares `$world` gets the console's world
 * (getWorld) unless the caller passes one.
 */
export async function gql(query, variables = {}, { signal } = {}) {
  if (query.includes("$world:") && !("world" in variables)) variables = { ...variables, world: getWorld() };
  const headers = { "content-type": "application/json", accept: "application/json" };
  // Sent with every request when set: a server may require a token for reads too
  // (MITRA_READS_REQUIRE_TOKEN). It only ever goes to this origin's /graphql.
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
      credentials: "same-origin",
      signal,
    });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(t("error.network"), { kind: "network" });
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const errors = (body && body.errors) || [];
  if (response.status === 401) {
    throw new ApiError(t("error.unauthorized"), { kind: "auth", status: 401, errors });
  }
  if (response.status === 403) {
    throw new ApiError(t("error.forbidden"), { kind: "auth", status: 403, errors });
  }
  if (errors.length) {
    throw new ApiError(humanMessage(errors), { status: response.status, errors });
  }
  if (!response.ok || !body) {
    throw new ApiError(t("error.http", { status: response.status }), {
      kind: "http",
      status: response.status,
    });
  }
  return body.data;
}

/** Every node of a connection, following `endCursor` page by page (page size ≤ 100). */
export async function allNodes(query, variables, pick, { onPage, signal } = {}) {
  const nodes = [];
  let after = null;
  let total = null;
  for (let guard = 0; guard < 100; guard += 1) {
    const data = await gql(query, { ...variables, after }, { signal });
    const conn = pick(data);
    total = conn.totalCount ?? total;
    for (const edge of conn.edges) nodes.push(edge.node);
    if (onPage) onPage(nodes.length, total);
    if (!conn.pageInfo.hasNextPage) break;
    after = conn.pageInfo.endCursor;
  }
  return { nodes, total: total ?? nodes.length };
}

/**
 * Fetch an export (same origin, with the token when set) and hand it to the browser as
 * a file. Resolves to the file name; rejects with an ApiError saying what the server said.
 */
export async function download(url) {
  const headers = {};
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, { headers, credentials: "same-origin" });
  } catch {
    throw new ApiError(t("error.network"), { kind: "network" });
  }
  if (!response.ok) {
    let errors = [];
    try {
      errors = (await response.json()).errors || [];
    } catch {
      errors = [];
    }
    throw new ApiError(errors.length ? humanMessage(errors) : t("error.http", { status: response.status }), {
      kind: "http",
      status: response.status,
      errors,
    });
  }
  const disposition = response.headers.get("content-disposition") || "";
  const match = /filename="([^"]+)"/.exec(disposition);
  const name = match ? match[1] : url.split("/").pop().split("?")[0];
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  return name;
}
