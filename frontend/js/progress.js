// A student's own learning curve: the overall and per-domain scores of their finished,
// scored interviews in time order, as a Chart.js line chart (vendored) and a data table.
import { api } from "./api.js";
import { renderNav } from "./nav.js";
import { h, clear, fmtDate, fmtScore, showNotice, $ } from "./dom.js";

// Ten colours told apart with common colour-vision deficiencies (Tableau 10, darkened for
// contrast on white); each line also has its own point shape.
const COLOURS = ["#1f5fa0", "#c2410c", "#2f7d32", "#b91c1c", "#6d28d9", "#7c4a2d", "#be185d", "#4b5563",
                 "#6b7a0e", "#0e7490"];
const SHAPES = ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "rectRounded", "cross", "dash", "line"];

function shortDate(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleDateString(undefined, { day: "numeric", month: "short" });
}

function change(first, last, digits) {
  if (first === null || first === undefined || last === null || last === undefined) return "–";
  const diff = Number(last) - Number(first);
  return `${diff > 0 ? "+" : diff < 0 ? "−" : "±"}${Math.abs(diff).toFixed(digits)}`;
}

function chart(canvas, data) {
  const points = data.interviews;
  const labels = points.map((p) => `${p.number}. ${shortDate(p.started_at)}`);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `Line chart of your scores across ${points.length} interview${points.length === 1 ? "" : "s"}: ` +
    `overall ${points.map((p) => fmtScore(p.overall)).join(", ")}. Every value is in the table below.`);
  if (!window.Chart) return null;
  const datasets = [{
    label: "Overall (0 to 100)", data: points.map((p) => p.overall), yAxisID: "overall",
    borderColor: "#0f172a", backgroundColor: "#0f172a", borderWidth: 4, pointRadius: 5, pointStyle: "circle", tension: 0,
  }];
  data.domains.forEach((d, i) => datasets.push({
    label: d.label, data: points.map((p) => (p.domains[d.id] === undefined ? null : p.domains[d.id])), yAxisID: "domain",
    borderColor: COLOURS[i % COLOURS.length], backgroundColor: COLOURS[i % COLOURS.length], borderWidth: 2,
    pointRadius: 4, pointStyle: SHAPES[i % SHAPES.length], tension: 0, spanGaps: true,
  }));
  const ticks = { color: "#1b1f24", font: { size: 13 } };
  return new window.Chart(canvas, {
    type: "line",
    data: { labels, datasets },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        domain: { type: "linear", position: "left", min: 0, max: 5, ticks: { ...ticks, stepSize: 1 },
                  title: { display: true, text: "Domain (0 to 5)", color: "#1b1f24" }, grid: { color: "#d7dbe2" } },
        overall: { type: "linear", position: "right", min: 0, max: 100, ticks: { ...ticks, stepSize: 20 },
                   title: { display: true, text: "Overall (0 to 100)", color: "#1b1f24" }, grid: { drawOnChartArea: false } },
        x: { ticks, grid: { color: "#eef1f5" } },
      },
      plugins: {
        legend: { position: "bottom", labels: { color: "#1b1f24", usePointStyle: true, boxWidth: 10, font: { size: 12 } } },
        tooltip: { callbacks: { title: (items) => {
          const p = points[items[0].dataIndex];
          return `Interview ${p.number}: ${p.persona ? p.persona.name : "patient"}, ${fmtDate(p.started_at)}`;
        } } },
      },
    },
  });
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
  chart($("#progress-chart"), data);
}
main();
