// A student's own learning curve: the overall and per-domain scores of their finished,
// scored interviews in time order, as a Chart.js line chart (vendored) and a data table.
import { api } from "./api.js";
import { renderNav } from "./nav.js";
import { h, clear, fmtDate, fmtScore, showNotice, $ } from "./dom.js";

function shortDate(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleDateString(undefined, { day: "numeric", month: "short" });
}

function change(first, last, digits) {
  if (first === null || first === undefined || last === null || last === undefined) return "–";
  const diff = Number(last) - Number(first);
  return `${diff > 0 ? "+" : diff < 0 ? "−" : "±"}${Math.abs(diff).toFixed(digits)}`;
}

let current = null;

/** One line on one scale: the overall score (0-100) or the domain picked in #series (0-5).
 *  Each point is labelled with the interview's number, patient and date. */
function chart(canvas, data, series) {
  const points = data.interviews;
  const domain = data.domains.find((d) => d.id === series) || null;
  const label = domain ? `${domain.label} (0 to 5)` : "Overall score (0 to 100)";
  const values = points.map((p) => (domain ? (p.domains[domain.id] === undefined ? null : p.domains[domain.id]) : p.overall));
  const labels = points.map((p) => [`${p.number}. ${p.persona ? p.persona.name : "Unknown patient"}`, shortDate(p.started_at)]);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `Line chart of ${label} across ${points.length} interview${points.length === 1 ? "" : "s"}: ` +
    points.map((p, i) => `${p.number}. ${p.persona ? p.persona.name : "patient"} ${fmtScore(values[i], domain ? 1 : 0)}`).join(", ") +
    ". Every value is in the table below.");
  if (!window.Chart) return null;
  if (current) current.destroy();
  const ticks = { color: "#1b1f24", font: { size: 13 } };
  current = new window.Chart(canvas, {
    type: "line",
    data: { labels, datasets: [{ label, data: values, borderColor: "#1d4ed8", backgroundColor: "#1d4ed8", borderWidth: 3,
                                 pointRadius: 5, tension: 0, spanGaps: true }] },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: {
        y: { min: 0, max: domain ? 5 : 100, ticks: { ...ticks, stepSize: domain ? 1 : 20 },
             title: { display: true, text: label, color: "#1b1f24" }, grid: { color: "#d7dbe2" } },
        x: { ticks: { ...ticks, autoSkip: true, maxRotation: 0 }, grid: { color: "#eef1f5" },
             title: { display: true, text: "Interview: number, patient, date", color: "#1b1f24" } },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => {
          const p = points[items[0].dataIndex];
          return `Interview ${p.number}: ${p.persona ? p.persona.name : "patient"}, ${fmtDate(p.started_at)}`;
        } } },
      },
    },
  });
  return current;
}

function seriesPicker(data) {
  const select = clear($("#series"));
  select.append(h("option", { value: "" }, "Overall score (0 to 100)"),
    ...data.domains.map((d) => h("option", { value: d.id }, `${d.label} (0 to 5)`)));
  select.addEventListener("change", () => chart($("#progress-chart"), data, select.value));
}

function table(data) {
  const head = clear($("#progress-head"));
  head.append(h("th", { scope: "col" }, "Interview"), h("th", { scope: "col" }, "Overall (of 100)"),
    ...data.domains.map((d) => h("th", { scope: "col" }, `${d.label} (of 5)`)));
  const body = clear($("#progress-rows"));
  for (const p of data.interviews) {
    const name = p.persona ? p.persona.name : "Unknown patient";
    body.append(h("tr", {},
      h("th", { scope: "row" }, h("a", { href: p.feedback_url }, `${p.number}. ${name}`),
        h("span", { class: "small muted block" }, fmtDate(p.started_at))),
      h("td", {}, fmtScore(p.overall)),
      ...data.domains.map((d) => h("td", {}, fmtScore(p.domains[d.id], 1), p.adjusted.includes(d.id)
        ? h("span", { title: "adjusted by an assessor" }, "*") : null))));
  }
  const foot = clear($("#progress-foot"));
  if (data.interviews.length > 1) {
    const first = data.interviews[0];
    const last = data.interviews[data.interviews.length - 1];
    foot.append(h("tr", {}, h("th", { scope: "row" }, "Change, first to latest"),
      h("td", {}, change(first.overall, last.overall, 0)),
      ...data.domains.map((d) => h("td", {}, change(first.domains[d.id], last.domains[d.id], 1)))));
  }
}

async function main() {
  await renderNav();
  let data;
  try {
    data = await api("/api/my/progress");
  } catch (err) {
    $("#status").textContent = "";
    showNotice($("#notice"), err.message);
    return;
  }
  const n = data.interviews.length;
  const extra = [];
  if (data.in_progress) extra.push(`${data.in_progress} unfinished interview${data.in_progress === 1 ? " is" : "s are"} not shown`);
  if (data.unscored) extra.push(`${data.unscored} finished interview${data.unscored === 1 ? " has" : "s have"} no score`);
  if (!n) {
    $("#status").textContent = "No finished, scored interviews yet. Interview a patient and end the interview to start your curve." +
      (extra.length ? ` (${extra.join("; ")}.)` : "");
    $("#status").append(" ", h("a", { href: "/" }, "Choose a patient"));
    return;
  }
  const first = data.interviews[0];
  const last = data.interviews[n - 1];
  $("#status").textContent = `${n} finished interview${n === 1 ? "" : "s"}.` +
    (n > 1 ? ` Overall score: ${fmtScore(first.overall)} in the first, ${fmtScore(last.overall)} in the latest.` :
      " Do another to see a curve.") + (extra.length ? ` ${extra.join("; ")}.` : "");
  $("#chart-card").hidden = false;
  $("#table-card").hidden = false;
  table(data);
  seriesPicker(data);
  chart($("#progress-chart"), data, "");
}
main();
