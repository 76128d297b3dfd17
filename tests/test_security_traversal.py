"""Security (docs/security.md): no path traversal through persona ids, conversation ids or sender ids.

Persona ids and conversation ids with ``../``, ``%2e%2e%2f``, absolute paths, NUL bytes,
backslashes, very long ids and unicode lookalikes are sent through every web route and API
that takes them and through Rasa's REST and Socket.IO channels. Each is refused or not found
with a clear error; none reaches a file. A valid persona file planted *outside* the personas
folder (the sentinel) proves it: it is never listed, previewed, interviewed or linked in.
"""
from __future__ import annotations

import csv
import http.client
import io
import json
import os
import queue
import re
import time
import uuid
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote

import pytest
import requests
import socketio

from bot.accounts import AppDB
from bot.personas import PersonaRegistry, load_persona_file
from bot.settings import REPO_ROOT as ROOT
from bot.tokens import issue_socket_token
from bot.transcripts import TrackerStoreReader
from bot.web.app import create_app
from bot.web.keys import EXECUTOR
from tests.e2e.support import ASSESSOR, EDUCATOR, WebClient, ensure_staff, rasa_say

SENTINEL_ID = "sentinel-outside"
SENTINEL_NAME = "Sentinel Outsider"
SENTINEL_OPENING = "SENTINEL-OPENING: this file lives outside the personas folder."

#: Ids that try to leave a folder or pass for another id. The web routes get each one as a
#: single path segment (percent-encoded), so the handler sees it exactly as written here.
BAD_IDS = [
    "../../etc/passwd", f"../{SENTINEL_ID}", f"../../{SENTINEL_ID}", "..", ".", f"./{SENTINEL_ID}",
    f"priya-shah/../../{SENTINEL_ID}", f"..%2f{SENTINEL_ID}", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/etc/passwd", f"/tmp/{SENTINEL_ID}.yml", "C:\\Windows\\win.ini", f"..\\..\\{SENTINEL_ID}",
    "priya-shah\x00.yml", "priya-shah\x00", "\x00", f"{SENTINEL_ID}.yml", "priya-shah.yml", "PRIYA-SHAH",
    " priya-shah", "a" * 3000,
    "priya\u2011shah",  # non-breaking hyphen
    "\uff50\uff52\uff49\uff59\uff41-shah",  # fullwidth letters
    f"\u2024\u2024\u2215{SENTINEL_ID}",  # one-dot leaders and a division slash
    f"..\uff0f{SENTINEL_ID}",  # fullwidth solidus
    "%c0%ae%c0%ae/etc/passwd",  # overlong UTF-8 dots
]
#: The same ids sent raw (not encoded): the router sees the slashes and dots.
RAW_PATH_IDS = ["../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/etc/passwd", "%2e%2e%2f%2e%2e%2f",
                "..%5c..%5cetc%5cpasswd", "%00", "x%00.yml", "%c0%ae%c0%ae%2f", "/etc/passwd", "..;/..;/etc"]
#: What must never show up in any answer: the sentinel, /etc/passwd, or the app's own source.
LEAKS = (SENTINEL_NAME, SENTINEL_OPENING, "SENTINEL-OPENING", "root:x:0:0", "def create_app")


def write_sentinel(path: Path) -> Path:
    """A *valid* persona file: if anything read it, it would be listed and could be interviewed."""
    text = (ROOT / "personas" / "priya-shah.yml").read_text(encoding="utf-8")
    text = text.replace("id: priya-shah", f"id: {SENTINEL_ID}", 1).replace("name: Priya Shah", f"name: {SENTINEL_NAME}", 1)
    text = re.sub(r"^opening: .*$", f'opening: "{SENTINEL_OPENING}"', text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    assert load_persona_file(path).id == SENTINEL_ID, "the sentinel must be a loadable persona"
    return path


@pytest.fixture(scope="module")
def web(web_stack):
    ensure_staff(web_stack)
    return web_stack


@pytest.fixture(scope="module")
def sentinel(web_personas_dir: Path) -> Iterable[Path]:
    """The sentinel beside the personas folder, where ``../sentinel-outside`` would lead."""
    path = write_sentinel(web_personas_dir.parent / f"{SENTINEL_ID}.yml")
    yield path
    path.unlink()


def no_leak(text: str, where: str) -> None:
    for marker in LEAKS:
        assert marker not in text, f"{where}: the answer contains {marker!r}"


def raw_request(client: WebClient, method: str, path: str, csrf: bool = True) -> Tuple[int, str]:
    """Send ``path`` byte for byte (requests and urllib3 would normalise dot segments)."""
    port = int(client.base.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in client.http.cookies.items()),
               "Content-Type": "application/json"}
    if csrf and client.csrf:
        headers["X-CSRF-Token"] = client.csrf
    body = b"{}" if method == "POST" else None
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def conversation_routes(tmp_path: Path, personas: Path) -> List[Tuple[str, str]]:
    """(method, canonical) of every route with a conversation id, from the app's router."""
    app = create_app(db=AppDB(tmp_path / "routes.db"), registry=PersonaRegistry(personas), key=os.urandom(32),
                     warm_up=False)
    try:
        routes = {(r.method, r.resource.canonical) for r in app.router.routes()
                  if r.resource is not None and "{cid}" in r.resource.canonical and r.method in ("GET", "POST")}
    finally:
        app[EXECUTOR].shutdown(wait=False)
    assert len(routes) >= 10, routes
    return sorted(routes)


