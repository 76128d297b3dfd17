// Assessor: one conversation with tagged, highlighted turns and the score panel, where any
// domain score can be overridden with a comment (the original and every change are kept).
import { api } from "./api.js";
import { renderNav } from "./nav.js";
import { h, clear, fmtDate, fmtScore, showNotice, $ } from "./dom.js";
import { verdictBadges, quoteItem, renderTranscript } from "./report.js";
import { renderPatientView } from "./patient-view.js";
import { assessorReflection } from "./reflection.js";

const cid = decodeURIComponent(window.location.pathname.split("/").filter(Boolean).pop());
const base = `/api/assessor/conversations/${encodeURIComponent(cid)}`;
const MAX = 5; // domain scores are 0-5 (contract section 5)

function overrideForm(d) {
  const id = `ov-${d.id}`;
  const status = h("p", { role: "status", class: "small", id: `${id}-status` });
  const score = h("input", { type: "number", id: `${id}-score`, name: "score", min: "0", max: String(MAX), step: "0.5",
                             required: true, value: String(d.score ?? "") });
  const comment = h("textarea", { id: `${id}-comment`, name: "comment", rows: "2", maxlength: "2000", required: true });
  const form = h("form", { class: "override", "aria-label": `Override ${d.label || d.id}` },
    h("div", { class: "field" }, h("label", { for: `${id}-score` }, `New score for ${d.label || d.id} (0 to ${MAX})`), score),
    h("div", { class: "field" }, h("label", { for: `${id}-comment` }, "Why (required)"), comment),
    h("button", { type: "submit" }, "Save override"), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = Number(score.value);
    if (score.value === "" || Number.isNaN(value) || value < 0 || value > MAX) {
      status.textContent = `Enter a score from 0 to ${MAX}.`; score.focus(); return;
    }
    if (!comment.value.trim()) { status.textContent = "Say why the score changes."; comment.focus(); return; }
    try {
      await api(`${base}/overrides`, { method: "POST", body: { domain_id: d.id, score: value, comment: comment.value } });
      await load();
      // Said where the focus goes (the domain's heading), not at the top of the page.
      const block = document.getElementById(`domain-${d.id}`);
      const heading = block && block.querySelector("h3");
      if (heading) {
        heading.after(h("p", { class: "notice info small", role: "status" }, `Override saved for ${d.label || d.id}.`));
        heading.setAttribute("tabindex", "-1");
        heading.focus();
        block.scrollIntoView({ block: "nearest" });
      } else {
        showNotice($("#notice"), `Override saved for ${d.label || d.id}.`, "info");
      }
    } catch (err) {
      status.textContent = err.message;
    }
  });
  return form;
}

function domainBlock(d) {
  const block = h("div", { class: "domain", id: `domain-${d.id}` },
    h("h3", {}, d.label || d.id, " ", h("span", { class: "score" }, `${fmtScore(d.score, 1)} / ${MAX}`)),
    d.overridden ? h("p", { class: "small" }, `Overridden by ${d.overridden.by} on ${fmtDate(d.overridden.at)}; scorer said ${fmtScore(d.original_score, 1)}.`) : null,
    d.rationale ? h("p", { class: "small" }, d.rationale) : null,
    d.evidence && d.evidence.length ? h("ul", { class: "quotes small" }, d.evidence.map((e) => quoteItem(e))) : null);
  if (d.history && d.history.length) {
    block.append(h("details", {}, h("summary", {}, `Change history (${d.history.length})`),
      h("ol", { class: "history" }, d.history.map((c) => h("li", {},
        `${fmtDate(c.created_at)}: ${c.by} changed ${fmtScore(c.original_score, 1)} to ${fmtScore(c.new_score, 1)}: `,
        h("q", {}, c.comment))))));
  }
  block.append(h("details", { class: "no-print" }, h("summary", {}, `Override the ${d.label || d.id} score`), overrideForm(d)));
  return block;
}

async function load() {
  const data = await api(base);
  const name = data.persona ? data.persona.name : "unknown patient";
  $("#title").textContent = `${data.student || "Unknown student"} with ${name}`;
  document.title = `SP Trainer: review ${data.student || ""} with ${name}`;
  $("#meta").textContent = [`Started ${fmtDate(data.created_at)}`, data.status, `${data.turns.length} turns`].join(" · ");
  renderTranscript($("#transcript"), data.turns, data.report, name, { assessor: true });
  const panel = clear($("#score-panel"));
  if (!data.report) {
    panel.append(h("p", { class: "notice warn" }, `Not scored: ${data.report_problem || "no report"}`));
    clear($("#patient-view")).append(h("p", { class: "muted" }, "No score, so no patient's view."));
    return;
  }
  const r = data.report;
  if (!renderPatientView($("#patient-view"), r.patient_experience, name)) {
    $("#patient-view").append(h("p", { class: "muted" }, "This report has no patient's view."));
  }
  panel.append(h("p", {}, h("span", { class: "score-big" }, fmtScore(r.overall)), " ", h("span", { class: "muted" }, "out of 100"),
    r.original_overall !== undefined && r.original_overall !== null
      ? h("span", { class: "muted" }, ` (after overrides; the scorer gave ${fmtScore(r.original_overall)})`) : null));
  panel.append(verdictBadges(r.verdict));
  if (r.missed_cues && r.missed_cues.length) {
    panel.append(h("h3", {}, "Missed cues"), h("ul", { class: "quotes small" }, r.missed_cues.map((m) =>
      quoteItem(m, m.suggestion ? h("span", {}, ". Could have said: ", h("q", {}, m.suggestion)) : null))));
  }
  panel.append(h("h3", {}, "Domains"));
  for (const d of r.domains || []) panel.append(domainBlock(d));
}

async function main() {
  await renderNav();
  const api_base = `/api/conversations/${encodeURIComponent(cid)}`;
  $("#dl-transcript").setAttribute("href", `${api_base}/transcript.json`);
  $("#dl-report").setAttribute("href", `${api_base}/report.json`);
  try {
    await load();
  } catch (err) {
    showNotice($("#notice"), err.message);
  }
  try {
    await assessorReflection($("#reflection-card"), cid, (d) => {
      $("#reflection-jump").textContent = d.state === "none" ? "No reflection yet"
        : `The student's reflection (${d.state === "answered" ? "answered" : "awaiting an answer"})`;
    });
  } catch (err) {
    $("#reflection-status").textContent = `The reflection could not be loaded: ${err.message}`;
  }
}
main();
