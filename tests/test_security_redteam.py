"""Regression tests for the red-team findings of issue 14, against real servers: Rasa and the
web app from tests/conftest.py (``web_stack``), or a web app process of their own on a free
loopback port when a test floods, throttles, corrupts or times the server out."""
from __future__ import annotations

import json
import queue
import sqlite3
import uuid

import requests
import socketio

from tests.e2e.support import ASSESSOR, WebClient, ensure_staff, rasa_say


def post_rest(stack, body: bytes, headers=None):
    r = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", data=body,
                      headers={"Content-Type": "application/json", **(headers or {})}, timeout=60)
    try:
        return r.status_code, r.json()
    except ValueError:
        return r.status_code, {"error": r.text}


def user_texts(stack, sender: str):
    tracker = requests.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.token},
                           timeout=30).json()
    return [e.get("text") for e in tracker.get("events", []) if e.get("event") == "user"]


def sio_client(stack, **connect_kw):
    errors: "queue.Queue[dict]" = queue.Queue()
    replies: "queue.Queue[dict]" = queue.Queue()
    confirmed: "queue.Queue[str]" = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("sp_error", lambda data: errors.put(data))
    client.on("bot_uttered", lambda data: replies.put(data))
    client.on("session_confirm", lambda sid: confirmed.put(sid))
    url = connect_kw.pop("url", stack.rasa_url)
    client.connect(url, transports=["polling"], **connect_kw)
    return client, errors, replies, confirmed


# --- F1: invalid Unicode ----------------------------------------------------------------------

def test_f1_lone_surrogates_are_refused_at_the_channels(web_stack):
    sender = f"surrogate-{uuid.uuid4().hex[:8]}"
    for body in (rb'{"sender": "%s", "message": "/start_interview", "metadata": {"persona_id": "\ud800"}}',
                 rb'{"sender": "%s", "message": "where does it hurt \udfff?"}',
                 rb'{"sender": "%s", "message": "hi", "metadata": {"\ud83d": 1}}'):
        code, reply = post_rest(web_stack, body.replace(b"%s", sender.encode()))
        assert code == 400, reply
        assert "Unicode" in reply["error"]
    assert user_texts(web_stack, sender) == [], "nothing reached the tracker"
    client, errors, _, _ = sio_client(web_stack)
    session = f"sio-{sender}"
    try:
        client.emit("session_request", {"session_id": session})
        client.emit("user_uttered", {"message": "/start_interview", "session_id": session,
                                     "metadata": {"persona_id": "\ud800"}})
        assert "Unicode" in errors.get(timeout=10)["error"]
        client.emit("user_uttered", {"message": "pain \ud800 here", "session_id": session})
        assert "Unicode" in errors.get(timeout=10)["error"]
    finally:
        client.disconnect()
    assert user_texts(web_stack, session) == []


def test_f1_a_lone_surrogate_already_in_the_tracker_store_breaks_no_listing_or_export(web_stack):
    """A record stored before the channels refused it (or written by another tool) must not
    take the assessor's list, exports, cohort or that conversation's downloads down."""
    ensure_staff(web_stack)
    student = WebClient(web_stack).student(f"surrogate-owner-{uuid.uuid4().hex[:6]}")
    cid = student.interview("priya-shah", ["When did it start?"])
    db = sqlite3.connect(web_stack.run_dir / "tracker.db")
    try:
        row = db.execute("SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events "
                         "WHERE sender_id = ? AND type_name = 'user' ORDER BY id DESC LIMIT 1", (cid,)).fetchone()
        start, learner = json.loads(row[5]), json.loads(row[5])
        start.update(text="/start_interview", metadata={"persona_id": "\ud800"})
        start["parse_data"] = dict(start.get("parse_data") or {}, intent={"name": "start_interview", "confidence": 1.0},
                                   text="/start_interview")
        learner.update(text="it hurts \udfff here", timestamp=row[2] + 2)
        for event in (start, learner):  # json.dumps escapes the surrogate, as Rasa stores it
            db.execute("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (cid, "user", event["timestamp"], row[3], row[4], json.dumps(event)))
        db.commit()
    finally:
        db.close()
    staff = WebClient(web_stack).staff(*ASSESSOR)
    for path in ("/api/assessor/conversations", "/api/assessor/conversations/export?format=csv",
                 "/api/assessor/conversations/export?format=json", "/api/assessor/cohort",
                 "/api/assessor/conversations", f"/api/assessor/conversations/{cid}"):
        assert staff.get(path).status_code == 200, path
    for path in (f"/api/conversations/{cid}", f"/api/conversations/{cid}/transcript.json"):
        r = student.get(path)
        assert r.status_code == 200, (path, r.text)
    assert student.get(f"/api/conversations/{cid}/report.json").status_code in (200, 409)
    body = student.get(f"/api/conversations/{cid}/transcript.json").json()
    assert body["turns"][-1]["text"] == "it hurts \ufffd here", "the bad code point is replaced, the rest kept"
