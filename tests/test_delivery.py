"""Message delivery (docs/web.md, "Message delivery") with real Rasa, on REST and Socket.IO: a
message id is acknowledged, a duplicate id is answered with the replies that followed the first
one and never run again, and across a SIGKILL of Rasa no message is lost or doubled."""
from __future__ import annotations

import json
import queue
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import requests
import socketio

from bot.process.stack import Stack
from tests.conftest import RasaClient, free_port

PERSONA = "priya-shah"
START = '/start_interview{"persona_id": "%s"}' % PERSONA


def post(rasa_url: str, sender: str, text: str, message_id: Optional[str], timeout: float = 60) -> requests.Response:
    metadata = {"message_id": message_id} if message_id is not None else {}
    return requests.post(f"{rasa_url}/webhooks/rest/webhook", timeout=timeout,
                         json={"sender": sender, "message": text, "metadata": metadata})


def user_events_with(rasa: RasaClient, sender: str, message_id: str) -> List[Dict[str, Any]]:
    return [e for e in rasa.tracker(sender)["events"]
            if e.get("event") == "user" and (e.get("metadata") or {}).get("message_id") == message_id]


def replies_after(rasa: RasaClient, sender: str, message_id: str) -> List[str]:
    """The bot texts the tracker holds after the user event with this id."""
    out: List[str] = []
    found = False
    for e in rasa.tracker(sender)["events"]:
        if e.get("event") == "user":
            if found:
                break
            found = (e.get("metadata") or {}).get("message_id") == message_id
        elif found and e.get("event") == "bot":
            out.append(e.get("text"))
    return out


def test_rest_replies_name_their_message_and_a_duplicate_is_answered_not_run_again(rasa, stack):
    sender = f"deliver-{uuid.uuid4().hex[:8]}"
    start_id, ask_id = str(uuid.uuid4()), str(uuid.uuid4())
    first = post(stack.rasa_url, sender, START, start_id).json()
    assert first and all(r["in_reply_to"] == start_id for r in first)
    asked = post(stack.rasa_url, sender, "When did this first start?", ask_id).json()
    assert [r["reply_index"] for r in asked] == list(range(len(asked))) and asked
    assert all(r["in_reply_to"] == ask_id for r in asked)
    # Both sent again (a page that reconnected): the same replies, nothing run twice, and the
    # second start is answered, not refused as a restart.
    assert post(stack.rasa_url, sender, START, start_id).json() == first
    assert post(stack.rasa_url, sender, "When did this first start?", ask_id).json() == asked
    assert len(user_events_with(rasa, sender, start_id)) == 1
    assert len(user_events_with(rasa, sender, ask_id)) == 1
    assert rasa.learner_intents(sender) == ["start_interview", "ask_onset"]
    # A new id with the same words is a new message (the patient has said it already).
    again = post(stack.rasa_url, sender, "When did this first start?", str(uuid.uuid4())).json()
    assert again and again[0]["text"] != asked[0]["text"]
    # Without an id: replies as before, no in_reply_to.
    plain = post(stack.rasa_url, sender, "How are things at home?", None).json()
    assert plain and all("in_reply_to" not in r for r in plain)


def test_a_malformed_message_id_is_refused_and_reaches_nothing(rasa, stack):
    sender = f"deliver-bad-{uuid.uuid4().hex[:8]}"
    for bad in ("x" * 65, "has space", "slash/no", "", 42, None, {"a": 1}):
        r = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=30,
                          json={"sender": sender, "message": START, "metadata": {"message_id": bad}})
        assert r.status_code == 400 and "message_id" in r.json()["error"], (bad, r.text)
    assert [e for e in rasa.tracker(sender)["events"] if e.get("event") == "user"] == []
    assert post(stack.rasa_url, sender, START, "A" * 64).status_code == 200, "64 characters are allowed"


def test_the_same_message_sent_twice_at_once_runs_once(rasa, stack):
    sender = f"deliver-race-{uuid.uuid4().hex[:8]}"
    post(stack.rasa_url, sender, START, str(uuid.uuid4()))
    mid = str(uuid.uuid4())
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda _: post(stack.rasa_url, sender, "How is your sleep?", mid).json(), range(2)))
    assert answers[0] == answers[1] and answers[0], answers
    assert len(user_events_with(rasa, sender, mid)) == 1
    assert rasa.learner_intents(sender).count("ask_sleep") == 1


