// The student's messages until the patient has answered them (docs/web.md, "Message
// delivery"): each gets an id made in the browser (metadata.message_id), a state shown
// beside it (sending, not sent, delivered), and a place in sessionStorage, so a reload or a
// dropped connection loses neither the message nor the half-typed draft. A message without
// a reply is sent again after reconnecting, with the same id: the server ignores an id it
// has seen and sends its replies again, which this page then shows only once.

export const STATES = {
  sending: "Sending…",
  unsent: "Not sent: no connection. It will be sent when the connection is back.",
  delivered: "Delivered",
};

/** A random RFC 4122 version 4 id; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function messageId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  const b = window.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const MAX_REMEMBERED_REPLIES = 200;

export class Outbox {
  constructor(conversationId, storage = window.sessionStorage) {
    this.key = `sptrainer.chat.${conversationId}`;
    this.storage = storage;
    const saved = this.read();
    this.items = Array.isArray(saved.items) ? saved.items.filter((m) => m && m.id && typeof m.text === "string") : [];
    this.replies = saved.replies && typeof saved.replies === "object" ? saved.replies : {};
    this.draft = typeof saved.draft === "string" ? saved.draft : "";
    // Nothing was in flight across a reload: what was "sending" has not been confirmed.
    for (const m of this.items) if (m.state === "sending") m.state = "unsent";
  }

  read() {
    try { return JSON.parse(this.storage.getItem(this.key) || "{}") || {}; } catch (_) { return {}; }
  }

  save() {
    const replies = Object.entries(this.replies).slice(-MAX_REMEMBERED_REPLIES);
    try {
      this.storage.setItem(this.key, JSON.stringify({ items: this.items, replies: Object.fromEntries(replies),
                                                      draft: this.draft }));
    } catch (_) { /* storage full or disabled: the page still works, it only forgets on reload */ }
  }

  /** A new message: {id, text, control, at (ISO time), after (tracker turns known then), state}. */
  add(text, { control = false, after = 0, state = "unsent" } = {}) {
    const item = { id: messageId(), text, control, at: new Date().toISOString(), after, state };
    this.items.push(item);
    this.save();
    return item;
  }

  get(id) { return this.items.find((m) => m.id === id) || null; }

  /** The oldest message sent and not answered: a reply without in_reply_to belongs to it. */
  oldestWaiting() { return this.items.find((m) => m.state === "sending" || m.state === "delivered") || null; }

  waiting() { return this.items.filter((m) => m.state === "sending" || m.state === "delivered").length; }

  setState(item, state) {
    item.state = state;
    this.save();
  }

  /** The patient answered: the message leaves the outbox. */
  answered(item, reply) {
    this.items = this.items.filter((m) => m !== item);
    if (reply !== undefined) this.shown(item.id, reply);
    else this.save();
  }

  /** Remembers a reply shown for message ``id``: its reply_index (the server numbers the
   *  replies to one message 0, 1, ...; a re-sent reply keeps its number), else its text. */
  shown(id, reply) {
    (this.replies[id] = this.replies[id] || []).push(reply);
    this.save();
  }

  /** Already shown this reply (a number: its reply_index; a string: its text)? */
  seenReply(id, reply) { return Boolean(this.replies[id] && this.replies[id].includes(reply)); }

  /** The message is in the conversation's record (tracker turn ``turn``) but has no reply
   *  there yet: it stays, delivered, to be sent again (same id) if no reply comes. */
  recorded(item, turn) {
    item.recorded = turn;
    item.state = "delivered";
    this.save();
  }

  setDraft(text) {
    this.draft = text;
    this.save();
  }
}
