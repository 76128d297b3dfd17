"""Helpers for the web app tests: an HTTP client that keeps the session cookie and sends the
CSRF token, staff accounts made with the real CLI, and Rasa's REST channel for quick turns."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any, Dict, List, Optional

import requests

from bot.process.stack import Stack
from bot.settings import REPO_ROOT as ROOT
from bot.tokens import issue_socket_token

ASSESSOR = ("Dr Ada Assessor", "assessor-password-1")
EDUCATOR = ("Ed Educator", "educator-password-1")

#: A short interview with Priya Shah that touches every part of the report: physical and
#: psychosocial questions, an ignored emotional cue, empathy and a dismissal.
SCRIPT = [
    "Hi, I'm Sam, one of the medical students.",
    "What brings you in today?",
    "When did this first start?",
    "Have you had any tests done?",
    "Do you drink alcohol?",
    "That sounds really hard.",
    "How are things at home?",
    "It's probably all in your head.",
    "What worries you most about it?",
]


def run_cli(stack: Stack, *args: str, password: Optional[str] = None, stdin: Optional[str] = None,
            env_extra: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    env = stack.env()
    env.pop("SPTRAINER_PASSWORD", None)
    if password is not None:
        env["SPTRAINER_PASSWORD"] = password
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=60)


def ensure_staff(stack: Stack) -> None:
    """The assessor and educator accounts, created with ``sptrainer user add`` (idempotent)."""
    if getattr(stack, "_staff_made", False):
        return
    for (name, password), role in ((ASSESSOR, "assessor"), (EDUCATOR, "educator")):
        done = run_cli(stack, "user", "add", name, "--role", role, "--replace", password=password)
        assert done.returncode == 0, done.stderr
    stack._staff_made = True  # type: ignore[attr-defined]


def rasa_say(stack: Stack, sender: str, text: str) -> List[str]:
    """Say something in a conversation over REST, as its owner: web conversations (c-...)
    take messages only with their token, which the web app would issue to the owner."""
    headers = {"Authorization": f"Bearer {issue_socket_token(sender, stack.socket_key)}"}
    r = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                      headers=headers, timeout=30)
    r.raise_for_status()
    return [m.get("text", "") for m in r.json()]


class WebClient:
    """One browser-like session against the web app (cookie jar + CSRF header)."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.base = stack.web_url
        self.http = requests.Session()
        self.csrf: Optional[str] = None

    def url(self, path: str) -> str:
        return self.base + path

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.http.get(self.url(path), timeout=60, allow_redirects=kw.pop("allow_redirects", False), **kw)

    def refresh(self) -> Dict[str, Any]:
        data = self.get("/api/session").json()
        self.csrf = data["csrf"]
        return data

    def post(self, path: str, body: Any = None, csrf: bool = True, headers: Optional[Dict[str, str]] = None,
             **kw: Any) -> requests.Response:
        if csrf and self.csrf is None:
            self.refresh()
        h = dict(headers or {})
        if csrf:
            h.setdefault("X-CSRF-Token", self.csrf or "")
        return self.http.post(self.url(path), data=None if body is None else json.dumps(body),
                              headers={"Content-Type": "application/json", **h}, timeout=60, allow_redirects=False, **kw)

    def student(self, name: str) -> "WebClient":
        r = self.post("/api/student/login", {"name": name})
        assert r.status_code == 200, r.text
        self.csrf = r.json()["csrf"]
        return self

    def staff(self, name: str, password: str) -> "WebClient":
        r = self.post("/api/login", {"name": name, "password": password})
        assert r.status_code == 200, r.text
        self.csrf = r.json()["csrf"]
        return self

    def new_conversation(self, persona_id: str) -> str:
        r = self.post("/api/conversations", {"persona_id": persona_id})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def interview(self, persona_id: str, lines: List[str]) -> str:
        """A conversation recorded by the web app and played through Rasa's REST channel."""
        cid = self.new_conversation(persona_id)
        rasa_say(self.stack, cid, "/start_interview" + json.dumps({"persona_id": persona_id}))
        for line in lines:
            rasa_say(self.stack, cid, line)
        return cid


def screenshots_dir():
    path = ROOT / "artifacts" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def chromium_path() -> str:
    return os.environ.get("SPTRAINER_CHROMIUM", "/usr/bin/chromium")
