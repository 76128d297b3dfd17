// Assessor: filter, sort and page through conversations; export the filtered list.
import { api } from "./api.js";
import { renderNav } from "./nav.js";
import { h, clear, fmtDate, fmtScore, showNotice, $ } from "./dom.js";
import { formToQuery, queryToForm, fillPersonas } from "./filters.js";

const form = $("#filters");
let page = 1;
// Conversations ticked for the teaching pack (kept across pages and filters): id -> description.
const selected = new Map();
const MAX_PACK = 50;
let packUrls = [];

const VERDICT_TEXT = (v) => {
  if (!v) return "–";
  const bits = [];
  bits.push(v.explored_psychosocial ? "explored psychosocial" : "psychosocial not explored");
  if (v.dismissed_physical) bits.push("dismissed physical");
  if (v.balanced) bits.push("balanced");
  return bits.join("; ");
};

function sortHeaders(sort, order) {
  for (const th of document.querySelectorAll("#results th[data-sort]")) {
    const key = th.dataset.sort;
    const label = th.dataset.label || th.textContent;
    th.dataset.label = label;
    clear(th);
    const active = key === sort;
    th.setAttribute("aria-sort", active ? (order === "asc" ? "ascending" : "descending") : "none");
    const btn = h("button", { type: "button", class: "sort" }, label, active ? (order === "asc" ? " ▲" : " ▼") : "");
    btn.addEventListener("click", () => {
      $("#f-sort").value = key;
      $("#f-order").value = active && order === "desc" ? "asc" : (active ? "desc" : (key === "student" || key === "persona" ? "asc" : "desc"));
      page = 1;
      load(true);
    });
    th.append(btn);
  }
}

async function load(push = false) {
  const q = formToQuery(form, { page });
  if (push) history.pushState(null, "", `?${q}`);
  const exportQ = formToQuery(form);
  $("#export-csv").setAttribute("href", `/api/assessor/conversations/export?format=csv&${exportQ}`);
  $("#export-json").setAttribute("href", `/api/assessor/conversations/export?format=json&${exportQ}`);
  $("#cohort-link").setAttribute("href", `/assessor/cohort?${exportQ}`);
  let data;
  try {
    data = await api(`/api/assessor/conversations?${q}`);
  } catch (err) {
    showNotice($("#notice"), err.message);
    return;
  }
  showNotice($("#notice"), null);
  const body = clear($("#rows"));
  data.items.forEach((r, i) => {
    const what = `${r.student || "conversation"} with ${r.persona_name || "unknown patient"}`;
    const link = h("a", { href: `/assessor/conversations/${encodeURIComponent(r.id)}`, id: `review-${i}` }, `Review ${what}`);
    body.append(h("tr", {},
      h("td", { class: "select-col" }, selectBox(r, what, `review-${i}`)),
      h("td", {}, r.student || h("span", { class: "muted" }, r.source)),
      h("td", {}, r.persona_name || "–"),
      h("td", {}, fmtDate(r.started_at)),
      h("td", {}, r.status),
      h("td", {}, String(r.turns)),
      h("td", {}, r.overall === null ? h("span", { class: "muted", title: r.score_problem || "" }, "not scored") : fmtScore(r.overall),
        r.overridden ? h("span", { class: "tag", title: "An assessor changed a domain score" }, " adjusted") : null),
      h("td", {}, VERDICT_TEXT(r.verdict)),
      h("td", {}, REFLECTION_TEXT(r.reflection)),
      h("td", {}, link)));
  });
  if (!data.items.length) body.append(h("tr", {}, h("td", { colspan: "10", class: "muted" }, "No conversations match these filters.")));
  syncPageBox();
  $("#count").textContent = `${data.total} conversation${data.total === 1 ? "" : "s"} found.`;
  $("#page-info").textContent = `Page ${data.page} of ${data.pages}`;
  $("#prev").disabled = data.page <= 1;
  $("#next").disabled = data.page >= data.pages;
  sortHeaders($("#f-sort").value, $("#f-order").value);
}

// --- the teaching pack --------------------------------------------------------------------

function REFLECTION_TEXT(state) {
  if (state === "awaiting") return h("span", { class: "tag missed" }, "awaiting an answer");
  if (state === "answered") return "answered";
  return h("span", { class: "muted" }, "none");
}

