"""Rasa's own HTTP API is never open: every endpoint needs the token (docs/security.md)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest


def status(url: str, method: str = "GET", body: dict = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/conversations/anyone/tracker", None),
    ("POST", "/conversations/anyone/tracker/events", {"event": "restart"}),
    ("PUT", "/conversations/anyone/tracker/events", []),
    ("GET", "/conversations/anyone/story", None),
    ("POST", "/conversations/anyone/execute", {"name": "utter_greet"}),
    ("POST", "/conversations/anyone/trigger_intent", {"name": "greet"}),
    ("POST", "/conversations/anyone/predict", None),
    ("POST", "/conversations/anyone/messages", {"text": "hi", "sender": "user"}),
    ("POST", "/model/parse", {"text": "hi"}),
    ("GET", "/status", None),
    ("GET", "/domain", None),
    ("PUT", "/model", {"model_file": "/etc/passwd"}),
    ("DELETE", "/model", None),
    ("POST", "/model/train", {}),
])
def test_rasa_http_api_refuses_requests_without_the_token(stack, method, path, body):
    assert status(f"{stack.rasa_url}{path}", method, body) in (401, 403)


def test_rasa_http_api_accepts_the_token(stack):
    assert status(f"{stack.rasa_url}/status?token={stack.token}") == 200
    assert status(f"{stack.rasa_url}/status?token=wrong-{stack.token}") in (401, 403)
