"""The scaled profile on real engines: PostgreSQL tracker store, Redis lock store, two Rasa
servers behind nginx. Turns alternate between servers; nothing is lost or duplicated, and
a server killed mid-interview loses nothing either.

`make test` installs the Debian packages first (`make services`); without them these
tests fail with the install command in the message.
"""
from __future__ import annotations

import concurrent.futures
import queue
import signal
import uuid
from pathlib import Path
from typing import List

import pytest
import socketio

from bot.process.scaled import ScaledStack
from bot.process.services import missing_packages
from bot.tokens import issue_socket_token
from bot.transcripts import TrackerStoreReader
from tests.conftest import RasaClient, free_port

SCRIPT = ["Hi, I'm Sam, one of the medical students.", "What brings you in today?", "When did it start?",
          "Where exactly is it?", "How bad is it out of 10?", "How are things at home?",
          "That sounds really hard.", "How has your mood been?", "When did it start?", "Thanks, take care."]


class Endpoint(RasaClient):
    # Messages of one conversation wait for its Redis lock (Rasa polls it once a second),
    # so a queue of them on a loaded 2-core machine can take well over 30 s.
    timeout = 180

    def __init__(self, url: str, token: str) -> None:
        self.stack = type("S", (), {"rasa_url": url, "token": token})()


@pytest.fixture(scope="module")
def scaled(model_path: Path, personas_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    missing = missing_packages()
    assert not missing, f"the scaled profile needs: apt-get install {' '.join(missing)} (or `make services`)"
    s = ScaledStack(run_dir=tmp_path_factory.mktemp("scaled"), proxy_port=free_port(),
                    rasa_ports=[free_port(), free_port()], pg_port=free_port(), redis_port=free_port(),
                    web_port=None, personas_dir=personas_dir)
    s.start(model=model_path)
    yield s
    s.stop()


def servers(s: ScaledStack) -> List[Endpoint]:
    return [Endpoint(s.backend_url(i), s.rasa.token) for i in range(len(s.rasa_ports))]


def stored_turns(s: ScaledStack, sender: str):
    events = TrackerStoreReader(s.pg.url).events(sender)
    return ([e["text"] for e in events if e["event"] == "user"],
            [e["text"] for e in events if e["event"] == "bot"])


def interview_alternating(s: ScaledStack, pid: str) -> str:
    sender = f"alt-{uuid.uuid4().hex[:8]}"
    both = servers(s)
    both[0].start(sender, pid)
    for i, line in enumerate(SCRIPT):
        replies = both[(i + 1) % 2].say(sender, line)
        assert len(replies) == 1 and replies[0], (line, replies)
    return sender


def test_turns_alternating_between_servers_are_all_kept_once_and_in_order(scaled):
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        senders = list(pool.map(lambda i: interview_alternating(scaled, ["priya-shah", "daniel-osei"][i % 2]),
                                range(6)))
    for sender in senders:
        user, bot = stored_turns(scaled, sender)
        assert user[1:] == SCRIPT, "a turn was lost, duplicated or reordered"
        assert len(bot) == len(SCRIPT) + 1
        # State derived from the shared tracker: the repeated question is recognised
        # although the first one was answered by the other server.
        assert bot[9].startswith(("As I said", "Like I said", "As I mentioned")) or bot[9] != bot[3]


@pytest.mark.parametrize("attempt", range(3))
def test_the_same_conversation_sent_to_both_servers_at_once_is_serialised(scaled, attempt):
    # Rasa's own Redis lock store lost a message here about once in a few runs (bot/plugins/locks.py).
    sender = f"race-{attempt}-{uuid.uuid4().hex[:8]}"
    both = servers(scaled)
    both[0].start(sender, "priya-shah")
    lines = [f"{q}" for q in SCRIPT[1:9]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda il: both[il[0] % 2].say(sender, il[1]), enumerate(lines)))
    user, bot = stored_turns(scaled, sender)
    assert sorted(user[1:]) == sorted(lines), "every concurrent message stored exactly once"
    assert len(bot) == len(lines) + 1, "every message answered exactly once"


def test_socketio_needs_a_token_for_its_own_conversation(scaled):
    session = f"sio-noauth-{uuid.uuid4().hex[:8]}"
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(f"{scaled.url}?session={session}", transports=["polling"])
    other = issue_socket_token("someone-else", scaled.socket_key)
    errors: "queue.Queue[dict]" = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("sp_error", lambda data: errors.put(data))
    client.connect(f"{scaled.url}?session={session}", transports=["polling"], auth={"token": other})
    try:
        client.emit("session_request", {"session_id": session})
        assert "another conversation" in errors.get(timeout=10)["error"]
    finally:
        client.disconnect()


def test_socketio_through_the_sticky_proxy(scaled):
    session = f"sio-scaled-{uuid.uuid4().hex[:8]}"
    replies: "queue.Queue[dict]" = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("bot_uttered", lambda data: replies.put(data))
    client.connect(f"{scaled.url}?session={session}", transports=["polling"],
                   auth={"token": issue_socket_token(session, scaled.socket_key)})
    try:
        client.emit("session_request", {"session_id": session})
        client.emit("user_uttered", {"message": '/start_interview{"persona_id": "daniel-osei"}', "session_id": session})
        assert replies.get(timeout=20)["text"]
        for line in SCRIPT[1:5]:
            client.emit("user_uttered", {"message": line, "session_id": session})
            assert replies.get(timeout=20)["text"]
    finally:
        client.disconnect()
    user, _ = stored_turns(scaled, session)
    assert user[1:] == SCRIPT[1:5]


def test_sigkill_mid_interview_on_postgresql_loses_nothing(scaled):
    sender = f"kill-{uuid.uuid4().hex[:8]}"
    first, second = servers(scaled)
    first.start(sender, "margaret-doyle")
    first.say(sender, SCRIPT[1])
    first.say(sender, SCRIPT[2])
    scaled.rasa.kill("rasa1", signal.SIGKILL)
    second.say(sender, SCRIPT[3])  # the other server carries on at once
    scaled.restart_rasa(0)
    answer = first.say(sender, SCRIPT[2])[0]
    assert answer.startswith(("As I said", "Like I said", "As I mentioned")) or answer != second.say(sender, SCRIPT[3])[0]
    user, bot = stored_turns(scaled, sender)
    assert user[1:] == [SCRIPT[1], SCRIPT[2], SCRIPT[3], SCRIPT[2], SCRIPT[3]]
    assert len(bot) == 6