function selectBox(r, what, describedBy) {
  // A short name, and the row (the review link's text) as its description: screen readers
  // read "Add to the teaching pack, checkbox, Review <student> with <patient>".
  const scored = r.overall !== null && r.overall !== undefined;
  const box = h("input", { type: "checkbox", class: "pack-select", value: r.id, disabled: !scored,
                           "aria-label": scored ? "Add to the teaching pack" : "Not scored: cannot go in a teaching pack",
                           "aria-describedby": describedBy, title: scored ? `Add ${what} to the teaching pack` : null });
  box.checked = selected.has(r.id);
  box.addEventListener("change", () => {
    if (box.checked && selected.size >= MAX_PACK) {
      box.checked = false;
      $("#pack-status").textContent = `A teaching pack holds at most ${MAX_PACK} conversations.`;
      return;
    }
    if (box.checked) selected.set(r.id, what); else selected.delete(r.id);
    syncPageBox();
  });
  return box;
}

function pageBoxes() {
  return [...document.querySelectorAll("#rows input.pack-select:not([disabled])")];
}

function syncPageBox() {
  const boxes = pageBoxes();
  const ticked = boxes.filter((b) => b.checked).length;
  const all = $("#select-page");
  all.disabled = boxes.length === 0;
  all.checked = boxes.length > 0 && ticked === boxes.length;
  all.indeterminate = ticked > 0 && ticked < boxes.length;
  const n = selected.size;
  $("#pack-count").textContent = n
    ? `${n} conversation${n === 1 ? "" : "s"} selected for the teaching pack.`
    : "Tick conversations below to put them in an anonymised teaching pack.";
  $("#pack-export").disabled = n === 0;
  $("#pack-clear").disabled = n === 0;
}

function forgetPack() {
  packUrls.forEach((u) => URL.revokeObjectURL(u));
  packUrls = [];
  clear($("#pack-ready")).hidden = true;
}

$("#select-page").addEventListener("change", (e) => {
  for (const box of pageBoxes()) {
    if (box.checked === e.target.checked) continue;
    if (e.target.checked && selected.size >= MAX_PACK) break;
    box.checked = e.target.checked;
    box.dispatchEvent(new Event("change"));
  }
  syncPageBox();
});

$("#pack-clear").addEventListener("click", () => {
  selected.clear();
  for (const box of pageBoxes()) box.checked = false;
  forgetPack();
  $("#pack-status").textContent = "Selection cleared.";
  syncPageBox();
});

$("#pack-export").addEventListener("click", async () => {
  const button = $("#pack-export");
  const status = $("#pack-status");
  forgetPack();
  button.disabled = true;
  status.textContent = `Building an anonymised pack of ${selected.size} conversation${selected.size === 1 ? "" : "s"}…`;
  try {
    const data = await api("/api/assessor/teaching-pack", { method: "POST", body: { ids: [...selected.keys()] } });
    const ready = $("#pack-ready");
    const types = { "pack.html": "text/html;charset=utf-8", "pack.json": "application/json;charset=utf-8" };
    for (const [name, text] of Object.entries(data.files)) {
      const href = URL.createObjectURL(new Blob([text], { type: types[name] || "application/octet-stream" }));
      packUrls.push(href);
      ready.append(h("a", { class: "button secondary", href, download: name }, `Download ${name}`));
    }
    ready.hidden = false;
    status.textContent = `Teaching pack of ${data.count} interview${data.count === 1 ? "" : "s"} ready, ` +
      "anonymised: download pack.html (to read or print) and pack.json.";
    ready.querySelector("a").focus();
  } catch (err) {
    status.textContent = `The teaching pack could not be made: ${err.message}`;
  } finally {
    button.disabled = selected.size === 0;
  }
});

form.addEventListener("submit", (e) => { e.preventDefault(); page = 1; load(true); });
$("#reset").addEventListener("click", () => { setTimeout(() => { page = 1; load(true); }, 0); });
$("#prev").addEventListener("click", () => { page = Math.max(1, page - 1); load(true); });
$("#next").addEventListener("click", () => { page += 1; load(true); });
window.addEventListener("popstate", () => {
  const q = new URLSearchParams(window.location.search);
  form.reset();
  queryToForm(form, q);
  page = Number(q.get("page") || 1);
  load(false);
});

async function main() {
  await renderNav();
  await fillPersonas($("#f-persona"));
  const q = new URLSearchParams(window.location.search);
  queryToForm(form, q);
  page = Number(q.get("page") || 1);
  await load(false);
}
main();
