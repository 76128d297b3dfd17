"""Regression tests for the red-team findings F1-F10 (docs/security.md), against real servers: Rasa and the
web app from tests/conftest.py (``web_stack``), or a web app process of their own on a free
loopback port when a test floods, throttles, corrupts or times the server out."""
from __future__ import annotations

import asyncio
import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from typing import Dict, List, Optional

import pytest
import requests
import socketio

from bot.settings import REPO_ROOT as ROOT
from tests.conftest import free_port
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
        # The first list scores every conversation earlier tests left unscored: allow for it.
        assert staff.http.get(staff.url(path), timeout=300).status_code == 200, path
    for path in (f"/api/conversations/{cid}", f"/api/conversations/{cid}/transcript.json"):
        r = student.get(path)
        assert r.status_code == 200, (path, r.text)
    assert student.get(f"/api/conversations/{cid}/report.json").status_code in (200, 409)
    body = student.get(f"/api/conversations/{cid}/transcript.json").json()
    assert body["turns"][-1]["text"] == "it hurts \ufffd here", "the bad code point is replaced, the rest kept"


# --- a web app process of its own (floods, throttles, timeouts, a corrupted database) ----------

class LoneWeb:
    """``python -m bot.web`` (the real entry point) on a free loopback port, with its own var
    folder and app database, and the bundled personas; no Rasa."""

    def __init__(self, tmp_path, **env: str) -> None:
        self.port = free_port()
        self.var = tmp_path / f"web-{self.port}"
        self.var.mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ, SPTRAINER_VAR_DIR=str(self.var), SPTRAINER_APP_DB=str(self.var / "app.db"),
                        SPTRAINER_SECRET_KEY="", SPTRAINER_PERSONAS_DIR=str(ROOT / "personas"),
                        SPTRAINER_SECURE_COOKIES="", SPTRAINER_TRACKER_URL=f"sqlite:///{self.var / 'tracker.db'}")
        self.env.update(env)
        self.proc: Optional[subprocess.Popen] = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True) -> "LoneWeb":
        self.log = open(self.var / "web.log", "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "bot.web", "--port", str(self.port)], cwd=ROOT,
                                     env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        if wait:
            deadline = time.monotonic() + 60
            while True:
                assert self.proc.poll() is None, self.output()[-3000:]
                try:
                    requests.get(f"{self.url}/api/health", timeout=2)
                    break
                except requests.ConnectionError:
                    assert time.monotonic() < deadline, "the web app did not start"
                    time.sleep(0.2)
        return self

    def cli(self, *args: str, password: Optional[str] = None) -> subprocess.CompletedProcess:
        env = dict(self.env, SPTRAINER_PASSWORD=password or "")
        return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=60)

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()
            self.log.close()

    def output(self) -> str:
        self.log.flush()
        return (self.var / "web.log").read_text(errors="replace")

    def client(self) -> "LoneClient":
        return LoneClient(self.url)


class LoneClient(WebClient):
    def __init__(self, base: str) -> None:  # noqa: D107 - a WebClient without a Stack
        self.stack = None
        self.base = base
        self.http = requests.Session()
        self.csrf = None


@pytest.fixture()
def lone_web(tmp_path):
    servers: List[LoneWeb] = []

    def make(**env: str) -> LoneWeb:
        server = LoneWeb(tmp_path, **env)
        servers.append(server)
        return server
    yield make
    for server in servers:
        server.stop()


# --- F2: a sign-in flood must not starve students -----------------------------------------------

async def _login_flood(url: str, count: int, deadline: float) -> Dict[int, int]:
    """``count`` concurrent staff sign-ins with unknown names from one browser session."""
    import aiohttp

    codes: Dict[int, int] = {}
    timeout = aiohttp.ClientTimeout(total=deadline)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=timeout,
                                     connector=aiohttp.TCPConnector(limit=count)) as http:
        csrf = (await (await http.get(f"{url}/api/session")).json())["csrf"]

        async def one(i: int) -> None:
            try:
                async with http.post(f"{url}/api/login", json={"name": f"ghost-{i}", "password": f"guess-{i}-xxxxx"},
                                     headers={"X-CSRF-Token": csrf}) as r:
                    codes[r.status] = codes.get(r.status, 0) + 1
            except (aiohttp.ClientError, asyncio.TimeoutError):
                codes[0] = codes.get(0, 0) + 1
        await asyncio.gather(*(one(i) for i in range(count)))
    return codes


