"""Security (docs/security.md): secrets only from the environment (or generated at run time into 0600
files), never in the source, never on a command line; Secure cookies on every response that
sets one; Socket.IO refuses forged, expired and unsigned tokens.

Cookie flags without SPTRAINER_SECURE_COOKIES and CSRF are covered in tests/test_web_api.py
and tests/test_web_tokens.py; the key file in tests/test_web_accounts.py.
"""
from __future__ import annotations

import asyncio
import os
import queue
import re
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

import jwt
import pytest
import requests
import socketio
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer

from bot.accounts import AppDB, Users
from bot.personas import PersonaRegistry
from bot.settings import REPO_ROOT as ROOT
from bot.settings import reload_settings
from tests.conftest import BUNDLED, free_port
from tests.e2e.support import WebClient

# --- nothing secret in the source ---------------------------------------------------------

#: Folders that are not source: the virtualenv, trained models, run-time state, build output.
NOT_SOURCE = {".venv", "models", "var", "artifacts", ".git", "__pycache__", ".pytest_cache", ".hypothesis",
              ".rasa", "node_modules", "build", "dist", "sptrainer.egg-info", ".mypy_cache", ".ruff_cache"}
#: Unmistakable credentials: a hit anywhere (tests included) fails.
HARD = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "JWT": re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    "password in a URL": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"{}$<>]+:[^/\s@'\"{}$<>]+@"),
}
#: ``password = "..."``-style literals: fail outside tests/ (tests make throwaway accounts in
#: temp databases). Placeholders such as ``${SPTRAINER_PG_PASSWORD}`` are fine.
ASSIGNED = re.compile(r"""(?i)\b(?:password|passwd|pwd|secret|secret_key|token|auth_token|api_key|apikey|jwt_key|"""
                      r"""private_key)\b["']?\s*[:=]\s*["']([^"'\s]{4,})["']""")


def source_files() -> List[Path]:
    out = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in NOT_SOURCE]
        out.extend(Path(folder) / f for f in files)
    return out


def secret_hits(path: Path, text: str) -> List[str]:
    rel = path.relative_to(ROOT)
    hits = [f"{rel}:{text.count(chr(10), 0, m.start()) + 1}: {name}"
            for name, rx in HARD.items() for m in rx.finditer(text)]
    if rel.parts[0] != "tests":
        hits += [f"{rel}:{text.count(chr(10), 0, m.start()) + 1}: literal {m.group(0)[:60]!r}"
                 for m in ASSIGNED.finditer(text) if not m.group(1).startswith("${")]
    return hits


def test_no_hard_coded_secrets_in_the_source():
    # The patterns work (examples built at run time, so this file holds none of them).
    dash = "-" * 5
    for example in (f"{dash}BEGIN RSA PRIVATE KEY{dash}", "AKIA" + "ABCDEFGHIJKLMNOP", "postgresql://sp:" + "hunter2@db/x",
                    "password" + ' = "hunter22"', "SECRET_KEY" + ": 'abcdef'"):
        assert secret_hits(ROOT / "bot" / "x.py", example), example
    assert not secret_hits(ROOT / "bot" / "x.py", 'password: "${SPTRAINER_PG_PASSWORD}"')
    files = source_files()
    assert len(files) > 100 and any(p.name == "app.py" for p in files)
    hits = []
    for path in files:
        if path.stat().st_size > 5_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary
        hits += secret_hits(path, text)
    assert not hits, "secrets in the source (read them from the environment instead):\n" + "\n".join(hits)


# --- read from the environment ------------------------------------------------------------

