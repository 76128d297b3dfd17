// Shared rendering of a score report: verdict badges, the domain chart (Chart.js, vendored),
// evidence quotes that link to their turns, and the highlighted transcript.
import { h, clear, highlighted, TOPIC_LABEL, fmtScore } from "./dom.js";

export const VERDICTS = [
  ["explored_psychosocial", "Explored the psychosocial context", "Did not explore the psychosocial context", true],
  ["dismissed_physical", "Dismissed the physical symptoms", "Did not dismiss the physical symptoms", false],
  ["balanced", "Balanced physical and psychosocial", "Not balanced", true],
  ["psychosocial_before_physical", "Asked psychosocial before physical", "Physical first", null],
];

export function verdictBadges(verdict) {
  const ul = h("ul", { class: "badges", "aria-label": "Verdict" });
  for (const [key, yes, no, good] of VERDICTS) {
    if (!verdict || verdict[key] === undefined || verdict[key] === null) continue;
    const value = Boolean(verdict[key]);
    const kind = good === null ? "neutral" : (value === good ? "yes" : "no");
    ul.append(h("li", { class: `badge ${kind}` }, value ? yes : no));
  }
  return ul;
}

export function turnLink(turn, label) {
  const a = h("a", { href: `#turn-${turn}` }, label || `turn ${turn}`);
  a.addEventListener("click", (event) => {
    const target = document.getElementById(`turn-${turn}`);
    if (!target) return;
    event.preventDefault();
    history.replaceState(null, "", `#turn-${turn}`);
    target.scrollIntoView({ block: "center" });
    target.focus();
  });
  return a;
}

export function quoteItem(item, extra) {
  return h("li", {}, h("q", {}, item.quote || ""), " (", turnLink(item.turn), ")", extra || null);
}

let chart = null;

/** Characters per line of a category label on a chart this wide (px). */
function labelWidth(px) { return px < 360 ? 14 : px < 560 ? 20 : 48; }

function sizeFor(canvas, labels) {
  // One readable row per bar, tall enough for its wrapped label (CSSOM, which the
  // Content-Security-Policy allows).
  const box = canvas.parentElement;
  if (!box) return;
  const chars = labelWidth(box.clientWidth || 600);
  // Chart.js gives every category the same height: the longest label sets it.
  const lines = Math.max(1, ...labels.map((label) => {
    const wrapped = wrapLabel(label, chars);
    return Array.isArray(wrapped) ? wrapped.length : 1;
  }));
  box.style.height = `${Math.max(10, labels.length * Math.max(2.1, lines * 1.05 + 0.5) + 3)}rem`;
}

/** A label in lines of at most ``width`` characters, broken between words. */
export function wrapLabel(label, width) {
  const lines = [];
  let line = "";
  for (const word of String(label).split(/\s+/)) {
    if (line && (line + " " + word).length > width) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.length > 1 ? lines : lines[0] || "";
}

/** Category labels that fit: wrapped to the chart's width, so none is cut at the edge. */
function fittingTicks() {
  return { color: "#1b1f24", autoSkip: false, font: { size: 13 },
           callback(value) {
             const label = this.getLabelForValue(value);
             const width = this.chart.width;
             return wrapLabel(label, labelWidth(width));
           } };
}

/** Draws each bar's value at its end, so a 0 still has a visible mark and number. */
const barValues = (format) => ({
  id: "barValues",
  afterDatasetsDraw(c) {
    const { ctx } = c;
    const meta = c.getDatasetMeta(0);
    ctx.save();
    ctx.fillStyle = "#1b1f24";
    ctx.font = "600 12px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    meta.data.forEach((bar, i) => {
      const value = c.data.datasets[0].data[i];
      const text = format(value);
      const x = Math.min(bar.x + 6, c.width - ctx.measureText(text).width - 2);
      ctx.fillText(text, x, bar.y);
    });
    ctx.restore();
  },
});