FLOOD = ("import asyncio, json, sys; from tests.test_security_redteam import _login_flood; "
         "print(json.dumps(asyncio.run(_login_flood(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))))")


def test_f2_a_flood_of_200_sign_ins_leaves_a_students_request_under_a_second(lone_web):
    server = lone_web().start()
    student = server.client().student(f"steady-{uuid.uuid4().hex[:6]}")
    assert student.get("/api/my/conversations").status_code == 200
    # The flood comes from another process, as it would from another machine; niced, so that
    # on a small test machine the attacker's own CPU use is not what slows the server down.
    flood = subprocess.Popen([sys.executable, "-c", FLOOD, server.url, "200", "60"], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True, preexec_fn=lambda: os.nice(15))
    try:
        time.sleep(0.3)  # the flood is in flight
        latencies = []
        while flood.poll() is None and len(latencies) < 40:
            started = time.monotonic()
            r = student.get("/api/my/conversations")
            latencies.append(time.monotonic() - started)
            assert r.status_code == 200
            time.sleep(0.1)
        out, _ = flood.communicate(timeout=90)
    finally:
        if flood.poll() is None:
            flood.kill()
    codes = {int(k): v for k, v in json.loads(out).items()}
    assert sum(codes.values()) == 200 and 200 not in codes, codes
    assert latencies, "the flood ended before the student could ask"
    # Under 1 s each; one request may catch the moment all 200 connections arrive at once
    # (0.6-1.2 s seen on 2 shared cores), never the 37 s of hashing on the database threads.
    slow = [x for x in latencies if x >= 1.0]
    assert len(slow) <= 1 and max(latencies) < 3.0, \
        f"student requests slow during the flood ({codes}): {[round(x, 2) for x in latencies]}"


# --- F3: one normalisation for sign-in and its throttle; a throttle per address too ------------

def test_f3_spellings_of_one_name_share_its_throttle_and_an_address_is_throttled_across_names(lone_web):
    server = lone_web()
    done = server.cli("user", "add", "Dr Ada", "--role", "assessor", password="the-right-password")
    assert done.returncode == 0, done.stderr
    server.start()
    c = server.client()
    spellings = [" Dr Ada", "Dr  Ada", "dr\tada", "Dr\u00a0Ada", "DR ADA", "\uff24r Ada", "Dr Ada ", "dr ada"]
    codes = [c.post("/api/login", {"name": n, "password": f"wrong-guess-{i}"}).status_code
             for i, n in enumerate(spellings)]
    assert codes == [401] * 8, codes
    for name in ("Dr\u3000Ada", "Dr Ada"):
        r = c.post("/api/login", {"name": name, "password": "the-right-password"})
        assert r.status_code == 429, (name, r.status_code)
    # One address trying many names is throttled too, whatever the next name is.
    other = LoneWeb(server.var.parent, SPTRAINER_LOGIN_MAX_PER_ADDRESS="12")
    lone = other.start()
    try:
        c2 = lone.client()
        codes = [c2.post("/api/login", {"name": f"someone-{i}", "password": "wrong-guess-xx"}).status_code
                 for i in range(13)]
        assert codes[:12] == [401] * 12 and codes[12] == 429, codes
        assert c2.post("/api/login", {"name": "fresh-name", "password": "wrong-guess-xx"}).status_code == 429
    finally:
        lone.stop()


# --- F4: a started interview cannot be restarted, reset or given another patient -----------------

def _say_status(stack, sender: str, text: str, metadata=None):
    from bot.tokens import issue_socket_token

    body = {"sender": sender, "message": text}
    if metadata is not None:
        body["metadata"] = metadata
    headers = {"Authorization": f"Bearer {issue_socket_token(sender, stack.socket_key)}"}
    r = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, headers=headers, timeout=60)
    return r.status_code, r.json()


