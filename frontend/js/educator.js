// Educator: persona files with validation problems (file:line:col), and a per-topic preview.
import { api } from "./api.js";
import { renderNav } from "./nav.js";
import { h, append, clear, showNotice, $ } from "./dom.js";

const LEVEL = { open: "open", guarded: "guarded", reaction: "reaction", unknown: "no answer", fallback: "fallback" };

function cell(side, label) {
  const td = h("td", { "data-label": label });
  const variants = side.variants && side.variants.length ? side.variants : [side.text];
  if (variants.length > 1) td.append(h("ul", { class: "quotes" }, variants.map((v) => h("li", {}, v))));
  else td.append(h("p", {}, variants[0]));
  // append() skips a missing cue tag; Element.append would print "null".
  append(td, h("span", { class: "tag" }, LEVEL[side.level] || side.level), side.cue ? " " : null,
    side.cue ? h("span", { class: "tag cue" }, "cue") : null);
  return td;
}

async function loadPreview(id, target) {
  if (target.dataset.loaded) return;
  target.dataset.loaded = "1";
  try {
    const p = await api(`/api/educator/personas/${encodeURIComponent(id)}/preview`);
    clear(target);
    target.append(h("p", {}, h("strong", {}, "Opening: "), p.opening));
    target.append(h("p", { class: "small muted" },
      `Rapport starts at ${p.rapport.start} and opens at ${p.rapport.open_at}. Low rapport shown: ${p.low_rapport}.`));
    const body = h("tbody", {});
    for (const t of p.topics) {
      body.append(h("tr", {}, h("th", { scope: "row" }, h("code", {}, t.topic), h("br", {}), h("span", { class: "small muted" }, t.category)),
        cell(t.low, "Low rapport"), cell(t.high, "High rapport")));
    }
    target.append(h("div", { class: "table-scroll" }, h("table", { class: "preview-table stack" },
      h("caption", { class: "visually-hidden" }, `Answers of ${p.persona.name} per topic`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Topic"), h("th", { scope: "col" }, "Low rapport"),
                        h("th", { scope: "col" }, "High rapport"))), body)));
  } catch (err) {
    delete target.dataset.loaded;
    clear(target).append(h("p", { class: "notice error" }, err.message));
  }
}

async function main() {
  await renderNav();
  let data;
  try {
    data = await api("/api/educator/personas");
  } catch (err) {
    showNotice($("#notice"), err.message);
    return;
  }
  $("#summary").textContent = `${data.valid} valid, ${data.errors} with errors, in ${data.directory}.`;
  const body = clear($("#files"));
  const previews = clear($("#previews"));
  for (const f of data.files) {
    const status = f.status === "valid"
      ? h("td", {}, h("span", { class: "badge yes" }, "Valid"))
      : h("td", {}, h("span", { class: "badge no" }, "Errors"),
          h("ul", { class: "problems" }, f.problems.map((p) => h("li", {}, h("code", {}, p.text)))));
    body.append(h("tr", { id: `file-${f.file}` }, h("th", { scope: "row" }, h("code", {}, f.file)),
      h("td", {}, f.persona ? `${f.persona.name} (${f.persona.id})` : "–"), status));
    if (f.status === "valid" && f.persona) {
      const target = h("div", {}, h("p", { class: "muted" }, "Loading…"));
      const details = h("details", { class: "card", id: `preview-${f.persona.id}` },
        h("summary", {}, `${f.persona.name}: answers by topic`), target);
      details.addEventListener("toggle", () => { if (details.open) loadPreview(f.persona.id, target); });
      previews.append(details);
    }
  }
}
main();
