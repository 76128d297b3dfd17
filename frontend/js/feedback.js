// The student's feedback after "End interview".
import { api } from "./api.js";
import { renderNav } from "./nav.js";
import { h, clear, fmtScore, showNotice, $ } from "./dom.js";
import { verdictBadges, domainChart, quoteItem, renderTranscript, turnLink } from "./report.js";
import { renderPatientView } from "./patient-view.js";
import { studentReflection } from "./reflection.js";

const cid = decodeURIComponent(window.location.pathname.split("/").filter(Boolean).pop());
const base = `/api/conversations/${encodeURIComponent(cid)}`;

function fill(list, items, render, empty) {
  clear(list);
  if (!items || !items.length) { list.append(h("li", { class: "muted" }, empty)); return; }
  items.forEach((item) => list.append(render(item)));
}

function renderReport(report, feedback, personaName) {
  $("#overall-card").hidden = false;
  $("#overall").textContent = fmtScore(report.overall);
  $("#overall-note").textContent = report.original_overall !== undefined && report.original_overall !== null
    ? ` An assessor reviewed some domain scores; the automatic score was ${fmtScore(report.original_overall)}.` : "";
  clear($("#verdict")).append(verdictBadges(report.verdict));

  // The plain-language view the server makes of the report (bot/web/plain_feedback.py).
  const plain = (feedback && feedback.domains) || [];
  const domains = plain.length ? plain : (report.domains || []);
  $("#domains-card").hidden = domains.length === 0;
  const body = clear($("#domains"));
  for (const d of domains) {
    const why = h("td", { "data-label": "What you did, and what counted" }, h("p", {}, d.summary || ""));
    if (d.overridden) {
      why.append(h("p", { class: "small" },
        `Adjusted by an assessor from ${fmtScore(d.original_score, 1)}: ${d.overridden.comment}`));
    }
    if (d.evidence && d.evidence.length) why.append(h("ul", { class: "quotes" }, d.evidence.map((e) => quoteItem(e))));
    body.append(h("tr", {}, h("th", { scope: "row" }, d.label || d.id),
      h("td", { "data-label": "Score (of 5)" }, fmtScore(d.score, 1), d.band ? h("span", { class: "small block" }, d.band) : null),
      why));
  }
  if (domains.length) domainChart($("#domain-chart"), domains);

  $("#pv-card").hidden = !renderPatientView($("#patient-view"), report.patient_experience, personaName);

  const advice = report.advice || [];
  $("#advice-card").hidden = advice.length === 0;
  fill($("#advice"), advice, (a) => h("li", {}, a), "");

  $("#cues-card").hidden = false;
  fill($("#cues"), report.missed_cues, (m) => h("li", {},
    `${personaName} said `, h("q", {}, m.quote || ""), " (", turnLink(m.turn), ").",
    m.suggestion ? h("p", { class: "small" }, h("strong", {}, "You could have said: "), h("q", {}, m.suggestion)) : null),
    "No missed cues. Well done.");

  $("#moments-card").hidden = false;
  fill($("#empathy"), report.empathy, (e) => quoteItem(e), "No empathic statements were found.");
  const dismissals = (feedback && feedback.dismissals) || report.dismissals;
  fill($("#dismissals"), dismissals, (d) => quoteItem(d, d.kind ? ` (${d.kind.replace(/_/g, " ")})` : null),
    "No dismissals. Good.");
}

async function main() {
  await renderNav();
  $("#dl-transcript").setAttribute("href", `${base}/transcript.json`);
  let detail;
  try {
    detail = await api(base);
  } catch (err) {
    $("#status").textContent = "";
    showNotice($("#notice"), err.status === 403 ? "This is not your conversation." : err.message);
    return;
  }
  const name = detail.persona ? detail.persona.name : "The patient";
  $("#title").textContent = `Feedback: your interview with ${name}`;
  document.title = `SP Trainer: feedback (${name})`;
  renderTranscript($("#transcript"), detail.turns, null, name);
  studentReflection($("#reflection-card"), cid);
  try {
    const data = await api(`${base}/report`);
    renderReport(data.report, data.feedback, name);
    renderTranscript($("#transcript"), detail.turns, data.report, name);
    $("#dl-report").setAttribute("href", `${base}/report.json`);
    $("#dl-report").hidden = false;
    $("#dl-report-html").setAttribute("href", `${base}/report.html`);
    $("#dl-report-html").hidden = false;
    $("#print").hidden = false;
    $("#status").textContent = "Your feedback is ready.";
    if (window.location.hash) {
      const target = document.getElementById(window.location.hash.slice(1));
      if (target) target.scrollIntoView({ block: "center" });
    }
  } catch (err) {
    $("#status").textContent = "";
    showNotice($("#notice"), `No score yet: ${err.message}`, err.status === 409 ? "info" : "warn");
  }
}

$("#print").addEventListener("click", () => window.print());
main();
