// The student's chat with the simulated patient, straight to Rasa's Socket.IO channel.
//
// The conversation id comes from the web app (it is the Rasa sender id and the Socket.IO
// session_id). On every (re)connection we ask for that session again and re-read the
// record (transcript) from the server; the log keeps what it shows and adds only what is
// new (chat-log.js). Each message has an id and a delivery state, and waits in
// sessionStorage until answered (outbox.js; docs/web.md, "Message delivery").
import { api, ApiError } from "./api.js";
import { renderNav } from "./nav.js";
import { showNotice, $ } from "./dom.js";
import { Outbox } from "./outbox.js";
import { ChatLog } from "./chat-log.js";

const cid = decodeURIComponent(window.location.pathname.split("/").filter(Boolean).pop());
const detailUrl = `/api/conversations/${encodeURIComponent(cid)}`;
const input = $("#message");
const sendButton = $("#send");
const conn = $("#conn");
const typing = $("#typing-text");
const notice = $("#notice");
const counter = $("#message-count");
const MIN_THINK_MS = 450;
const REPLY_TIMEOUT_MS = 8000;
const MAX_MESSAGE = 2000;  // the channel's limit (docs/web.md, "Message delivery")

const outbox = new Outbox(cid);
let chatLog = null;
let detail = null;          // the conversation as the server knows it
let socket = null;
let confirmed = false;      // Rasa acknowledged our session on this connection
let waitTimer = null;
let lastSentAt = 0;
let patientName = "The patient";
let ended = false;

function firstName() { return patientName.split(" ")[0] || patientName; }
function online() { return Boolean(confirmed && socket && socket.connected); }

function updateTyping() {
  // Only while someone is there to type: during an outage the messages say "not sent".
  const on = online() && outbox.waiting() > 0;
  typing.hidden = !on;
  typing.textContent = on ? `${patientName} is typing` : "";
  if (on) {
    const dots = document.createElement("span");
    dots.className = "dots";
    dots.setAttribute("aria-hidden", "true");
    typing.append(dots);
  }
}

function setConn(text, bad = false) {
  conn.textContent = text;
  conn.classList.toggle("bad", bad);
}

function updateControls() {
  const started = detail && detail.started;
  $("#invite").hidden = ended || started;
  $("#invite-button").disabled = !confirmed || outbox.items.some((m) => m.control);
  input.disabled = ended || !started;
  sendButton.disabled = ended || !started;
  $("#end").disabled = ended || !started;
  $("#composer").hidden = ended;
  $("#ended-note").hidden = !ended;
}

function updateCounter() {
  const n = input.value.length;
  const over = n > MAX_MESSAGE;
  counter.textContent = over
    ? `${n.toLocaleString()} of ${MAX_MESSAGE.toLocaleString()} characters: ${(n - MAX_MESSAGE).toLocaleString()} too many`
    : `${n.toLocaleString()} of ${MAX_MESSAGE.toLocaleString()} characters`;
  counter.classList.toggle("over", over);
  if (over) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
}

function armReplyTimer() {
  clearTimeout(waitTimer);
  if (outbox.waiting() > 0) waitTimer = setTimeout(recoverMissedReplies, REPLY_TIMEOUT_MS);
}

function emit(item) {
  if (item.state !== "delivered") {
    outbox.setState(item, "sending");
    chatLog.showState(item);
  }
  socket.emit("user_uttered", { message: item.text, session_id: cid,
                                metadata: { source: "sptrainer-web", message_id: item.id } });
  lastSentAt = Date.now();
  updateTyping();
  armReplyTimer();
}

function send(text, { control = false } = {}) {
  const item = outbox.add(text, { control, after: chatLog.confirmed, state: online() ? "sending" : "unsent" });
  if (!control) chatLog.addMessage(item);
  if (online()) emit(item);
  updateControls();
}

/** After a (re)connection: every message still without a reply goes again, with its id. */
function resendWaiting() {
  // The channel ignores an id it has seen and sends that message's replies again, so a
  // message that did arrive is not answered twice (docs/web.md, "Message delivery").
  for (const item of [...outbox.items]) emit(item);
}

function markDelivered(item) {
  if (item.state === "delivered") return;
  outbox.setState(item, "delivered");
  chatLog.showState(item);
}

function replyTarget(data) {
  const id = typeof data.in_reply_to === "string" ? data.in_reply_to : null;
  // (in_reply_to, reply_index) names one reply (docs/web.md, "Message delivery").
  const key = Number.isInteger(data.reply_index) ? data.reply_index : data.text;
  return { id, key, item: id ? outbox.get(id) : outbox.oldestWaiting() };
}

function onBotUttered(data) {
  const text = data && typeof data.text === "string" ? data.text : "";
  if (!text) return;
  const { id, key, item } = replyTarget(data);
  if (id && outbox.seenReply(id, key)) return;  // shown already: a re-sent message brings its replies again
  if (item) {
    item.state = "delivered";
    chatLog.showState(item);
    outbox.answered(item, id ? key : undefined);
  } else if (id) {
    outbox.shown(id, key);
  }
  const wait = Math.max(0, MIN_THINK_MS - (Date.now() - lastSentAt));
  setTimeout(() => {
    if (detail && !detail.started) detail.started = true;
    chatLog.addReply(text);
    updateTyping();
    armReplyTimer();
    updateControls();
    if (document.activeElement === document.body || document.activeElement === $("#invite-button")) input.focus();
  }, wait);
}

