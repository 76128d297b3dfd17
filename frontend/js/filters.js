// The assessor's filter form <-> the URL query string (so filtered views can be shared and bookmarked).
import { api } from "./api.js";
import { h } from "./dom.js";

export function formToQuery(form, extra = {}) {
  const q = new URLSearchParams();
  for (const el of form.elements) {
    if (!el.name || !el.value) continue;
    q.set(el.name, el.value);
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  return q;
}

export function queryToForm(form, q) {
  for (const el of form.elements) {
    if (!el.name) continue;
    if (q.has(el.name)) el.value = q.get(el.name);
  }
}

export async function fillPersonas(select) {
  const data = await api("/api/personas");
  for (const p of data.personas) select.append(h("option", { value: p.id }, p.name));
}
