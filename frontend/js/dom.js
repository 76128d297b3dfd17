// DOM helpers. User data is only ever inserted as text (textContent / text nodes), never as HTML.

/**
 * h("p", {class: "x", onclick: fn}, "text", child) -> element.
 * Strings become text nodes; attributes are set with setAttribute (values are not parsed as HTML).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "text") el.textContent = String(value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, ...children);
  return el;
}

export function append(el, ...children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

export function fmtDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function fmtScore(value, digits = 0) {
  if (value === null || value === undefined) return "–";
  return Number(value).toFixed(digits);
}

/** Text with each quote (a verbatim substring) wrapped in <mark>, built from text nodes. */
export function highlighted(text, quotes = []) {
  const frag = document.createDocumentFragment();
  const ranges = [];
  for (const q of quotes) {
    if (!q) continue;
    const at = text.indexOf(q);
    if (at >= 0) ranges.push([at, at + q.length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let pos = 0;
  for (const [start, end] of ranges) {
    if (start < pos) continue;
    if (start > pos) frag.append(document.createTextNode(text.slice(pos, start)));
    frag.append(h("mark", {}, text.slice(start, end)));
    pos = end;
  }
  if (pos < text.length) frag.append(document.createTextNode(text.slice(pos)));
  return frag;
}

/** Shows a message in a live region so screen readers hear it. */
export function showNotice(el, message, kind = "error") {
  clear(el);
  if (!message) { el.hidden = true; return; }
  el.className = `notice ${kind}`;
  el.textContent = message;
  el.hidden = false;
}

export const TOPIC_LABEL = (id) => {
  if (!id) return "";
  const words = id.replace(/^ask_/, "").replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
};
