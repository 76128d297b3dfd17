// Reflections (issue 7). The student writes a short reflection after the feedback (three
// parts) and may edit it; assessors read it on the conversation page and answer it; the
// student sees the answers. Everything typed is shown as text (h() makes text nodes).
import { api } from "./api.js";
import { h, clear, fmtDate, $ } from "./dom.js";

const url = (cid) => `/api/conversations/${encodeURIComponent(cid)}/reflection`;

function counter(textarea, limit) {
  const out = h("span", { class: "small muted counter", id: `${textarea.id}-count` });
  const update = () => { out.textContent = `${textarea.value.length} of ${limit} characters`; };
  textarea.addEventListener("input", update);
  update();
  return out;
}

function reflectionBody(data) {
  const r = data.reflection;
  const wrap = h("div", { class: "reflection" });
  for (const f of data.fields) {
    wrap.append(h("h3", {}, f.label),
      r[f.id] ? h("p", { class: "reflection-text" }, r[f.id]) : h("p", { class: "muted" }, "(left blank)"));
  }
  const edited = r.versions > 1 ? `; last edited ${fmtDate(r.updated_at)}` : "";
  wrap.append(h("p", { class: "small muted" }, `Written by ${r.by} on ${fmtDate(r.created_at)}${edited}.`));
  return wrap;
}

function answersBlock(data, heading, empty) {
  const block = h("div", { class: "answers" }, h("h3", {}, heading));
  if (!data.answers.length) {
    block.append(h("p", { class: "muted" }, empty));
    return block;
  }
  block.append(h("ol", { class: "answer-list" }, data.answers.map((a) => h("li", { class: "answer" },
    h("p", { class: "small muted" }, `${a.by} answered on ${fmtDate(a.created_at)}`,
      a.outdated ? " (about an earlier version of the reflection)" : "", ":"),
    h("p", { class: "reflection-text" }, a.text)))));
  return block;
}

function focusField(form, field) {
  const el = field && form.querySelector(`[name="${CSS.escape(field)}"]`);
  if (el) { el.setAttribute("aria-invalid", "true"); el.focus(); }
}

/** The student's part, in the feedback page's #reflection-card. */
export async function studentReflection(card, cid) {
  const root = $("#reflection", card);
  const status = $("#reflection-status", card);
  let data;
  try {
    data = await api(url(cid));
  } catch (err) {
    card.hidden = false;
    status.textContent = `Your reflection could not be loaded: ${err.message}`;
    return;
  }
  card.hidden = false;

  function form(editing) {
    const f = h("form", { class: "reflection-form", novalidate: true, "aria-label": "Your reflection" });
    f.append(h("p", {}, "Take a few minutes to look back on the interview. A sentence or two for each part is plenty; " +
      "leave out any you have nothing to say about. Only you and your assessors can read it."));
    for (const field of data.fields) {
      const id = `rf-${field.id}`;
      const box = h("textarea", { id, name: field.id, rows: "3", maxlength: String(data.limits.field),
                                  "aria-describedby": `${id}-hint ${id}-count` });
      box.value = (data.reflection && data.reflection[field.id]) || "";
      f.append(h("div", { class: "field" },
        h("label", { for: id }, field.label), h("span", { class: "hint", id: `${id}-hint` }, field.prompt),
        box, counter(box, data.limits.field)));
    }
    const buttons = h("div", { class: "row" }, h("button", { type: "submit" }, "Save reflection"));
    if (editing) {
      buttons.append(h("button", { type: "button", class: "secondary", onclick: () => { show(false); status.textContent = ""; } },
        "Cancel"));
    }
    f.append(buttons);
    f.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = {};
      for (const field of data.fields) body[field.id] = f.elements[field.id].value;
      if (!Object.values(body).some((v) => v.trim())) {
        status.textContent = "Write at least one of the three parts before saving.";
        focusField(f, data.fields[0].id);
        return;
      }
      try {
        data = await api(url(cid), { method: "POST", body });
        show(false);
        status.textContent = "Your reflection is saved.";
        $("#reflection-title").setAttribute("tabindex", "-1");
        $("#reflection-title").focus();
      } catch (err) {
        status.textContent = err.message;
        focusField(f, err.body && err.body.field);
      }
    });
    return f;
  }

  function show(editing) {
    clear(root);
    if (!data.reflection && !data.can_write) {
      root.append(h("p", { class: "muted" }, data.mine ? "You can write a reflection here once the interview has ended."
        : "Only the student who did the interview can write its reflection."));
      return;
    }
    if (data.reflection && !editing) {
      root.append(reflectionBody(data),
        answersBlock(data, "Your assessor's answer", "No answer from an assessor yet. It will appear here."));
      if (data.can_write) {
        root.append(h("p", { class: "no-print" }, h("button", { type: "button", class: "secondary", onclick: () => {
          show(true);
          root.querySelector("textarea").focus();
        } }, "Edit your reflection")));
      }
      return;
    }
    root.append(form(editing));
    if (data.reflection) root.append(answersBlock(data, "Your assessor's answer", "No answer from an assessor yet."));
  }
  show(false);
}

/** The assessor's part, in the conversation page's #reflection-card; returns the state. */
export async function assessorReflection(card, cid, onState) {
  const root = $("#reflection", card);
  const status = $("#reflection-status", card);
  let data = await api(url(cid));

  function show() {
    clear(root);
    if (onState) onState(data);
    if (!data.reflection) {
      root.append(h("p", { class: "muted" }, "The student has not written a reflection on this interview yet."));
      return;
    }
    root.append(h("p", {}, h("span", { class: `tag ${data.state === "answered" ? "empathy" : "missed"}` },
      data.state === "answered" ? "Answered" : "Awaiting an answer")));
    if (data.state === "awaiting" && data.answers.length) {
      root.append(h("p", { class: "notice info" }, "The student edited the reflection after the last answer."));
    }
    root.append(reflectionBody(data), answersBlock(data, "Answers", "No answer yet."));
    if (!data.can_answer) return;
    const box = h("textarea", { id: "ra-text", name: "text", rows: "4", maxlength: String(data.limits.answer),
                                "aria-describedby": "ra-text-hint ra-text-count" });
    const form = h("form", { class: "reflection-form no-print", novalidate: true, "aria-label": "Answer the reflection" },
      h("div", { class: "field" },
        h("label", { for: "ra-text" }, "Your answer to the student"),
        h("span", { class: "hint", id: "ra-text-hint" }, "The student sees it under their reflection, with your name."),
        box, counter(box, data.limits.answer)),
      h("button", { type: "submit" }, "Send answer"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!box.value.trim()) { status.textContent = "Write an answer before sending it."; focusField(form, "text"); return; }
      try {
        data = await api(`/api/assessor/conversations/${encodeURIComponent(cid)}/reflection/answers`,
          { method: "POST", body: { text: box.value } });
        show();
        status.textContent = "Your answer is sent.";
        $("#reflection-title").setAttribute("tabindex", "-1");
        $("#reflection-title").focus();
      } catch (err) {
        status.textContent = err.message;
        focusField(form, err.body && err.body.field);
      }
    });
    root.append(form);
  }
  show();
  card.hidden = false;
  return data;
}
