"""Shared fixtures: one trained model per run, one real Rasa server on a loopback port."""
from __future__ import annotations

import json
import os
import shutil
import socket
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from bot.personas import PersonaRegistry
from bot.process.stack import Stack
from bot.process.training import ROOT, ensure_model
from bot.settings import reload_settings

BUNDLED = ROOT / "personas"
# Scripted tests send dozens of messages back to back; students type far slower. The
# flood test sets its own tight limit.
os.environ.setdefault("SPTRAINER_RATE_LIMIT", "25/60")
# Every test client shares one loopback address; the per-address limit has its own test.
os.environ.setdefault("SPTRAINER_ADDRESS_RATE_LIMIT", "200/2000")
# ...and signs in hundreds of students; the sign-in throttles have their own tests.
os.environ.setdefault("SPTRAINER_STUDENT_LOGIN_LIMIT", "1000/10000")
# Students sign in by name alone (open practice); the access-code tests set "code" themselves.
os.environ.setdefault("SPTRAINER_STUDENT_ACCESS", "open")
reload_settings()


@pytest.fixture(autouse=True)
def _fresh_settings():
    """A test that changed the environment (monkeypatch) leaves no settings behind it."""
    yield
    reload_settings()


# --- test tiers (docs/testing.md): unit needs neither a trained model nor Debian packages ------

#: Modules whose tests load the trained NLU model themselves (the scorer, the turn reader).
MODEL_MODULES = {"test_dialogue_cases", "test_nlu_targets", "test_scoring", "test_patient_view",
                 "test_teaching_pack"}
#: Modules that start Debian's servers (PostgreSQL, Redis, nginx) beside Rasa.
SCALED_MODULES = {"test_scaled", "test_locks"}
#: Fixtures that start a trained Rasa (and the web app).
MODEL_FIXTURES = {"model_path", "stack", "rasa", "web_stack"}


def tier_of(item: pytest.Item) -> str:
    """unit, rasa, scaled or browser: what a test needs to run."""
    path = Path(str(item.fspath))
    if "e2e" in path.parts:
        return "browser"
    if path.stem in SCALED_MODULES:
        return "scaled"
    if path.stem in MODEL_MODULES or MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
        return "rasa"
    return "unit"


def pytest_configure(config: pytest.Config) -> None:
    for tier, what in (("unit", "needs neither a trained model nor Debian packages"),
                       ("rasa", "needs the trained model (and starts Rasa or loads the NLU)"),
                       ("scaled", "starts PostgreSQL, Redis or nginx from Debian's packages"),
                       ("browser", "drives Debian's Chromium against the real stack")):
        config.addinivalue_line("markers", f"{tier}: {what}")


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    for item in items:
        item.add_marker(getattr(pytest.mark, tier_of(item)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RasaClient:
    """A REST client for the running bot, plus tracker access through the token-protected API."""

    #: Seconds to wait for a reply; scaled tests queue several messages on one lock.
    timeout = 30

    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def say(self, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None) -> List[str]:
        body: Dict[str, Any] = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        request = urllib.request.Request(f"{self.stack.rasa_url}/webhooks/rest/webhook",
                                         data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return [m.get("text", "") for m in json.loads(response.read())]

    def start(self, sender: str, persona_id: str) -> str:
        replies = self.say(sender, "/start_interview" + json.dumps({"persona_id": persona_id}))
        assert len(replies) == 1, replies
        return replies[0]

    def tracker(self, sender: str) -> Dict[str, Any]:
        url = f"{self.stack.rasa_url}/conversations/{sender}/tracker?token={self.stack.token}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def learner_intents(self, sender: str) -> List[str]:
        events = self.tracker(sender)["events"]
        return [e["parse_data"]["intent"]["name"] for e in events if e.get("event") == "user"]


@pytest.fixture(scope="session")
def model_path() -> Path:
    return ensure_model(quiet=True)


@pytest.fixture(scope="session")
def personas_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the bundled personas, so tests may add broken or new files."""
    target = tmp_path_factory.mktemp("personas")
    for path in BUNDLED.glob("*.yml"):
        shutil.copy(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def stack(model_path: Path, personas_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    run_dir = tmp_path_factory.mktemp("run")
    s = Stack(rasa_port=free_port(), web_port=None, run_dir=run_dir, personas_dir=personas_dir, log_to_files=True)
    s.start(model=model_path)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def rasa(stack: Stack) -> RasaClient:
    return RasaClient(stack)


@pytest.fixture(scope="session")
def bundled() -> PersonaRegistry:
    return PersonaRegistry(BUNDLED)


# --- the web app: tests/test_web_*.py and tests/e2e/ ------------------------------------

@pytest.fixture(scope="session")
def web_personas_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web app's own copy of the bundled personas (its tests add a broken file)."""
    target = tmp_path_factory.mktemp("web-personas")
    for path in BUNDLED.glob("*.yml"):
        shutil.copy(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def web_stack(model_path: Path, web_personas_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """Rasa and the web app on free loopback ports, with a temp var dir and a temp app database.

    Rasa's channels require the web app's per-conversation tokens for web conversations here
    (the Stack makes its own key, as `make run` does), so the browser tests cover the token path.
    """
    run_dir = tmp_path_factory.mktemp("web-run")
    env = {"SPTRAINER_APP_DB": str(run_dir / "app.db"), "SPTRAINER_SECRET_KEY": "", "SPTRAINER_TRACKER_URL": "",
           "SPTRAINER_SECURE_COOKIES": "", "SPTRAINER_RASA_PUBLIC_URL": ""}
    s = Stack(rasa_port=free_port(), web_port=free_port(), run_dir=run_dir, personas_dir=web_personas_dir,
              log_to_files=True, extra_env=env)
    s.start(model=model_path)
    yield s
    s.stop()