def rest(web, sender: str, text: str, metadata: Optional[dict] = None) -> Tuple[int, object]:
    body: Dict[str, object] = {"sender": sender, "message": text}
    if metadata is not None:
        body["metadata"] = metadata
    r = requests.post(f"{web.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
    return r.status_code, r.json()


# --- persona ids --------------------------------------------------------------------------

def test_persona_ids_that_leave_the_folder_are_refused_everywhere_and_the_outside_file_is_never_read(web, sentinel):
    educator = WebClient(web).staff(*EDUCATOR)
    student = WebClient(web).student(f"trav-{uuid.uuid4().hex[:6]}")
    for pid in BAD_IDS:
        shown = repr(pid[:40])
        # The educator's preview: one path segment, decoded by the router into the id.
        status, body = raw_request(educator, "GET", f"/api/educator/personas/{quote(pid, safe='')}/preview")
        assert status in (404, 400, 414), (shown, status, body[:200])
        if status == 404:
            assert json.loads(body)["error"], shown
        no_leak(body, f"preview {shown}")
        # Creating a conversation with it.
        r = student.post("/api/conversations", {"persona_id": pid})
        assert r.status_code == 400 and r.json()["error"] == "unknown persona", (shown, r.text[:200])
        assert SENTINEL_ID not in r.json()["available"]
        # Rasa: the intent shorthand and the metadata.
        sender = f"trav-{uuid.uuid4().hex[:10]}"
        for text, metadata in (("/start_interview" + json.dumps({"persona_id": pid}), None),
                               ("/start_interview", {"persona_id": pid})):
            status, reply = rest(web, sender, text, metadata)
            if status == 200:
                said = " ".join(m.get("text", "") for m in reply)
                assert "There is no patient with the id" in said or "No patient has been chosen" in said, (shown, said)
                assert SENTINEL_ID not in said.split("Available patients:")[-1], said
                no_leak(said, f"rasa {shown}")
            else:
                assert status in (400, 413) and reply["error"], (shown, status, reply)
    for pid in RAW_PATH_IDS:
        status, body = raw_request(educator, "GET", f"/api/educator/personas/{pid}/preview")
        assert status in (400, 403, 404), (pid, status, body[:200])
        no_leak(body, f"raw preview {pid}")
    # Not listed anywhere either.
    for client, path in ((student, "/api/personas"), (educator, "/api/educator/personas")):
        body = client.get(path).text
        assert SENTINEL_ID not in body and SENTINEL_NAME not in body, path


def test_a_link_in_the_personas_folder_cannot_pull_in_a_file_from_outside(web, web_personas_dir, sentinel):
    """A symlink (from git or a careless copy) to a file outside the folder is refused, with
    the reason shown to educators; a real file added at the same time is live as usual."""
    link = web_personas_dir / f"{SENTINEL_ID}.yml"  # named like its target, so the id matches
    control = web_personas_dir / "control-inside.yml"
    link.symlink_to(sentinel)
    text = (web_personas_dir / "priya-shah.yml").read_text(encoding="utf-8")
    control.write_text(text.replace("id: priya-shah", "id: control-inside", 1), encoding="utf-8")
    try:
        student = WebClient(web).student(f"link-{uuid.uuid4().hex[:6]}")
        deadline = time.monotonic() + 10
        while "control-inside" not in student.get("/api/personas").text:  # hot reload: within 2 s
            assert time.monotonic() < deadline, "the control file was never picked up"
            time.sleep(0.2)
        sender = f"link-{uuid.uuid4().hex[:8]}"
        assert "There is no patient" not in rasa_say(web, sender, '/start_interview{"persona_id": "control-inside"}')[0]
        # By now both processes have rescanned the folder, link included.
        assert SENTINEL_ID not in student.get("/api/personas").text
        assert student.post("/api/conversations", {"persona_id": SENTINEL_ID}).status_code == 400
        reply = rasa_say(web, f"link-{uuid.uuid4().hex[:8]}", '/start_interview{"persona_id": "%s"}' % SENTINEL_ID)[0]
        assert "There is no patient with the id" in reply and SENTINEL_OPENING not in reply
        educator = WebClient(web).staff(*EDUCATOR)
        assert educator.get(f"/api/educator/personas/{SENTINEL_ID}/preview").status_code == 404
        files = {f["file"]: f for f in educator.get("/api/educator/personas").json()["files"]}
        entry = files[link.name]
        assert entry["status"] == "error" and entry["persona"] is None, entry
        assert "outside the personas folder" in entry["problems"][0]["text"], entry
        no_leak(json.dumps(files), "educator persona list")
    finally:
        link.unlink()
        control.unlink()


def test_links_inside_the_personas_folder_still_work(tmp_path):
    """Deployments that mount files as links within the folder (e.g. Kubernetes ConfigMaps) keep working."""
    folder = tmp_path / "personas"
    (folder / "..data").mkdir(parents=True)
    (folder / "..data" / "priya-shah.yml").write_text((ROOT / "personas" / "priya-shah.yml").read_text("utf-8"),
                                                      encoding="utf-8")
    (folder / "priya-shah.yml").symlink_to(Path("..data") / "priya-shah.yml")
    write_sentinel(tmp_path / f"{SENTINEL_ID}.yml")
    (folder / f"{SENTINEL_ID}.yml").symlink_to(tmp_path / f"{SENTINEL_ID}.yml")
    registry = PersonaRegistry(folder)
    assert registry.ids() == ["priya-shah"]
    problem = registry.problems()[f"{SENTINEL_ID}.yml"][0]
    assert "outside the personas folder" in problem.message


# --- conversation ids ---------------------------------------------------------------------

def test_conversation_ids_that_leave_the_folder_are_not_found_on_every_route(web, sentinel, tmp_path,
                                                                             web_personas_dir):
    owner = WebClient(web).student(f"cid-{uuid.uuid4().hex[:6]}")
    owner.new_conversation("priya-shah")
    callers = {"student": owner, "assessor": WebClient(web).staff(*ASSESSOR),
               "educator": WebClient(web).staff(*EDUCATOR)}
    routes = conversation_routes(tmp_path, web_personas_dir)
    ids = [quote(c, safe="") for c in BAD_IDS] + RAW_PATH_IDS
    seen = set()
    for method, canonical in routes:
        for cid in ids:
            path = canonical.replace("{cid}", cid)
            for who, client in callers.items():
                status, body = raw_request(client, method, path)
                seen.add(status)
                # Pages are static files whose script asks the API (encoded) for the data, so a
                # page may load; the API refuses.
                allowed = (400, 403, 404, 405, 414) + (() if path.startswith("/api/") else (200,))
                assert status in allowed, (who, method, path[:120], status, body[:200])
                no_leak(body, f"{who} {method} {path[:80]}")
                if body.startswith("{"):
                    assert json.loads(body)["error"], (who, path[:80], body[:200])
    assert 404 in seen


def test_static_files_never_leave_the_frontend_folders(web):
    client = WebClient(web)
    for folder in ("css", "js", "vendor"):
        for tail in ("../../bot/web/app.py", "%2e%2e/%2e%2e/bot/web/app.py", "..%2f..%2fbot%2fweb%2fapp.py",
                     "..%5c..%5cbot%5cweb%5capp.py", "%252e%252e/%252e%252e/bot/web/app.py",
                     "../../../../../../../../etc/passwd", "/etc/passwd", "..;/..;/bot/web/app.py",
                     "%c0%ae%c0%ae/%c0%ae%c0%ae/bot/web/app.py", "api.js%00.png", "."):
            status, body = raw_request(client, "GET", f"/static/{folder}/{tail}")
            assert status in (400, 403, 404), (folder, tail, status)
            no_leak(body, f"/static/{folder}/{tail}")


def test_download_file_names_are_safe_whatever_persona_id_the_chat_sent(web):
    """The transcript's persona id comes from the chat (a student can send any
    ``/start_interview{...}``); it must not shape the download's file name or headers."""
    student = WebClient(web).student(f"dl-{uuid.uuid4().hex[:6]}")
    assessor = WebClient(web).staff(*ASSESSOR)
    for evil in ('../../x"; filename="evil.html', "..\\..\\x\r\nSet-Cookie: pwned=1", "a/b\x00c"):
        cid = student.new_conversation("priya-shah")
        rasa_say(web, cid, "/start_interview" + json.dumps({"persona_id": evil}))
        rasa_say(web, cid, "How are things at home?")
        for client in (student, assessor):
            r = client.get(f"/api/conversations/{cid}/transcript.json")
            assert r.status_code == 200, (evil, r.status_code, r.text[:200])
            disposition = r.headers["Content-Disposition"]
            assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+"', disposition), disposition
            assert "Set-Cookie" not in r.headers and "pwned" not in client.http.cookies, "a header was injected"
            assert r.json()["persona_id"] == evil, "the transcript itself keeps what was sent"
    # An odd persona id sent by any client must not break the cohort's CSV export (a NUL did).
    rest(web, f"ext-{uuid.uuid4().hex[:8]}", "/start_interview" + json.dumps({"persona_id": "nul\x00id"}))
    r = assessor.get("/api/assessor/conversations/export")
    assert r.status_code == 200, r.text[:200]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) >= 3 and "\x00" not in r.text


