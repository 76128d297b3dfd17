// Assessor: filter, sort and page through conversations; export the filtered list.
import { api } from "./api.js";
import { renderNav } from "./nav.js";
import { h, clear, fmtDate, fmtScore, showNotice, $ } from "./dom.js";
import { formToQuery, queryToForm, fillPersonas } from "./filters.js";

const form = $("#filters");
let page = 1;

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
  for (const r of data.items) {
    const link = h("a", { href: `/assessor/conversations/${encodeURIComponent(r.id)}` },
      `Review ${r.student || "conversation"} with ${r.persona_name || "unknown patient"}`);
    body.append(h("tr", {},
      h("td", {}, r.student || h("span", { class: "muted" }, r.source)),
      h("td", {}, r.persona_name || "–"),
      h("td", {}, fmtDate(r.started_at)),
      h("td", {}, r.status),
      h("td", {}, String(r.turns)),
      h("td", {}, r.overall === null ? h("span", { class: "muted", title: r.score_problem || "" }, "not scored") : fmtScore(r.overall),
        r.overridden ? h("span", { class: "tag", title: "An assessor changed a domain score" }, " adjusted") : null),
      h("td", {}, VERDICT_TEXT(r.verdict)),
      h("td", {}, link)));
  }
  if (!data.items.length) body.append(h("tr", {}, h("td", { colspan: "8", class: "muted" }, "No conversations match these filters.")));
  $("#count").textContent = `${data.total} conversation${data.total === 1 ? "" : "s"} found.`;
  $("#page-info").textContent = `Page ${data.page} of ${data.pages}`;
  $("#prev").disabled = data.page <= 1;
  $("#next").disabled = data.page >= data.pages;
  sortHeaders($("#f-sort").value, $("#f-order").value);
}

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
