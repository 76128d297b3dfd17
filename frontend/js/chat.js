// The student's chat with the simulated patient, straight to Rasa's Socket.IO channel.
//
// The conversation id comes from the web app (it is the Rasa sender id and the Socket.IO
// session_id). On every (re)connection we ask for that session again and re-read the
// transcript from the server, so a reload or a dropped connection loses nothing.
import { api, ApiError } from "./api.js";
import { renderNav } from "./nav.js";
import { h, clear, showNotice, $ } from "./dom.js";

const cid = decodeURIComponent(window.location.pathname.split("/").filter(Boolean).pop());
const log = $("#log");
const input = $("#message");
const sendButton = $("#send");
const conn = $("#conn");
const typing = $("#typing-text");
const notice = $("#notice");
const MIN_THINK_MS = 450;
const REPLY_TIMEOUT_MS = 8000;

let detail = null;          // the conversation as the server knows it
let socket = null;
let confirmed = false;      // Rasa acknowledged our session on this connection
let awaiting = 0;           // replies we are waiting for
let outbox = [];            // {text, control} typed while disconnected, sent once reconnected
let pending = [];           // learner texts sent or queued that have no reply yet
let waitTimer = null;
let lastSentAt = 0;
let patientName = "The patient";
let ended = false;

function firstName() { return patientName.split(" ")[0] || patientName; }

function renderTurn(speaker, text) {
  const who = speaker === "learner" ? "You" : patientName;
  const li = h("li", { class: `msg ${speaker}` },
    h("span", { class: "speaker" }, who), h("p", { class: "text" }, text));
  log.append(li);
  log.scrollTop = log.scrollHeight;
}

function renderAll(turns) {
  clear(log);
  for (const t of turns) renderTurn(t.speaker, t.text);
}

function setTyping(on) {
  typing.hidden = !on;
  typing.textContent = on ? `${patientName} is typing` : "";
  if (on) typing.append(h("span", { class: "dots", "aria-hidden": "true" }));
}

function setConn(text, bad = false) {
  conn.textContent = text;
  conn.classList.toggle("bad", bad);
}

function updateControls() {
  const started = detail && detail.started;
  $("#invite").hidden = ended || started;
  $("#invite-button").disabled = !confirmed || awaiting > 0;
  input.disabled = ended || !started;
  sendButton.disabled = ended || !started;
  $("#end").disabled = ended || !started;
  $("#composer").hidden = ended;
  $("#ended-note").hidden = !ended;
}

function emit({ text }) {
  socket.emit("user_uttered", { message: text, session_id: cid, metadata: { source: "sptrainer-web" } });
  lastSentAt = Date.now();
  awaiting += 1;
  setTyping(true);
  clearTimeout(waitTimer);
  waitTimer = setTimeout(recoverMissedReplies, REPLY_TIMEOUT_MS);
}

function send(text, { control = false } = {}) {
  const item = { text, control };
  pending.push(item);
  if (!control) renderTurn("learner", text);
  if (confirmed && socket.connected) emit(item);
  else {
    outbox.push(item);
    setTyping(true);
  }
}

function onBotUttered(data) {
  const text = data && typeof data.text === "string" ? data.text : "";
  if (!text) return;
  const wait = Math.max(0, MIN_THINK_MS - (Date.now() - lastSentAt));
  setTimeout(() => {
    awaiting = Math.max(0, awaiting - 1);
    pending.shift();
    if (detail && !detail.started) { detail.started = true; }
    renderTurn("patient", text);
    if (awaiting === 0) { setTyping(false); clearTimeout(waitTimer); }
    updateControls();
    if (document.activeElement === document.body || document.activeElement === $("#invite-button")) input.focus();
  }, wait);
}

async function reloadFromServer() {
  const fresh = await api(`/api/conversations/${encodeURIComponent(cid)}`);
  detail = fresh;
  ended = fresh.status === "ended";
  renderAll(fresh.turns);
  const last = fresh.turns[fresh.turns.length - 1];
  if (pending.length && outbox.length === 0 && fresh.started && (!last || last.speaker === "patient")) {
    // Every reply we waited for is in the tracker: we only missed the live message.
    const lastPending = pending[pending.length - 1];
    if (lastPending.control || fresh.turns.some((t) => t.speaker === "learner" && t.text === lastPending.text)) {
      pending = [];
      awaiting = 0;
      setTyping(false);
    }
  }
  // Messages not in the tracker yet stay on screen.
  const tail = fresh.turns.filter((t) => t.speaker === "learner").slice(-pending.length).map((t) => t.text);
  pending.filter((m) => !m.control && !tail.includes(m.text)).forEach((m) => renderTurn("learner", m.text));
  updateControls();
}

async function recoverMissedReplies() {
  // A reply can be lost if the connection dropped while Rasa answered; the tracker has it.
  if (awaiting === 0) return;
  try { await reloadFromServer(); } catch (_) { /* try again on the next reconnect */ }
  if (awaiting > 0) waitTimer = setTimeout(recoverMissedReplies, REPLY_TIMEOUT_MS);
}

