"""Bad input on the live channels: a clear error, no crash, nothing lost for anyone else."""
from __future__ import annotations

import concurrent.futures
import json
import os
import queue
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import socketio

from bot.process.stack import Stack
from tests.conftest import RasaClient, free_port


def post_raw(stack: Stack, body: bytes, content_type: str = "application/json"):
    request = urllib.request.Request(f"{stack.rasa_url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.fixture()
def good_conversation(rasa: RasaClient):
    """A conversation that must carry on untouched while bad input arrives."""
    sender = f"bystander-{uuid.uuid4().hex[:8]}"
    rasa.start(sender, "priya-shah")
    rasa.say(sender, "When did it start?")
    yield sender
    events = rasa.tracker(sender)["events"]
    texts = [e["text"] for e in events if e["event"] == "user"]
    assert texts[1:] == ["When did it start?", "Where is the pain?"], "the bystander lost or gained messages"
    assert sum(1 for e in events if e["event"] == "bot") == 3


@pytest.mark.parametrize("body, status, error", [
    (b'{"sender": "x1", "message": ""}', 400, "'message' is empty"),
    (b'{"sender": "x1", "message": "   "}', 400, "'message' is empty"),
    (json.dumps({"sender": "x1", "message": "a" * 100_000}).encode(), 413, "the limit is"),
    (b'{"sender": "x1", "message": "caf\xff"}', 400, "not valid UTF-8"),
    (b'{"sender": "x1", "message": ', 400, "not valid JSON"),
    (b'["sender", "message"]', 400, "must be a JSON object"),
    (b'{"message": "hello"}', 400, "missing 'sender'"),
    (b'{"sender": "x1"}', 400, "missing 'message'"),
    (b'{"sender": "x1", "message": 42}', 400, "'message' must be a string"),
    (b'{"sender": "../../etc", "message": "hi"}', 400, "'sender' must be"),
    (b'{"sender": "x1", "message": "hi", "metadata": "persona"}', 400, "'metadata' must be a JSON object"),
])
def test_bad_rest_input_gets_a_clear_error(stack, rasa, good_conversation, body, status, error):
    code, reply = post_raw(stack, body)
    assert code == status
    assert error in reply["error"]
    assert rasa.say(good_conversation, "Where is the pain?")


def test_emoji_rtl_and_html_are_answered_and_stored_verbatim(rasa):
    sender = f"unicode-{uuid.uuid4().hex[:8]}"
    rasa.start(sender, "daniel-osei")
    lines = ["How bad is the pain 😣 out of 10?", "مرحبا، متى بدأ الألم؟",
             "<script>alert('x')</script><b>where</b> is the pain?"]
    for line in lines:
        replies = rasa.say(sender, line)
        assert len(replies) == 1 and replies[0]
    stored = [e["text"] for e in rasa.tracker(sender)["events"] if e["event"] == "user"][1:]
    assert stored == lines


def test_bad_socketio_payloads_get_sp_error_and_the_session_keeps_working(stack, rasa):
    errors: "queue.Queue[dict]" = queue.Queue()
    replies: "queue.Queue[dict]" = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("sp_error", lambda data: errors.put(data))
    client.on("bot_uttered", lambda data: replies.put(data))
    client.connect(stack.rasa_url, transports=["polling"])
    session = f"sio-bad-{uuid.uuid4().hex[:8]}"
    try:
        client.emit("session_request", {"session_id": session})
        client.emit("user_uttered", "just a string")
        assert "must be an object" in errors.get(timeout=10)["error"]
        client.emit("user_uttered", {"message": "hello"})
        assert "missing session_id" in errors.get(timeout=10)["error"]
        client.emit("user_uttered", {"message": "", "session_id": session})
        assert "is empty" in errors.get(timeout=10)["error"]
        client.emit("user_uttered", {"message": "x" * 100_000, "session_id": session})
        assert "the limit is" in errors.get(timeout=10)["error"]
        client.emit("user_uttered", {"message": "hi", "session_id": session, "metadata": "{not json"})
        assert "not valid JSON" in errors.get(timeout=10)["error"]
        client.emit("session_request", ["not", "an", "object"])
        assert "session_request needs an object" in errors.get(timeout=10)["error"]
        client.emit("no_such_event", {"x": 1})
        client.emit("user_uttered", {"message": '/start_interview{"persona_id": "priya-shah"}', "session_id": session})
        assert replies.get(timeout=20)["text"]
        client.emit("user_uttered", {"message": "When did it start?", "session_id": session})
        assert replies.get(timeout=20)["text"]
    finally:
        client.disconnect()
    assert rasa.learner_intents(session) == ["start_interview", "ask_onset"]


@pytest.fixture(scope="module")
def tight_stack(model_path: Path, personas_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """A separate server with a tight per-sender rate limit."""
    old = os.environ.get("SPTRAINER_RATE_LIMIT")
    os.environ["SPTRAINER_RATE_LIMIT"] = "1/5"
    try:
        s = Stack(rasa_port=free_port(), web_port=None, run_dir=tmp_path_factory.mktemp("tight"),
                  personas_dir=personas_dir, log_to_files=True)
        s.start(model=model_path)
    finally:
        if old is None:
            os.environ.pop("SPTRAINER_RATE_LIMIT", None)
        else:
            os.environ["SPTRAINER_RATE_LIMIT"] = old
    yield s
    s.stop()


def test_a_flood_from_one_client_is_rate_limited_and_others_are_served(tight_stack):
    client = RasaClient(tight_stack)
    flooder, student = f"flood-{uuid.uuid4().hex[:6]}", f"calm-{uuid.uuid4().hex[:6]}"
    body = json.dumps({"sender": flooder, "message": "When did it start?"}).encode()
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        flood = list(pool.map(lambda _: post_raw(tight_stack, body), range(40)))
    refused = [r for code, r in flood if code == 429]
    assert len(refused) >= 30
    assert "too fast" in refused[0]["error"]
    assert client.start(student, "daniel-osei")
    assert client.say(student, "When did it start?")
    accepted = sum(1 for code, _ in flood if code == 200)
    stored = [e for e in client.tracker(flooder)["events"] if e["event"] == "user"]
    assert len(stored) == accepted, "every accepted message is stored, no refused one is"