export function domainChart(canvas, domains) {
  const labels = domains.map((d) => d.label || d.id);
  const scores = domains.map((d) => Number(d.score));
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", "Bar chart of domain scores out of 5: " +
    domains.map((d) => `${d.label || d.id} ${fmtScore(d.score, 1)}`).join("; "));
  if (!window.Chart) return null;
  sizeFor(canvas, labels);
  if (chart) chart.destroy();
  chart = new window.Chart(canvas, {
    type: "bar",
    data: { labels, datasets: [{ label: "Score (0 to 5)", data: scores, backgroundColor: "#1d4ed8",
                                  borderColor: "#1e3a8a", borderWidth: 1, minBarLength: 3 }] },
    options: {
      indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
      layout: { padding: { right: 30 } },
      scales: { x: { min: 0, max: 5, ticks: { stepSize: 1, color: "#1b1f24", font: { size: 13 } }, grid: { color: "#d7dbe2" } },
                y: { ticks: fittingTicks() } },
      plugins: { legend: { display: false } },
    },
    plugins: [barValues((v) => fmtScore(v, 1))],
  });
  return chart;
}

export function percentChart(canvas, rows, label) {
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${label}: ` + rows.map((r) => `${r.label} ${r.missed_pct}%`).join("; "));
  if (!window.Chart) return null;
  sizeFor(canvas, rows.map((r) => r.label));
  return new window.Chart(canvas, {
    type: "bar",
    data: { labels: rows.map((r) => r.label), datasets: [{ label, data: rows.map((r) => r.missed_pct), minBarLength: 3,
                                                           backgroundColor: "#b45309", borderColor: "#78350f", borderWidth: 1 }] },
    options: {
      indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
      layout: { padding: { right: 36 } },
      scales: { x: { min: 0, max: 100, ticks: { callback: (v) => `${v}%`, color: "#1b1f24" }, grid: { color: "#d7dbe2" } },
                y: { ticks: fittingTicks() } },
      plugins: { legend: { display: false } },
    },
    plugins: [barValues((v) => `${v}%`)],
  });
}

/** Per-turn annotations from a report: topic tags, empathy, dismissals, cues, missed cues. */
export function annotations(report, { assessor = false } = {}) {
  const by = new Map();
  const get = (n) => { if (!by.has(n)) by.set(n, { quotes: [], tags: [], classes: [] }); return by.get(n); };
  for (const t of (report && report.turns) || []) {
    const a = get(t.turn);
    if (t.speaker === "learner" && t.topic) {
      a.topic = t.topic;
      a.confidence = t.confidence;
    }
    if (t.speaker === "patient" && t.cue) a.tags.push(["cue", "Emotional cue"]);
  }
  for (const e of (report && report.empathy) || []) {
    const a = get(e.turn); a.quotes.push(e.quote); a.tags.push(["empathy", "Empathy"]); a.classes.push("hl-empathy");
  }
  for (const d of (report && report.dismissals) || []) {
    const a = get(d.turn); a.quotes.push(d.quote);
    a.tags.push(["dismissal", assessor && d.kind ? `Dismissal: ${d.kind.replace(/_/g, " ")}` : "Dismissal"]);
    a.classes.push("hl-dismissal");
  }
  for (const m of (report && report.missed_cues) || []) {
    const a = get(m.turn); a.quotes.push(m.quote); a.tags.push(["missed", "Missed cue"]); a.classes.push("hl-missed");
  }
  return by;
}

/**
 * The transcript with its highlights. ``assessor`` adds each student turn's topic id and the
 * classifier's confidence (the assessor's view only); students see "You" and plain tags.
 */
export function renderTranscript(list, turns, report, personaName, { assessor = false } = {}) {
  clear(list);
  const notes = annotations(report, { assessor });
  for (const t of turns) {
    const a = notes.get(t.turn) || { quotes: [], tags: [], classes: [] };
    const who = t.speaker === "learner" ? (assessor ? "Student" : "You") : (personaName || "Patient");
    const head = h("div", { class: "turn-head" }, h("strong", {}, who), h("span", {}, `Turn ${t.turn}`));
    if (assessor && a.topic) {
      head.append(h("span", { class: "tag", title: "Topic" }, `Topic: ${a.topic}`,
        a.confidence !== undefined && a.confidence !== null ? ` (${Math.round(a.confidence * 100)}%)` : ""));
    }
    for (const [kind, label] of a.tags) head.append(h("span", { class: `tag ${kind}` }, label));
    const li = h("li", { class: ["turn", t.speaker, ...a.classes].join(" "), id: `turn-${t.turn}`, tabindex: "-1" },
      head, h("p", { class: "text" }, highlighted(t.text, a.quotes)));
    list.append(li);
  }
}

export function topicName(id) { return TOPIC_LABEL(id); }
