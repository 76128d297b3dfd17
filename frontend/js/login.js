// Staff sign-in (assessors, educators).
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

$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
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
});

renderNav();
$("#name").focus();
