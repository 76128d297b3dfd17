// Assessor: which domains and psychosocial topics the cohort misses most, as charts and tables.
import { api } from "./api.js";
import { renderNav } from "./nav.js";
import { h, clear, fmtScore, showNotice, $ } from "./dom.js";
import { formToQuery, queryToForm, fillPersonas } from "./filters.js";
import { percentChart } from "./report.js";

const form = $("#filters");
let charts = [];

async function load(push) {
  const q = formToQuery(form);
  if (push) history.pushState(null, "", `?${q}`);
  $("#back").setAttribute("href", `/assessor/?${q}`);
  let data;
  try {
    data = await api(`/api/assessor/cohort?${q}`);
  } catch (err) {
    showNotice($("#notice"), err.message);
    return;
  }
  showNotice($("#notice"), null);
  charts.forEach((c) => c && c.destroy());
  $("#summary").textContent = `${data.scored} scored interview${data.scored === 1 ? "" : "s"} of ${data.interviews} matching.`;
  $("#dom-note").textContent = `A domain counts as missed when it scored ${data.missed_domain_score} or less out of 5.`;
  const domBody = clear($("#dom-rows"));
  for (const d of data.domains) {
    domBody.append(h("tr", {}, h("th", { scope: "row" }, d.label), h("td", {}, `${d.missed_pct}% (${d.missed} of ${d.interviews})`),
      h("td", {}, fmtScore(d.mean, 2))));
  }
  const topBody = clear($("#top-rows"));
  for (const t of data.topics) {
    topBody.append(h("tr", {}, h("th", { scope: "row" }, t.label), h("td", {}, `${t.missed_pct}% (${t.missed} of ${t.interviews})`)));
  }
  charts = [percentChart($("#dom-chart"), data.domains, "Share of interviews missing the domain"),
            percentChart($("#top-chart"), data.topics, "Share of interviews not asking")];
}

form.addEventListener("submit", (e) => { e.preventDefault(); load(true); });

async function main() {
  await renderNav();
  await fillPersonas($("#f-persona"));
  queryToForm(form, new URLSearchParams(window.location.search));
  await load(false);
}
main();