def test_f4_a_second_start_interview_is_refused_and_the_record_keeps_every_turn(web_stack):
    student = WebClient(web_stack).student(f"restarter-{uuid.uuid4().hex[:6]}")
    cid = student.interview("priya-shah", ["When did it start?", "Where is the pain?"])
    before = user_texts(web_stack, cid)
    for text, metadata in (('/start_interview{"persona_id": "daniel-osei"}', None),
                           ("/start_interview", {"persona_id": "daniel-osei"}),
                           ('/start_interview{"persona_id": "priya-shah"}', None),
                           ("/restart", None), ("/session_start", None)):
        code, reply = _say_status(web_stack, cid, text, metadata)
        assert code == 409, (text, code, reply)
        assert "already started" in reply["error"]
    assert user_texts(web_stack, cid) == before, "nothing reached the tracker"
    client, errors, _, _ = sio_client(web_stack, url=f"{web_stack.rasa_url}?session={cid}",
                                      auth={"token": student.get(f"/api/conversations/{cid}/socket-token").json()["token"]})
    try:
        client.emit("session_request", {"session_id": cid})
        client.emit("user_uttered", {"message": '/start_interview{"persona_id": "daniel-osei"}', "session_id": cid})
        assert "already started" in errors.get(timeout=10)["error"]
    finally:
        client.disconnect()
    assert user_texts(web_stack, cid) == before
    detail = student.get(f"/api/conversations/{cid}").json()
    assert [t["text"] for t in detail["turns"] if t["speaker"] == "learner"] == ["When did it start?", "Where is the pain?"]
    assert detail["persona"]["id"] == "priya-shah"
    assert student.get(f"/api/conversations/{cid}/transcript.json").json()["persona_id"] == "priya-shah"
    # The patient is still Priya: the next answer comes from her file.
    assert rasa_say(web_stack, cid, "How are you sleeping?")


def test_f4_a_start_with_an_unknown_patient_can_still_be_followed_by_a_right_one(web_stack):
    student = WebClient(web_stack).student(f"typo-{uuid.uuid4().hex[:6]}")
    cid = student.new_conversation("priya-shah")
    code, reply = _say_status(web_stack, cid, '/start_interview{"persona_id": "priya-shha"}')
    assert code == 200 and "no patient" in reply[0]["text"]
    code, reply = _say_status(web_stack, cid, '/start_interview{"persona_id": "priya-shah"}')
    assert code == 200 and "[SP Trainer]" not in reply[0]["text"]


# --- F5: an ended interview is closed on every channel ------------------------------------------

