"""``sptrainer chat ID``: interview a patient from the terminal through the running bot.

It talks to Rasa over the REST channel exactly as any client does (docs/contracts.md, section 3),
so an educator trying a new persona sees what students will see: the real NLU, the real
engine, the persona file as the server loaded it.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from typing import List, TextIO

DEFAULT_URL = "http://127.0.0.1:5005"
TIMEOUT_SECONDS = 30.0
QUIT_WORDS = ("/quit", "/exit")
#: Replies from the bot itself (not the patient) start with this; see bot/plugins/nlg.py.
SYSTEM_PREFIX = "[SP Trainer]"


#: How long to keep retrying when the bot's rate limit refuses a message (piped input is fast).
RATE_LIMIT_WAIT_SECONDS = 20.0


class ChatError(Exception):
    """The bot cannot be used (not running, wrong URL, unexpected reply); the message says what to do."""


class MessageRefused(ChatError):
    """The bot refused one message (too long, too fast) but is otherwise fine."""

    def __init__(self, status: int, message: str, retry_after: float = 1.0) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(message)


def _error_text(exc: urllib.error.HTTPError) -> str:
    """The bot's own explanation ({"error": ...}) when it gives one."""
    try:
        body = json.loads(exc.read().decode("utf-8") or "{}")
        return str(body.get("error") or "") if isinstance(body, dict) else ""
    except (ValueError, OSError):
        return ""


def start_message(persona_id: str) -> str:
    return "/start_interview" + json.dumps({"persona_id": persona_id})


def send(url: str, sender: str, message: str, timeout: float = TIMEOUT_SECONDS) -> List[str]:
    """One REST turn; the bot's text replies in order."""
    endpoint = url.rstrip("/") + "/webhooks/rest/webhook"
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    request = urllib.request.Request(endpoint, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = json.loads(response.read().decode("utf-8") or "[]")
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500 and exc.code != 404:
            explanation = _error_text(exc)
            if explanation:
                try:
                    retry_after = float(exc.headers.get("Retry-After") or 1.0)
                except ValueError:
                    retry_after = 1.0
                raise MessageRefused(exc.code, explanation, retry_after) from None
        raise ChatError(f"the bot at {url} answered HTTP {exc.code} on {endpoint}; is this the Rasa server "
                        "with the REST channel enabled (credentials.yml: rest)?") from None
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ChatError(f"cannot reach the bot at {url} ({reason}); start it with `make run`, "
                        "or pass --url with the Rasa server's address") from None
    except ValueError:
        raise ChatError(f"the bot at {url} did not answer with JSON; is --url the Rasa server (port 5005)?") from None
    if not isinstance(payload, list):
        raise ChatError(f"unexpected reply from {endpoint}: {str(payload)[:200]}")
    return [str(m.get("text", "")) for m in payload if isinstance(m, dict) and m.get("text")]


def send_patiently(url: str, sender: str, message: str) -> List[str]:
    """``send``, waiting out the bot's rate limit instead of failing (input may be piped in fast)."""
    deadline = time.monotonic() + RATE_LIMIT_WAIT_SECONDS
    while True:
        try:
            return send(url, sender, message)
        except MessageRefused as exc:
            if exc.status != 429 or time.monotonic() >= deadline:
                raise
            time.sleep(min(max(exc.retry_after, 0.2), 5.0))


def run(persona_id: str, url: str, sender: str, stdin: TextIO, stdout: TextIO, stderr: TextIO,
        prompt: bool = False) -> int:
    """The interview loop; returns the exit code (0 ok, 1 unknown persona, 2 bot unreachable)."""
    try:
        opening = send_patiently(url, sender, start_message(persona_id))
    except ChatError as exc:
        print(f"error: {exc}", file=stderr)
        return 2
    if not opening or opening[0].startswith(SYSTEM_PREFIX):
        print(f"error: {opening[0] if opening else 'the bot gave no opening for ' + repr(persona_id)}", file=stderr)
        return 1
    label = "patient"
    print(f"[interview with {persona_id} as '{sender}'; type /quit or press Ctrl-D to end]", file=stderr)
    for text in opening:
        print(f"{label}> {text}", file=stdout)
    stdout.flush()
    while True:
        if prompt:
            stdout.write("you> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        message = line.strip()
        if not message:
            continue
        if message.lower() in QUIT_WORDS:
            break
        if not prompt:
            print(f"you> {message}", file=stdout)
        try:
            replies = send_patiently(url, sender, message)
        except MessageRefused as exc:  # e.g. a message over the size limit: say why, carry on
            print(f"error: the bot refused that message: {exc}", file=stderr)
            continue
        except ChatError as exc:
            print(f"error: {exc}", file=stderr)
            return 2
        for text in replies or ["(no reply)"]:
            print(f"{label}> {text}", file=stdout)
        stdout.flush()
    print("[interview ended]", file=stderr)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    sender = args.sender or f"cli-{uuid.uuid4().hex[:8]}"
    try:
        return run(args.id, args.url, sender, sys.stdin, sys.stdout, sys.stderr, prompt=sys.stdin.isatty())
    except KeyboardInterrupt:
        print("\n[interview ended]", file=sys.stderr)
        return 0

