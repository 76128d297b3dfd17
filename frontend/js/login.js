// Staff sign-in (assessors, educators), and with ?as=student a student's sign-in with a name
// and the class's access code (docs/security.md: student access).
import { api, getSession } from "./api.js";
import { renderNav } from "./nav.js";
import { showNotice, $ } from "./dom.js";

const notice = $("#notice");

function nextUrl(fallback) {
  // Only a page of this site: the URL parser decides, since it drops tabs and newlines
  // ("/%09/evil.example" would otherwise pass a prefix check and lead off-site).
  const next = new URLSearchParams(window.location.search).get("next");
  if (!next || !next.startsWith("/")) return fallback;
  try {
    const url = new URL(next, window.location.origin);
    return url.origin === window.location.origin ? url.pathname + url.search + url.hash : fallback;
  } catch (_) {
    return fallback;
  }
}

const asStudent = new URLSearchParams(window.location.search).get("as") === "student";

function field(id, label, attrs) {
  const wrap = document.createElement("div");
  wrap.className = "field";
  const lab = document.createElement("label");
  lab.htmlFor = id;
  lab.textContent = label;
  const input = document.createElement("input");
  input.id = id;
  input.name = id;
  for (const [k, v] of Object.entries(attrs)) input.setAttribute(k, v);
  wrap.append(lab, input);
  return wrap;
}

function becomeStudentForm(session) {
  // The same form, for a student: the password field becomes the access-code field.
  document.title = "SP Trainer: student sign-in";
  $("h1").textContent = "Student sign-in";
  const intro = $("#intro");
  intro.textContent = session.student_access === "open"
    ? "Open practice: the access code is optional here (you can also sign in from the start page with your name)."
    : "Type your name or student ID and the access code your educator gave your class.";
  $("label[for=name]").textContent = "Your name or student ID";
  $("#name").setAttribute("autocomplete", "name");
  const password = $("#password").closest(".field");
  password.replaceWith(field("code", "Access code", { type: "text", autocomplete: "off", autocapitalize: "characters",
                                                       spellcheck: "false", maxlength: "64",
                                                       ...(session.student_access === "open" ? {} : { required: "" }) }));
}

async function signInStudent(session) {
  const name = $("#name").value.trim();
  const code = $("#code").value.trim();
  if (!name || (!code && session.student_access !== "open")) {
    showNotice(notice, "Enter your name and your class's access code.");
    (name ? $("#code") : $("#name")).focus();
    return;
  }
  try {
    await api("/api/student/login", { method: "POST", body: code ? { name, code } : { name } });
    window.location.assign(nextUrl("/"));
  } catch (err) {
    showNotice(notice, err.message);
    $("#code").focus();
  }
}

async function signInStaff() {
  const name = $("#name").value.trim();
  const password = $("#password").value;
  if (!name || !password) {
    showNotice(notice, "Enter your name and password.");
    (name ? $("#password") : $("#name")).focus();
    return;
  }
  try {
    await getSession();
    const res = await api("/api/login", { method: "POST", body: { name, password } });
    window.location.assign(nextUrl(res.home));
  } catch (err) {
    showNotice(notice, err.message);
    $("#password").value = "";
    $("#password").focus();
  }
}

// The submit handler is attached at once (a fast Enter must never submit the form natively).
const sessionReady = getSession();
$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  await (asStudent ? signInStudent(await sessionReady) : signInStaff());
});
if (asStudent) sessionReady.then(becomeStudentForm);

renderNav();
$("#name").focus();