def test_rasa_token_socket_key_and_database_password_are_read_from_the_environment(monkeypatch, tmp_path):
    from bot.channels.socketio import GuardedSocketIOInput
    from bot.process.scaled import scaled_endpoints
    from bot.process.services import Postgres, Redis
    from bot.process.stack import Stack
    from bot.tokens import issue_socket_token, socket_key

    monkeypatch.setenv("SPTRAINER_RASA_TOKEN", "rasa-token-from-the-environment")
    reload_settings()
    assert Stack(run_dir=tmp_path).token == "rasa-token-from-the-environment"
    monkeypatch.delenv("SPTRAINER_RASA_TOKEN")
    reload_settings()
    a, b = Stack(run_dir=tmp_path).token, Stack(run_dir=tmp_path).token
    assert a != b and len(a) >= 32, "without the variable each run makes its own random token"

    monkeypatch.setenv("SPTRAINER_SOCKET_JWT_KEY", "socket-key-from-the-environment")
    reload_settings()
    assert GuardedSocketIOInput.from_credentials({"jwt_key": "from-a-file"}).jwt_key == "socket-key-from-the-environment"
    assert socket_key() == "socket-key-from-the-environment"
    monkeypatch.delenv("SPTRAINER_SOCKET_JWT_KEY")
    reload_settings()
    assert GuardedSocketIOInput.from_credentials({"jwt_key": "from-a-file"}).jwt_key is None
    assert issue_socket_token("c-x") is None
    run = Stack(run_dir=tmp_path)
    assert len(run.socket_key) >= 32 and run.env()["SPTRAINER_SOCKET_JWT_KEY"] == run.socket_key, \
        "`make run` makes its own channel key, so web conversations are never open"
    assert Stack(run_dir=tmp_path).socket_key != run.socket_key

    monkeypatch.setenv("SPTRAINER_PG_PASSWORD", "pg-password-from-the-environment")
    reload_settings()
    pg = Postgres(tmp_path / "pg", 5999)
    assert pg.password == "pg-password-from-the-environment"
    endpoints = scaled_endpoints(tmp_path, pg, Redis(6999, tmp_path / "redis")).read_text()
    assert "${SPTRAINER_PG_PASSWORD}" in endpoints and pg.password not in endpoints, "the file names the variable"
    monkeypatch.delenv("SPTRAINER_PG_PASSWORD")
    reload_settings()
    assert Postgres(tmp_path / "pg", 5999).password != Postgres(tmp_path / "pg", 5999).password
    for name in ("credentials.yml", "endpoints.yml"):
        text = (ROOT / name).read_text()
        assert not re.search(r"(?im)^\s*(password|token|jwt_key|auth_token|secret)\s*:", text), name


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_no_secret_is_on_a_command_line_and_generated_files_are_private(web_stack):
    web = web_stack
    rasa_pid, web_pid = web.procs["rasa"].pid, web.procs["web"].pid
    secrets_ = [web.token, web.socket_key]
    for pid in (rasa_pid, web_pid):
        line = _cmdline(pid)
        for secret in secrets_:
            assert secret not in line, f"a secret on the command line of pid {pid} (visible to every local user)"
    assert "--auth-token" not in _cmdline(rasa_pid)
    assert requests.get(f"{web.rasa_url}/status", params={"token": web.token}, timeout=30).status_code == 200
    assert requests.get(f"{web.rasa_url}/status", timeout=30).status_code in (401, 403)
    # The web app generated its session key (SPTRAINER_SECRET_KEY is empty here); Rasa made the
    # tracker store. Key, accounts and transcripts are readable by their owner only.
    WebClient(web).student("file-modes")  # the app database has rows and its WAL files exist
    run = web.run_dir
    private = [run / "secret_key", run / "app.db", run / "tracker.db"]
    private += [p for p in run.glob("*.db-*")]
    for path in private:
        assert path.exists(), path
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path.name} is mode {mode:o}; it must be 0600"
    # Rasa refuses to start its API without a token in the environment.
    env = {k: v for k, v in os.environ.items() if k != "SPTRAINER_RASA_TOKEN"}
    done = subprocess.run([sys.executable, "-m", "bot.process.rasa_server", "run", "--enable-api"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "SPTRAINER_RASA_TOKEN is not set" in done.stderr


LAUNCH = ("import sys; from aiohttp import web; from bot.web.app import create_app; "
          "web.run_app(create_app(warm_up=False), host='127.0.0.1', port=int(sys.argv[1]), print=None)")


def _start_web(port: int, env: Dict[str, str]) -> subprocess.Popen:
    full = dict(os.environ, SPTRAINER_PERSONAS_DIR=str(ROOT / "personas"), **env)
    return subprocess.Popen([sys.executable, "-c", LAUNCH, str(port)], cwd=ROOT, env=full,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _wait(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        try:
            requests.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"web app on :{port} did not start")


def test_the_session_key_comes_from_the_environment_and_cookies_carry_across_processes(web_stack, tmp_path):
    """Two web app processes with the same SPTRAINER_SECRET_KEY accept each other's cookies
    (several app servers behind one balancer); one with another key does not; none writes a
    key file when the variable is set. A process without the variable shares the generated
    0600 key file of its var folder (web_stack's)."""
    db = str(tmp_path / "app.db")
    key1, key2 = "k1-" + "a" * 40, "k2-" + "b" * 40
    configs = {"first": {"SPTRAINER_SECRET_KEY": key1}, "second": {"SPTRAINER_SECRET_KEY": key1},
               "other key": {"SPTRAINER_SECRET_KEY": key2},
               "key file": {"SPTRAINER_SECRET_KEY": "", "SPTRAINER_VAR_DIR": str(web_stack.run_dir),
                            "SPTRAINER_APP_DB": str(web_stack.run_dir / "app.db")}}
    procs, ports = {}, {}
    try:
        for name, env in configs.items():
            env = dict({"SPTRAINER_APP_DB": db, "SPTRAINER_VAR_DIR": str(tmp_path / name.replace(" ", "-")),
                        "SPTRAINER_SECURE_COOKIES": ""}, **env)
            ports[name] = free_port()
            procs[name] = _start_web(ports[name], env)
        short = subprocess.run([sys.executable, "-c", LAUNCH, str(free_port())], cwd=ROOT, capture_output=True,
                               text=True, timeout=60, env=dict(os.environ, SPTRAINER_SECRET_KEY="too-short"))
        assert short.returncode != 0 and "SPTRAINER_SECRET_KEY must be at least 32" in short.stderr
        for name, proc in procs.items():
            _wait(ports[name], proc)

        def url(name: str, path: str) -> str:
            return f"http://127.0.0.1:{ports[name]}{path}"

        s = requests.Session()
        csrf = s.get(url("first", "/api/session"), timeout=30).json()["csrf"]
        assert s.post(url("first", "/api/student/login"), json={"name": "two-servers"},
                      headers={"X-CSRF-Token": csrf}, timeout=30).status_code == 200
        cookie = {"sptrainer_session": s.cookies["sptrainer_session"]}
        me = requests.get(url("second", "/api/session"), cookies=cookie, timeout=30).json()["user"]
        assert me and me["name"] == "two-servers", "the same key must accept the other process's cookie"
        assert requests.get(url("other key", "/api/my/conversations"), cookies=cookie, timeout=30).status_code == 401
        for name in ("first", "second", "other key"):
            assert not (tmp_path / name.replace(" ", "-") / "secret_key").exists(), "no key file when the key is set"
        # The generated key file is shared by processes using the same var folder.
        student = WebClient(web_stack).student("key-file-student")
        shared = {"sptrainer_session": student.http.cookies["sptrainer_session"]}
        me = requests.get(url("key file", "/api/session"), cookies=shared, timeout=30).json()["user"]
        assert me and me["name"] == "key-file-student"
        assert stat.S_IMODE((web_stack.run_dir / "secret_key").stat().st_mode) == 0o600
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, 15)
            proc.wait(timeout=15)
            proc.stderr.close()


# --- Secure cookies on every response that sets one ----------------------------------------

def _run(coro):
    with ThreadPoolExecutor(max_workers=1) as pool:  # Playwright (tests/e2e) may own this thread's loop
        return pool.submit(asyncio.run, coro).result(timeout=120)


def test_every_cookie_is_secure_httponly_and_lax_under_secure_cookies_including_sign_in_and_out(tmp_path,
                                                                                             monkeypatch):
    from bot.web.app import create_app

    monkeypatch.setenv("SPTRAINER_SECURE_COOKIES", "1")
    reload_settings()
    db = AppDB(tmp_path / "app.db")
    db.ensure_schema()
    Users(db).add_staff("Secure Sam", "assessor", "secure-password-1")

    async def scenario() -> List[str]:
        app = create_app(db=db, registry=PersonaRegistry(BUNDLED), key=os.urandom(32), warm_up=False)
        client = TestClient(TestServer(app), cookie_jar=DummyCookieJar())  # cookies handled by hand below
        await client.start_server()
        seen: List[str] = []
        jar: Dict[str, str] = {}

        async def call(method: str, path: str, **kw):
            headers = dict(kw.pop("headers", {}))
            if jar:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
            r = await client.request(method, path, headers=headers, allow_redirects=False, **kw)
            for raw in r.headers.getall("Set-Cookie", []):
                seen.append(raw)
                name, _, rest = raw.partition("=")
                value = rest.split(";", 1)[0]
                if value and "Max-Age=0" not in raw:
                    jar[name] = value
                else:
                    jar.pop(name, None)
            return r

        try:
            csrf = (await (await call("GET", "/api/session")).json())["csrf"]
            anonymous = dict(jar)
            r = await call("POST", "/api/student/login", json={"name": "secure-student"}, headers={"X-CSRF-Token": csrf})
            assert r.status == 200
            assert jar != anonymous, "signing in must issue a new cookie"
            csrf = (await r.json())["csrf"]
            r = await call("POST", "/api/logout", headers={"X-CSRF-Token": csrf})
            assert r.status == 200
            csrf = (await (await call("GET", "/api/session")).json())["csrf"]
            r = await call("POST", "/api/login", json={"name": "Secure Sam", "password": "secure-password-1"},
                           headers={"X-CSRF-Token": csrf})
            assert r.status == 200
            csrf = (await r.json())["csrf"]
            assert (await call("GET", "/assessor/")).status == 200
            r = await call("POST", "/api/logout", headers={"X-CSRF-Token": csrf})
            assert r.status == 200 and not jar, "signing out clears the cookie"
            # The anonymous cookie from before the student signed in is still anonymous.
            jar.update(anonymous)
            assert (await call("GET", "/api/my/conversations")).status == 401
        finally:
            await client.close()
        return seen

    cookies = _run(scenario())
    assert len(cookies) >= 5, cookies
    for raw in cookies:
        flags = [f.strip().lower() for f in raw.split(";")[1:]]
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags and "path=/" in flags, raw
    assert any("max-age=0" in raw.lower() or "expires=thu, 01 jan 1970" in raw.lower() for raw in cookies), \
        "sign-out sets an expired cookie"


# --- Socket.IO tokens -----------------------------------------------------------------------

def test_socketio_refuses_forged_expired_and_unsigned_tokens(web_stack):
    """web_stack runs Rasa with SPTRAINER_SOCKET_JWT_KEY, as `make run` and the scaled profile
    do (tests/test_scaled.py::test_socketio_needs_a_token_for_its_own_conversation covers the
    scaled profile, where even a connection without a token is refused)."""
    key = web_stack.socket_key
    student = WebClient(web_stack).student("token-tester")
    cid = student.new_conversation("priya-shah")
    now = int(time.time())
    bad = {
        "garbage": "not-a-token",
        "wrong key": jwt.encode({"conversation": cid, "iat": now, "exp": now + 600}, "x" * 40, algorithm="HS256"),
        "expired": jwt.encode({"conversation": cid, "iat": now - 7200, "exp": now - 3600}, key, algorithm="HS256"),
        "alg none": jwt.encode({"conversation": cid, "iat": now, "exp": now + 600}, None, algorithm="none"),
    }
    for why, token in bad.items():
        client = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(f"{web_stack.rasa_url}?session={cid}", transports=["polling"], auth={"token": token})
        assert not client.connected, why
    good = student.get(f"/api/conversations/{cid}/socket-token").json()["token"]
    client = socketio.Client(reconnection=False)
    client.connect(f"{web_stack.rasa_url}?session={cid}", transports=["polling"], auth={"token": good})
    assert client.connected
    client.disconnect()


def test_a_web_conversation_is_closed_to_channels_without_its_token(web_stack):
    """Without a token a client may still interview under its own ids (the contract), but it
    can neither join nor post into a student's conversation, on Socket.IO or REST."""
    student = WebClient(web_stack).student("closed-door")
    cid = student.new_conversation("daniel-osei")
    errors: "queue.Queue[dict]" = queue.Queue()
    confirmed: "queue.Queue[str]" = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("sp_error", lambda data: errors.put(data))
    client.on("session_confirm", lambda sid: confirmed.put(sid))
    client.connect(web_stack.rasa_url, transports=["polling"])
    try:
        client.emit("session_request", {"session_id": cid})
        assert "only a token the web app issued" in errors.get(timeout=10)["error"]
        client.emit("user_uttered", {"message": "hello?", "session_id": cid})
        assert "only a token the web app issued" in errors.get(timeout=10)["error"]
        own = f"external-{int(time.time() * 1000)}"
        client.emit("session_request", {"session_id": own})
        assert confirmed.get(timeout=10) == own, "ids outside the web app stay open"
    finally:
        client.disconnect()
    webhook = f"{web_stack.rasa_url}/webhooks/rest/webhook"
    other = WebClient(web_stack).student("closed-door-2")
    other_cid = other.new_conversation("daniel-osei")
    other_token = other.get(f"/api/conversations/{other_cid}/socket-token").json()["token"]
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": f"Bearer {other_token}"}):
        r = requests.post(webhook, json={"sender": cid, "message": "hello?"}, headers=headers, timeout=30)
        assert r.status_code == 403 and "only a token the web app issued" in r.json()["error"], headers
    stored = requests.get(f"{web_stack.rasa_url}/conversations/{cid}/tracker",
                          params={"token": web_stack.token}, timeout=30).json()
    assert not [e for e in stored.get("events", []) if e.get("event") == "user"], "nothing reached the tracker"
    token = student.get(f"/api/conversations/{cid}/socket-token").json()["token"]
    r = requests.post(webhook, json={"sender": cid, "message": '/start_interview{"persona_id": "daniel-osei"}'},
                      headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200 and r.json()[0]["text"], "the owner's token opens it"