function onRefused(data) {
  // The channel refused a message (too long, too fast, ...): say why; it is not sent again.
  const reason = (data && data.error) || "The patient could not answer. Please try again.";
  showNotice(notice, reason);
  const id = data && data.message_id;
  const item = id ? outbox.get(id) : outbox.oldestWaiting();
  if (item) {
    outbox.answered(item);
    const state = chatLog.messageNode(item.id) && $(".state", chatLog.messageNode(item.id));
    if (state) { state.dataset.state = "refused"; state.textContent = `Not sent: ${reason}`; }
  }
  updateTyping();
  armReplyTimer();
  updateControls();
}

async function refresh() {
  const fresh = await api(detailUrl);
  detail = fresh;
  ended = fresh.status === "ended";
  if (!chatLog.reconcile(fresh.turns, outbox)) chatLog.rebuild(fresh.turns, outbox);
  if (fresh.started) outbox.items.filter((m) => m.control).forEach((m) => outbox.answered(m));
  updateTyping();
  updateControls();
}

async function recoverMissedReplies() {
  // A reply can be lost if the connection dropped while Rasa answered; the record has it.
  if (outbox.waiting() === 0) return;
  try { await refresh(); } catch (_) { /* try again on the next reconnect */ }
  armReplyTimer();
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
    conn.dataset.seen = "1";
    if (wasReconnect) {
      try { await refresh(); } catch (_) { /* keep what is on screen */ }
    }
    confirmed = true;
    setConn(`Connected to ${patientName}.`);
    resendWaiting();
    updateTyping();
    updateControls();
    const idle = !document.activeElement || document.activeElement === document.body;
    if (idle && detail && !detail.started && !ended) $("#invite-button").focus();
  });
  socket.on("sp_received", (data) => {
    const item = data && data.message_id ? outbox.get(data.message_id) : null;
    if (item) markDelivered(item);
  });
  socket.on("bot_uttered", onBotUttered);
  socket.on("sp_error", onRefused);
  socket.on("disconnect", () => {
    confirmed = false;
    for (const item of outbox.items) {
      if (item.state === "sending") { outbox.setState(item, "unsent"); chatLog.showState(item); }
    }
    setConn("Connection lost. Reconnecting… Your conversation is saved; messages you send now go out when it is back.", true);
    updateTyping();
    updateControls();
  });
  socket.on("connect_error", () => {
    setConn("Cannot reach the patient right now. Retrying… Messages you send now go out when it is back.", true);
  });
}

function describePatient(p) {
  patientName = p.name;
  document.title = `SP Trainer: interview with ${p.name}`;
  $("#patient-name").textContent = `Interview with ${p.name}`;
  $("#patient-meta").textContent = [p.age ? `Age ${p.age}` : "", p.complaint_label || "", p.summary || ""]
    .filter(Boolean).join(" · ");
  $("#message-label").textContent = `Your message to ${p.name}`;
  $("#invite-title").textContent = `${p.name} is in the waiting room`;
  $("#invite-text").textContent = `When you are ready, invite ${firstName()} in. ${firstName()} will speak first.`;
  $("#invite-button").textContent = `Invite ${firstName()} in`;
}

async function main() {
  await renderNav();
  try {
    detail = await api(detailUrl);
  } catch (err) {
    showNotice(notice, err instanceof ApiError && err.status === 403
      ? "This is not your conversation." : `The conversation could not be loaded: ${err.message}`);
    setConn("");
    return;
  }
  describePatient(detail.persona || { name: "The patient" });
  $("#feedback-link").setAttribute("href", `/feedback/${encodeURIComponent(cid)}`);
  chatLog = new ChatLog({ list: $("#log"), box: $("#log-box"), announcer: $("#announcer"), patientName });
  ended = detail.status === "ended";
  chatLog.rebuild(detail.turns, outbox);  // the record, then the messages kept across a reload
  if (detail.started) outbox.items.filter((m) => m.control).forEach((m) => outbox.answered(m));
  input.value = ended ? "" : outbox.draft;
  updateCounter();
  updateControls();
  if (ended) { setConn(""); return; }
  connect(await api("/api/config"));
  if (detail.started) input.focus();
}

$("#invite-button").addEventListener("click", () => {
  if (!detail || detail.started || outbox.items.some((m) => m.control)) return;
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
  if (text.length > MAX_MESSAGE) {
    showNotice(notice, `Your message is ${text.length.toLocaleString()} characters long; the limit is ` +
      `${MAX_MESSAGE.toLocaleString()}. Shorten it, or send it in two parts. Nothing has been cut.`);
    input.focus();
    return;
  }
  showNotice(notice, null);
  input.value = "";
  outbox.setDraft("");
  updateCounter();
  send(text);
  input.focus();
});

input.addEventListener("input", () => { outbox.setDraft(input.value); updateCounter(); });
input.addEventListener("focus", () => { if (chatLog) setTimeout(() => chatLog.scrollToEnd(true), 250); });
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("#composer").requestSubmit();
  }
});
// The on-screen keyboard shrinks the page: keep the latest reply in view.
if (window.visualViewport) window.visualViewport.addEventListener("resize", () => { if (chatLog) chatLog.scrollToEnd(); });

const dialog = $("#end-dialog");
$("#end").addEventListener("click", () => { dialog.showModal(); $("#end-confirm").focus(); });
$("#end-cancel").addEventListener("click", () => { dialog.close(); $("#end").focus(); });
$("#end-confirm").addEventListener("click", async () => {
  $("#end-confirm").disabled = true;
  try {
    const res = await api(`/api/conversations/${encodeURIComponent(cid)}/end`, { method: "POST" });
    if (socket) socket.close();
    outbox.setDraft("");
    window.location.assign(res.feedback_url);
  } catch (err) {
    $("#end-confirm").disabled = false;
    dialog.close();
    showNotice(notice, err.message);
  }
});

main();
