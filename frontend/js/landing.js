// Landing page: sign in with a name or student id, pick a patient, see your own interviews.
import { api, getSession } from "./api.js";
import { renderNav } from "./nav.js";
import { h, clear, fmtDate, fmtScore, showNotice, $ } from "./dom.js";

const notice = $("#notice");
const PICK_KEY = "sptrainer.pick";  // the patient chosen before signing in (sessionStorage)
let codesOn = true;  // the class signs in with an access code unless open practice is on
let user = null;
let personas = [];

function nextUrl() {
  // Only a page of this site: the URL parser decides, since it drops tabs and newlines
  // ("/%09/evil.example" would otherwise pass a prefix check and lead off-site).
  const next = new URLSearchParams(window.location.search).get("next");
  if (!next || !next.startsWith("/")) return null;
  try {
    const url = new URL(next, window.location.origin);
    return url.origin === window.location.origin ? url.pathname + url.search + url.hash : null;
  } catch (_) {
    return null;
  }
}

async function start(persona, button) {
  if (!user) {
    // Remember the choice: signing in next starts this interview.
    try { window.sessionStorage.setItem(PICK_KEY, persona.id); } catch (_) { /* storage off: ask again */ }
    showNotice(notice, `Enter your name or student ID first; your interview with ${persona.name} starts as soon as you continue.`,
      "info");
    $("#student-name").focus();
    return;
  }
  button.disabled = true;
  try {
    const conv = await api("/api/conversations", { method: "POST", body: { persona_id: persona.id } });
    window.location.assign(conv.chat_url);
  } catch (err) {
    button.disabled = false;
    showNotice(notice, err.message);
  }
}

function personaCard(p) {
  const button = h("button", { type: "button", "aria-describedby": `p-${p.id}-line` }, `Interview ${p.name}`);
  button.addEventListener("click", () => start(p, button));
  return h("li", {}, h("article", { class: "card persona-card", "aria-labelledby": `p-${p.id}-name` },
    h("h3", { id: `p-${p.id}-name` }, p.name),
    h("p", { class: "meta" }, `Age ${p.age} · ${p.complaint_label}`),
    h("p", { class: "one-line", id: `p-${p.id}-line` }, p.summary),
    button));
}

async function loadPatients() {
  const list = $("#patients");
  const status = $("#patients-status");
  try {
    const data = await api("/api/personas");
    clear(list);
    personas = data.personas;
    data.personas.forEach((p) => list.append(personaCard(p)));
    status.textContent = data.personas.length ? `${data.personas.length} patients available.` : "No patients are available yet.";
    status.classList.add("visually-hidden");
  } catch (err) {
    status.textContent = `Patients could not be loaded: ${err.message}`;
  }
}

async function loadMine() {
  const section = $("#mine-section");
  section.hidden = false;
  const data = await api("/api/my/conversations");
  const body = clear($("#mine"));
  $("#mine-empty").hidden = data.conversations.length > 0;
  $("#mine-wrap").hidden = data.conversations.length === 0;
  for (const c of data.conversations) {
    const name = c.persona ? c.persona.name : "Unknown patient";
    const link = c.status === "ended"
      ? h("a", { href: c.feedback_url }, `Feedback: ${name}`)
      : h("a", { href: c.chat_url }, `Continue with ${name}`);
    body.append(h("tr", {},
      h("td", {}, name), h("td", {}, fmtDate(c.created_at)), h("td", {}, c.status,
        c.reflection === "answered" ? h("span", { class: "small block" }, "Your reflection has an answer") : null,
        c.reflection === "awaiting" ? h("span", { class: "small muted block" }, "Reflection written") : null),
      h("td", {}, c.overall === null || c.overall === undefined ? "–" : fmtScore(c.overall)), h("td", {}, link)));
  }
}

async function signIn(event) {
  event.preventDefault();
  const input = $("#student-name");
  const name = input.value.trim();
  if (!name) {
    showNotice(notice, "Please enter your name or student ID.");
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  const codeInput = $("#access-code");
  const code = codeInput.value.trim();
  if (codesOn && !code) {
    showNotice(notice, "Please enter your class's access code.");
    codeInput.setAttribute("aria-invalid", "true");
    codeInput.focus();
    return;
  }
  try {
    await api("/api/student/login", { method: "POST", body: code ? { name, code } : { name } });
    const next = nextUrl();
    if (next) { window.location.assign(next); return; }
    await init(true);
    showNotice(notice, null);
    if (await startPicked()) return;
    $("#patients-title").setAttribute("tabindex", "-1");
    $("#patients-title").focus();
  } catch (err) {
    showNotice(notice, err.message);
  }
}

async function init(force = false) {
  const s = force ? await getSession(true) : await getSession();
  await renderNav();
  user = s.user;
  codesOn = s.student_access !== "open";
  const codeField = $("#access-code-field");
  codeField.hidden = !codesOn;
  $("#access-code").required = codesOn;
  $("#student-name-hint").textContent = codesOn
    ? "Then the code your educator gave your class. You will only see your own interviews."
    : "No password needed. You will only see your own interviews.";
  $("#signin").hidden = Boolean(user);
  if (user) await loadMine();
}

/** The patient picked before signing in, if any: start that interview now. */
async function startPicked() {
  let id = null;
  try { id = window.sessionStorage.getItem(PICK_KEY); window.sessionStorage.removeItem(PICK_KEY); } catch (_) { id = null; }
  const persona = id && personas.find((p) => p.id === id);
  if (!persona) return false;
  const button = [...document.querySelectorAll("#patients button")].find((b) => b.textContent === `Interview ${persona.name}`);
  await start(persona, button || document.createElement("button"));
  return true;
}

$("#signin-form").addEventListener("submit", signIn);
init().then(loadPatients);