function connect(config) {
  // auth runs before every (re)connection: a fresh token when the channel requires one.
  const auth = (cb) => {
    api(`/api/conversations/${encodeURIComponent(cid)}/socket-token`)
      .then((r) => cb(r && r.token ? { token: r.token } : {}))
      .catch(() => cb({}));
  };
  // query.session lets a proxy keep this conversation on one Rasa server (docs/deploy.md).
  socket = window.io(config.rasa_url, { path: config.socket_path, reconnection: true, auth, query: { session: cid },
                                        reconnectionDelay: 500, reconnectionDelayMax: 4000 });
  socket.on("connect", () => {
    confirmed = false;
    setConn("Connecting…");
    socket.emit("session_request", { session_id: cid });
  });
  socket.on("session_confirm", async (sid) => {
    if (sid !== cid) return;
    const wasReconnect = conn.dataset.seen === "1";
    confirmed = true;
    conn.dataset.seen = "1";
    setConn(`Connected to ${patientName}.`);
    if (wasReconnect) {
      try { await reloadFromServer(); } catch (_) { /* keep what is on screen */ }
    }
    const queued = outbox;
    outbox = [];
    queued.forEach(emit);
    updateControls();
    const idle = !document.activeElement || document.activeElement === document.body;
    if (idle && detail && !detail.started && !ended) $("#invite-button").focus();
  });
  socket.on("bot_uttered", onBotUttered);
  socket.on("sp_error", (data) => {
    // The channel refused a message (too long, too fast, ...): say why, stop waiting.
    showNotice(notice, (data && data.error) || "The patient could not answer. Please try again.");
    if (awaiting > 0) { awaiting -= 1; pending.shift(); }
    if (awaiting === 0) { setTyping(false); clearTimeout(waitTimer); }
    updateControls();
  });
  socket.on("disconnect", () => {
    confirmed = false;
    setConn("Connection lost. Reconnecting… Your conversation is saved.", true);
    updateControls();
  });
  socket.on("connect_error", () => {
    setConn("Cannot reach the patient right now. Retrying…", true);
  });
}

async function main() {
  await renderNav();
  try {
    detail = await api(`/api/conversations/${encodeURIComponent(cid)}`);
  } catch (err) {
    showNotice(notice, err instanceof ApiError && err.status === 403
      ? "This is not your conversation." : `The conversation could not be loaded: ${err.message}`);
    setConn("");
    return;
  }
  const p = detail.persona || { name: "The patient" };
  patientName = p.name;
  document.title = `SP Trainer: interview with ${p.name}`;
  $("#patient-name").textContent = `Interview with ${p.name}`;
  $("#patient-meta").textContent = [p.age ? `Age ${p.age}` : "", p.complaint_label || "", p.summary || ""]
    .filter(Boolean).join(" · ");
  $("#message-label").textContent = `Your message to ${p.name}`;
  $("#invite-title").textContent = `${p.name} is in the waiting room`;
  $("#invite-text").textContent = `When you are ready, invite ${firstName()} in. ${firstName()} will speak first.`;
  $("#invite-button").textContent = `Invite ${firstName()} in`;
  $("#feedback-link").setAttribute("href", `/feedback/${encodeURIComponent(cid)}`);
  ended = detail.status === "ended";
  renderAll(detail.turns);
  updateControls();
  if (ended) { setConn(""); return; }
  connect(await api("/api/config"));
  if (detail.started) input.focus();
}

$("#invite-button").addEventListener("click", () => {
  if (!detail || detail.started || awaiting > 0) return;
  $("#invite-button").disabled = true;
  const persona = detail.persona ? detail.persona.id : "";
  send(`/start_interview${JSON.stringify({ persona_id: persona })}`, { control: true });
});

$("#composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) { input.focus(); return; }
  if (text.startsWith("/")) {
    showNotice(notice, "Messages cannot start with “/”. Please rephrase.");
    input.focus();
    return;
  }
  showNotice(notice, null);
  input.value = "";
  send(text);
  input.focus();
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("#composer").requestSubmit();
  }
});

const dialog = $("#end-dialog");
$("#end").addEventListener("click", () => { dialog.showModal(); $("#end-confirm").focus(); });
$("#end-cancel").addEventListener("click", () => { dialog.close(); $("#end").focus(); });
$("#end-confirm").addEventListener("click", async () => {
  $("#end-confirm").disabled = true;
  try {
    const res = await api(`/api/conversations/${encodeURIComponent(cid)}/end`, { method: "POST" });
    if (socket) socket.close();
    window.location.assign(res.feedback_url);
  } catch (err) {
    $("#end-confirm").disabled = false;
    dialog.close();
    showNotice(notice, err.message);
  }
});

main();