def test_f5_ending_an_interview_closes_it_to_its_old_token_on_rest_and_socketio(web_stack):
    student = WebClient(web_stack).student(f"ender-{uuid.uuid4().hex[:6]}")
    cid = student.interview("daniel-osei", ["When did it start?"])
    token = student.get(f"/api/conversations/{cid}/socket-token").json()["token"]
    client, errors, replies, confirmed = sio_client(web_stack, url=f"{web_stack.rasa_url}?session={cid}",
                                                    auth={"token": token})
    try:
        client.emit("session_request", {"session_id": cid})
        assert confirmed.get(timeout=10) == cid
        assert student.post(f"/api/conversations/{cid}/end").status_code == 200
        before = user_texts(web_stack, cid)
        client.emit("user_uttered", {"message": "Actually, how is work?", "session_id": cid})
        assert "ended" in errors.get(timeout=10)["error"]
        client.emit("session_request", {"session_id": cid})
        assert "ended" in errors.get(timeout=10)["error"]
    finally:
        client.disconnect()
    webhook = f"{web_stack.rasa_url}/webhooks/rest/webhook"
    r = requests.post(webhook, json={"sender": cid, "message": "Let me fix my answers"},
                      headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 403 and "ended" in r.json()["error"], r.text
    late = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        late.connect(f"{web_stack.rasa_url}?session={cid}", transports=["polling"], auth={"token": token})
    assert student.get(f"/api/conversations/{cid}/socket-token").status_code == 409
    assert student.post("/api/logout").status_code == 200
    r = requests.post(webhook, json={"sender": cid, "message": "and after signing out"},
                      headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 403
    assert user_texts(web_stack, cid) == before, "nothing reached the tracker after the end"


# --- F6: body and metadata sizes; a rate limit per client address --------------------------------

def test_f6_huge_bodies_and_metadata_are_refused_before_they_reach_the_tracker(web_stack):
    sender = f"big-{uuid.uuid4().hex[:8]}"
    for size in (5_000, 1_000_000, 10_000_000):
        body = json.dumps({"sender": sender, "message": "hello", "metadata": {"persona_id": "priya-shah",
                                                                                "pad": "x" * size}}).encode()
        code, reply = post_rest(web_stack, body)
        assert code == 413, (size, code)
        assert "limit" in json.dumps(reply).lower(), reply  # over 2 MB Sanic answers before reading it
    assert user_texts(web_stack, sender) == []
    client, errors, _, _ = sio_client(web_stack)
    session = f"sio-{sender}"
    try:
        client.emit("session_request", {"session_id": session})
        client.emit("user_uttered", {"message": "hi", "session_id": session, "metadata": {"pad": "x" * 50_000}})
        assert "limit" in errors.get(timeout=10)["error"]
    finally:
        client.disconnect()
    assert user_texts(web_stack, session) == []


@pytest.fixture(scope="module")
def address_limited_stack(model_path, personas_dir, tmp_path_factory):
    """Rasa alone with a generous per-sender limit and a tight one per client address."""
    from bot.process.stack import Stack

    s = Stack(rasa_port=free_port(), web_port=None, run_dir=tmp_path_factory.mktemp("addr"), personas_dir=personas_dir,
              log_to_files=True, extra_env={"SPTRAINER_RATE_LIMIT": "50/100", "SPTRAINER_ADDRESS_RATE_LIMIT": "1/12"})
    s.start(model=model_path)
    yield s
    s.stop()


def test_f6_fresh_sender_ids_do_not_dodge_the_rate_limit(address_limited_stack):
    stack = address_limited_stack
    codes = [post_rest(stack, json.dumps({"sender": f"fresh-{uuid.uuid4().hex}", "message": "hello"}).encode())[0]
             for _ in range(30)]
    assert codes.count(429) >= 15, codes
    client, errors, _, _ = sio_client(stack)
    try:
        for i in range(20):
            session = f"sio-fresh-{i}-{uuid.uuid4().hex[:6]}"
            client.emit("session_request", {"session_id": session})
            client.emit("user_uttered", {"message": "hello", "session_id": session})
            time.sleep(0.1)  # one polling payload may carry only so many packets
        assert "too fast" in errors.get(timeout=20)["error"]
    finally:
        client.disconnect()


# --- F8: deep nesting and huge numbers get the documented 400 / sp_error -----------------------

def test_f8_deep_nesting_and_huge_numbers_get_a_clear_error_on_rest_and_socketio(web_stack):
    sender = f"deep-{uuid.uuid4().hex[:8]}"
    head = b'{"sender": "%s", "message": "hi", ' % sender.encode()
    bodies = [b"[" * 5000 + b"]" * 5000,
              head + b'"metadata": ' + b'{"a": ' * 3000 + b"1" + b"}" * 3000 + b"}",
              head + b'"metadata": ' + b'{"a": ' * 40 + b"1" + b"}" * 40 + b"}",
              head + b'"metadata": {"n": ' + b"1" * 5000 + b"}}",
              head + b'"n": ' + b"9" * 5000 + b"}"]
    for body in bodies:
        code, reply = post_rest(web_stack, body)
        assert code == 400, (body[:60], code, reply)
        assert reply["error"]
    assert user_texts(web_stack, sender) == []
    client, errors, _, _ = sio_client(web_stack)
    session = f"sio-{sender}"
    nested: object = 1
    for _ in range(40):
        nested = {"a": nested}
    try:
        client.emit("session_request", {"session_id": session})
        client.emit("user_uttered", {"message": "hi", "session_id": session, "metadata": nested})
        assert "nested" in errors.get(timeout=10)["error"]
        client.emit("user_uttered", {"message": "hi", "session_id": session, "metadata": '{"n": ' + "1" * 5000 + "}"})
        assert errors.get(timeout=10)["error"]
        client.emit("user_uttered", {"message": "hi", "session_id": session,
                                     "metadata": '{"a": ' * 3000 + "1" + "}" * 3000})
        assert errors.get(timeout=10)["error"]
    finally:
        client.disconnect()
    assert user_texts(web_stack, session) == []


# --- F7: half-sent requests are closed within the timeout ------------------------------------------

def _closed_within(port: int, payload: bytes, limit: float) -> float:
    """Seconds until the server closes a connection that sent only ``payload``."""
    import socket as sockets

    started = time.monotonic()
    with sockets.create_connection(("127.0.0.1", port), timeout=limit) as conn:
        conn.sendall(payload)
        try:
            while conn.recv(4096):
                pass  # an error response (408) may come first; wait for the close
        except sockets.timeout:
            return float("inf")
    return time.monotonic() - started


def test_f7_half_sent_headers_and_bodies_are_timed_out(lone_web):
    server = lone_web(SPTRAINER_HTTP_TIMEOUT="2").start()
    half_headers = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
    assert _closed_within(server.port, half_headers, 10) < 6
    half_body = (b"POST /api/student/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 500\r\n\r\n{\"name\": ")
    assert _closed_within(server.port, half_body, 10) < 6
    idle = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"  # a whole request, then nothing
    assert _closed_within(server.port, idle, 10) < 6
    assert requests.get(f"{server.url}/api/health", timeout=10).status_code == 200


# --- F10: a damaged app database is found at start-up and reported -------------------------------

def _damage(path) -> None:
    """Overwrite every page after the first (the schema) with garbage, as a bad disk would."""
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.seek(4096)
        fh.write(os.urandom(max(size - 4096, 4096)))


def test_f10_a_damaged_app_database_stops_start_up_fails_health_and_errors_are_json(lone_web):
    server = lone_web(SPTRAINER_HEALTH_CHECK_SECONDS="0").start()
    assert server.client().get("/api/health").json()["ok"] is True
    student = server.client().student("before-the-damage")
    assert student.get("/api/my/conversations").status_code == 200
    db = server.var / "app.db"
    _damage(db)
    health = server.client().get("/api/health")
    assert health.status_code == 503 and health.json()["ok"] is False, health.text
    assert "database" in health.json()["database"]
    for r in (student.get("/api/my/conversations"), server.client().post("/api/student/login", {"name": "after"})):
        assert r.status_code == 500 and r.headers["Content-Type"].startswith("application/json"), r.text
        assert r.json()["error"]
    server.stop()
    again = LoneWeb(server.var.parent, SPTRAINER_APP_DB=str(db), SPTRAINER_VAR_DIR=str(server.var))
    again.start(wait=False)
    try:
        assert again.proc.wait(timeout=60) != 0, "a damaged database must stop the start-up"
        out = again.output()
        assert str(db) in out and "damaged" in out, out[-2000:]
    finally:
        again.stop()


# --- Origins: Rasa and Socket.IO accept only the web app's origins ----------------------------

def test_rasa_and_socketio_refuse_a_foreign_origin_and_accept_the_web_apps(web_stack):
    evil, ours = "http://evil.example", f"http://127.0.0.1:{web_stack.web_port}"
    sender = f"origin-{uuid.uuid4().hex[:8]}"
    body = json.dumps({"sender": sender, "message": '/start_interview{"persona_id": "priya-shah"}'}).encode()
    code, reply = post_rest(web_stack, body, headers={"Origin": evil})
    assert code == 403 and "origin" in reply["error"].lower(), (code, reply)
    assert user_texts(web_stack, sender) == []
    preflight = requests.options(f"{web_stack.rasa_url}/webhooks/rest/webhook", timeout=30,
                                 headers={"Origin": evil, "Access-Control-Request-Method": "POST"})
    assert preflight.headers.get("Access-Control-Allow-Origin") not in ("*", evil)
    code, _ = post_rest(web_stack, body, headers={"Origin": ours})
    assert code == 200
    foreign = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        foreign.connect(web_stack.rasa_url, transports=["polling"], headers={"Origin": evil})
    client, _, _, _ = sio_client(web_stack, headers={"Origin": ours})
    assert client.connected
    client.disconnect()


# --- Student sign-in is throttled like staff sign-in ----------------------------------------------

def test_student_sign_in_is_throttled_per_normalised_name_and_per_address(lone_web):
    server = lone_web(SPTRAINER_STUDENT_LOGIN_LIMIT="3/5").start()
    def sign_in(name: str):
        return server.client().post("/api/student/login", {"name": name})

    codes = [sign_in(n).status_code for n in ("Sam Student", " sam  student", "SAM\u00a0STUDENT", "sam\u3000student")]
    assert codes == [200, 200, 200, 429], codes
    assert "too many" in sign_in("Sam Student").json()["error"]
    codes = [sign_in(f"other-{i}").status_code for i in range(3)]
    assert codes == [200, 200, 429], codes


def test_f8_a_socketio_packet_too_deep_to_decode_gets_an_sp_error(web_stack):
    """Below the client library: a raw Engine.IO polling session posts an event packet whose
    JSON Python cannot decode (nested past the recursion limit)."""
    base = f"{web_stack.rasa_url}/socket.io/"
    http = requests.Session()
    opened = http.get(base, params={"EIO": "4", "transport": "polling"}, timeout=30).text
    sid = json.loads(opened[opened.index("{"):])["sid"]
    params = {"EIO": "4", "transport": "polling", "sid": sid}
    assert http.post(base, params=params, data="40", timeout=30).ok  # join the default namespace
    http.get(base, params=params, timeout=30)  # the namespace's connect answer
    deep = '42["user_uttered",' + "[" * 3000 + "]" * 3000 + "]"
    assert http.post(base, params=params, data=deep, timeout=30).ok
    answer = http.get(base, params=params, timeout=30).text
    assert "sp_error" in answer and "could not be read" in answer, answer[:300]
