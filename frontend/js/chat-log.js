// The conversation log of the chat page. The list is a plain <ol> in a focusable,
// scrollable region (keyboard users scroll it with the arrow keys); it is not a live region.
// Screen readers hear new patient replies through a separate, visually hidden live region
// (announce), so re-reading the record after a reconnection re-announces nothing: turns
// already on screen keep their elements, and only turns new to the student are added.
import { h, $ } from "./dom.js";
import { STATES } from "./outbox.js";

const MAX_ANNOUNCEMENTS = 5;

export class ChatLog {
  constructor({ list, box, announcer, patientName }) {
    this.list = list;
    this.box = box;
    this.announcer = announcer;
    this.patientName = patientName;
    this.confirmed = 0;        // turns of the record (tracker) on screen, in order, at the top
  }

  nearBottom() { return this.box.scrollHeight - this.box.scrollTop - this.box.clientHeight < 80; }

  scrollToEnd(force = false) {
    if (force || this.nearBottom()) this.box.scrollTop = this.box.scrollHeight;
  }

  node(speaker, text, at) {
    const who = speaker === "learner" ? "You" : this.patientName;
    const stamp = at ? new Date(at) : null;
    const time = stamp && !Number.isNaN(stamp.getTime())
      ? h("time", { datetime: stamp.toISOString(), class: "stamp" },
          stamp.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }))
      : null;
    const li = h("li", { class: `msg ${speaker}` },
      h("div", { class: "msg-head" }, h("span", { class: "speaker" }, who), time ? " " : null, time),
      h("p", { class: "text" }, text));
    li.sptext = text;
    return li;
  }

  /** Says something through the live region (only what is new to the student). */
  announce(text) {
    this.announcer.append(h("p", {}, text));
    while (this.announcer.childElementCount > MAX_ANNOUNCEMENTS) this.announcer.firstElementChild.remove();
  }

  /** A reply received live: appended (not yet confirmed by the record) and announced. */
  addReply(text) {
    const stick = this.nearBottom();
    const li = this.node("patient", text, new Date().toISOString());
    this.list.append(li);
    this.announce(`${this.patientName}: ${text}`);
    this.scrollToEnd(stick);
    return li;
  }

  /** The student's message, with its delivery state. */
  addMessage(item) {
    const li = this.node("learner", item.text, item.at);
    li.id = `msg-${item.id}`;
    li.dataset.message = item.id;
    li.append(h("p", { class: "state", "data-state": item.state }, STATES[item.state] || ""));
    this.list.append(li);
    this.scrollToEnd(true);
    return li;
  }

  messageNode(id) { return document.getElementById(`msg-${id}`); }

  showState(item) {
    const li = this.messageNode(item.id);
    const el = li && $(".state", li);
    if (!el) return;
    el.dataset.state = item.state;
    el.textContent = STATES[item.state] || "";
  }

  unconfirmed() { return [...this.list.children].filter((li) => !li.dataset.turn); }

  /** Puts ``li`` at the end of the confirmed prefix as record turn ``turn``. */
  confirm(li, turn) {
    li.dataset.turn = String(turn.turn);
    const first = this.unconfirmed().find((n) => n !== li);
    if (first) this.list.insertBefore(li, first); else if (li.parentNode !== this.list) this.list.append(li);
    this.confirmed += 1;
  }

  /**
   * Brings the log in line with the record's turns without rebuilding it. ``outbox`` gives
   * the student's unanswered messages; a record turn that is one of them takes its element.
   * Returns false when the record does not start with what is on screen (then the caller
   * rebuilds quietly).
   */
  reconcile(turns, outbox, { announce = true } = {}) {
    const onScreen = [...this.list.children].filter((li) => li.dataset.turn);
    if (turns.length < onScreen.length || onScreen.some((li, i) => li.sptext !== turns[i].text)) return false;
    const stick = this.nearBottom();
    for (const t of turns.slice(this.confirmed)) {
      const li = t.speaker === "learner" ? this.learnerNode(t, turns, outbox) : this.replyNode(t, turns, outbox);
      if (li) { this.confirm(li, t); continue; }
      this.confirm(this.node(t.speaker, t.text, t.at), t);
      if (announce && t.speaker === "patient") this.announce(`${this.patientName}: ${t.text}`);
    }
    this.scrollToEnd(stick);
    return true;
  }

  /** The element already showing learner turn ``t``: one of the unanswered messages, or a
   *  message answered live. The message is marked delivered (answered when the record has
   *  the reply too). */
  learnerNode(t, turns, outbox) {
    const item = outbox.items.find((m) => !m.control && m.recorded === undefined && m.after < t.turn
      && (t.message_id ? m.id === t.message_id : m.text === t.text));
    if (item) {
      // The record's replies to it (the turns after it, numbered from 1) are shown: a re-send
      // that brings them again (reply_index 0, 1, ...) must not show them twice.
      const replies = [];
      for (let k = t.turn; k < turns.length && turns[k].speaker === "patient"; k += 1) replies.push(turns[k].text);
      if (replies.length) {
        outbox.answered(item);
        replies.forEach((text, index) => { outbox.shown(item.id, index); outbox.shown(item.id, text); });
      } else {
        outbox.recorded(item, t.turn);
      }
      item.state = "delivered";
      this.showState(item);
      return this.messageNode(item.id) || this.node("learner", t.text, item.at);
    }
    return this.unconfirmed().find((n) => n.classList.contains("learner") && n.sptext === t.text
      && (!n.dataset.message || !outbox.get(n.dataset.message))) || null;
  }

  /** The element already showing patient turn ``t`` (received live), if any; a message the
   *  record held without its reply is answered by it. */
  replyNode(t, turns, outbox) {
    const waiting = outbox.items.find((m) => m.recorded === t.turn - 1);
    if (waiting) {
      outbox.answered(waiting, 0);
      outbox.shown(waiting.id, t.text);
    }
    return this.unconfirmed().find((n) => n.classList.contains("patient") && n.sptext === t.text) || null;
  }

  /** Everything from the record, then the unanswered messages: only when reconcile cannot. */
  rebuild(turns, outbox) {
    this.list.replaceChildren();
    this.confirmed = 0;
    for (const item of outbox.items) if (!item.control) this.addMessage(item);
    this.reconcile(turns, outbox, { announce: false });
    this.scrollToEnd(true);
  }
}