class DeliveryChat:
    """A Socket.IO client that records every event the channel sends it."""

    def __init__(self, url: str, session_id: str) -> None:
        self.events: "queue.Queue[Tuple[str, Any]]" = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        for name in ("bot_uttered", "sp_received", "sp_error", "session_confirm"):
            self.client.on(name, lambda data, name=name: self.events.put((name, data)))
        self.client.connect(url, transports=["polling"], socketio_path="/socket.io")
        self.client.emit("session_request", {"session_id": session_id})
        assert self.next() == ("session_confirm", session_id)
        self.session_id = session_id

    def next(self, timeout: float = 30) -> Tuple[str, Any]:
        return self.events.get(timeout=timeout)

    def send(self, text: str, metadata: Dict[str, Any]) -> None:
        self.client.emit("user_uttered", {"message": text, "session_id": self.session_id, "metadata": metadata})

    def exchange(self, text: str, message_id: str) -> Tuple[Tuple[str, Any], List[Dict[str, Any]]]:
        """(the first event, the bot_uttered events up to a quiet second)."""
        self.send(text, {"message_id": message_id})
        first = self.next()
        replies = []
        while True:
            try:
                name, data = self.next(timeout=3 if replies else 30)
            except queue.Empty:
                return first, replies
            assert name == "bot_uttered", (name, data)
            replies.append(data)

    def close(self) -> None:
        self.client.disconnect()


def test_socketio_acknowledges_tags_replies_and_answers_a_resend_from_the_tracker(rasa, stack):
    session = f"deliver-sio-{uuid.uuid4().hex[:8]}"
    chat = DeliveryChat(stack.rasa_url, session)
    try:
        start_id, ask_id = str(uuid.uuid4()), str(uuid.uuid4())
        received, opening = chat.exchange(START, start_id)
        assert received == ("sp_received", {"message_id": start_id})
        assert opening and all(r["in_reply_to"] == start_id for r in opening)
        received, answer = chat.exchange("When did this first start?", ask_id)
        assert received == ("sp_received", {"message_id": ask_id})
        assert [r["reply_index"] for r in answer] == list(range(len(answer)))
    finally:
        chat.close()
    # A new connection (the page after a reconnection) re-sends both: same replies, run once.
    chat = DeliveryChat(stack.rasa_url, session)
    try:
        assert chat.exchange(START, start_id) == (("sp_received", {"message_id": start_id}), opening)
        assert chat.exchange("When did this first start?", ask_id) == (("sp_received", {"message_id": ask_id}), answer)
        chat.send("When did this first start?", {"message_id": "not valid!"})
        name, data = chat.next()
        assert name == "sp_error" and "message_id" in data["error"] and "message_id" not in data
    finally:
        chat.close()
    assert rasa.learner_intents(session) == ["start_interview", "ask_onset"]
    assert replies_after(rasa, session, ask_id) == [r["text"] for r in answer]


def test_across_a_rasa_sigkill_no_message_is_lost_or_doubled(model_path: Path, personas_dir: Path, tmp_path: Path):
    stack = Stack(rasa_port=free_port(), web_port=None, run_dir=tmp_path, personas_dir=personas_dir, log_to_files=True)
    stack.start(model=model_path)
    try:
        rasa = RasaClient(stack)
        sender = f"deliver-kill-{uuid.uuid4().hex[:8]}"
        post(stack.rasa_url, sender, START, str(uuid.uuid4())).raise_for_status()
        messages = [("When did this first start?", str(uuid.uuid4())), ("How are things at home?", str(uuid.uuid4())),
                    ("How is your sleep?", str(uuid.uuid4()))]
        outcomes: List[Dict[str, Any]] = []
        for n, (text, mid) in enumerate(messages):
            outcome: Dict[str, Any] = {}
            outcomes.append(outcome)

            def send(text: str = text, mid: str = mid, outcome: Dict[str, Any] = outcome) -> None:
                try:
                    outcome["replies"] = post(stack.rasa_url, sender, text, mid, timeout=30).json()
                except (requests.RequestException, ValueError) as exc:
                    outcome["error"] = exc
            sending = threading.Thread(target=send)
            sending.start()
            # In flight (killed before it is answered), just after the server took it, or after
            # the reply arrived: the page cannot tell these apart, and re-sends in every case.
            if n == 0:
                time.sleep(0.01)
            elif n == 1:
                time.sleep(0.15)
            else:
                sending.join()
            stack.kill("rasa", signal.SIGKILL)
            sending.join()
            stack.start_rasa(model_path)
            resent = post(stack.rasa_url, sender, text, mid).json()
            assert resent and all(r["in_reply_to"] == mid for r in resent), resent
            assert len(user_events_with(rasa, sender, mid)) == 1, (n, outcome, rasa.tracker(sender)["events"])
            assert replies_after(rasa, sender, mid) == [r["text"] for r in resent]
            if "replies" in outcome:  # answered before the kill: the re-send got those replies
                assert outcome["replies"] == resent
        # Both paths ran: a message killed before its answer (run on the re-send) and one
        # answered before the kill (its replies re-sent from the tracker).
        assert "error" in outcomes[0] and "replies" in outcomes[2], outcomes
        texts = [e["text"] for e in rasa.tracker(sender)["events"] if e.get("event") == "user"]
        assert texts == [START] + [t for t, _ in messages], json.dumps(texts)
    finally:
        stack.stop()