# --- Rasa's channels ----------------------------------------------------------------------

TRAVERSAL_SENDERS = ["../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/passwd", "c-x/../../y", "x\x00y",
                     "x\ny", "a" * 129, "\\\\server\\share"]
LOOKALIKE_SENDERS = ["\u2024\u2024\u2215etc\u2215passwd", "..\uff0fetc", "%2e%2e%2fetc%2fpasswd"]


def test_rest_channel_refuses_senders_with_paths_and_keeps_lookalikes_as_plain_keys(web):
    store = TrackerStoreReader(f"sqlite:///{web.run_dir / 'tracker.db'}")
    for sender in TRAVERSAL_SENDERS:
        status, reply = rest(web, sender, "When did it start?")
        assert status == 400 and "'sender' must be" in reply["error"], (sender, status, reply)
    for sender in LOOKALIKE_SENDERS:  # no path separator: just an odd conversation key
        sender = f"{sender}-{uuid.uuid4().hex[:6]}"
        status, reply = rest(web, sender, '/start_interview{"persona_id": "priya-shah"}')
        assert status == 200 and reply and reply[0]["text"], (sender, status, reply)
        assert store.events(sender), "stored under exactly the id sent, not a normalised path"


def test_socketio_refuses_session_ids_with_paths_even_with_a_valid_token(web):
    student = WebClient(web).student(f"sio-{uuid.uuid4().hex[:6]}")
    cid = student.new_conversation("priya-shah")
    token = student.get(f"/api/conversations/{cid}/socket-token").json()["token"]
    assert token, "the web_stack fixture runs Socket.IO with tokens"
    errors: "queue.Queue[dict]" = queue.Queue()
    confirmed: "queue.Queue[str]" = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("sp_error", lambda data: errors.put(data))
    client.on("session_confirm", lambda data: confirmed.put(data))
    client.connect(f"{web.rasa_url}?session={cid}", transports=["polling"], auth={"token": token})
    try:
        for bad in TRAVERSAL_SENDERS:
            client.emit("session_request", {"session_id": bad})
            assert "invalid session_id" in errors.get(timeout=10)["error"], bad
            client.emit("user_uttered", {"session_id": bad, "message": "hello"})
            assert "'sender' must be" in errors.get(timeout=10)["error"], bad
        for odd in LOOKALIKE_SENDERS + [f"{cid}/../{cid}"]:
            client.emit("session_request", {"session_id": odd})
            assert errors.get(timeout=10)["error"], odd  # another conversation, or an invalid id
        assert confirmed.empty(), "no session was joined"
        client.emit("session_request", {"session_id": cid})
        assert confirmed.get(timeout=10) == cid
    finally:
        client.disconnect()
    # A token can only be issued for an id the app created, and the channel refuses paths
    # even in a token signed with the right key.
    key = web.socket_key
    forged = issue_socket_token("../../etc/passwd", key)
    client = socketio.Client(reconnection=False)
    client.on("sp_error", lambda data: errors.put(data))
    client.connect(web.rasa_url, transports=["polling"], auth={"token": forged})
    try:
        client.emit("session_request", {})
        assert "invalid session_id" in errors.get(timeout=10)["error"]
    finally:
        client.disconnect()
