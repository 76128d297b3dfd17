// The simulated patient's view (report.patient_experience): ten CARE themes rated 1-5 with a
// first-person comment and evidence linked to turns, the total, and the note that it is
// simulated. Used on the student's feedback page and the assessor's conversation page.
import { h, clear } from "./dom.js";
import { quoteItem } from "./report.js";

/** Fills ``container`` with the patient's view; returns false when the report has none. */
export function renderPatientView(container, pe, personaName) {
  clear(container);
  if (!pe || !Array.isArray(pe.items) || !pe.items.length) return false;
  const max = pe.max || pe.items.length * 5;
  container.append(
    h("p", { class: "notice info pv-note" }, h("strong", {}, "Simulated: "),
      pe.note || "A simulated patient's view of the encounter, derived from the transcript; not a validated CARE score."),
    h("p", { class: "pv-total" }, `${personaName || "The patient"}'s total: `,
      h("span", { class: "score-mid" }, String(pe.total)), ` out of ${max}`,
      h("span", { class: "muted" }, ` (ten themes, each rated 1 to 5)`)));
  const body = h("tbody");
  for (const item of pe.items) {
    const said = h("td", { "data-label": "What the patient says, and evidence" }, h("p", { class: "pv-comment" }, item.comment || ""));
    if (item.evidence && item.evidence.length) {
      said.append(h("ul", { class: "quotes small", "aria-label": "Evidence" }, item.evidence.map((e) => quoteItem(e))));
    }
    body.append(h("tr", { id: `pv-${item.id}` },
      h("th", { scope: "row" }, item.label || item.id),
      h("td", { class: "pv-score", "data-label": "Rating" }, h("span", { class: `pv-dots r${item.score}`, "aria-hidden": "true" },
        "●".repeat(item.score), "○".repeat(Math.max(0, 5 - item.score))), " ", `${item.score} / 5`),
      said));
  }
  container.append(h("div", { class: "table-scroll" }, h("table", { class: "pv-table stack" },
    h("caption", { class: "visually-hidden" }, "The simulated patient's ratings, with what they said and the turns behind it"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Theme"), h("th", { scope: "col" }, "Rating"),
      h("th", { scope: "col" }, "What the patient says, and evidence"))),
    body)));
  return true;
}
