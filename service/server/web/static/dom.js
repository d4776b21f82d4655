// Tiny DOM helpers. Text always goes in as text nodes: nothing from the API is parsed as HTML.

import { t } from "./i18n.js";

/** h("a", {href, class: "x", onclick: fn}, "text", child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function loading(message) {
  return h("p", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), message);
}

/** A human error message with an optional "try again" button. */
export function errorBox(err, retry) {
  const box = h("div", { class: "error", role: "alert" }, h("p", {}, err && err.message ? err.message : String(err)));
  if (retry) box.append(h("button", { type: "button", class: "secondary", onclick: retry }, t("error.retry")));
  return box;
}

/** Only http(s) links from the data become clickable. */
export function safeUrl(url) {
  try {
    const u = new URL(url, window.location.href);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}

export function sourceLink(url, text) {
  const href = url && safeUrl(url);
  if (!href) return text || "";
  let host = text;
  if (!host) {
    try {
      host = new URL(href).hostname.replace(/^www\./, "");
    } catch {
      host = href;
    }
  }
  return h("a", { href, target: "_blank", rel: "noopener noreferrer external" }, host);
}

/** A labelled horizontal bar: value out of max. */
export function bar(value, max, { label, met = false } = {}) {
  const pct = max > 0 ? Math.min(100, (100 * value) / max) : 0;
  const fill = h("span", { class: `bar-fill${met ? " met" : ""}` });
  fill.style.width = `${pct}%`;
  return h(
    "span",
    {
      class: "bar",
      role: "meter",
      "aria-valuemin": 0,
      "aria-valuemax": max,
      "aria-valuenow": Math.min(value, max),
      "aria-label": label,
    },
    fill,
  );
}
