"""SIGKILL the Rasa server mid-interview (SQLite tracker store), start it again: the
conversation continues with every earlier turn intact."""
from __future__ import annotations

import signal
import uuid
from pathlib import Path

from bot.process.stack import Stack
from tests.conftest import RasaClient, free_port


def test_sigkill_and_restart_keeps_the_conversation(model_path: Path, personas_dir: Path, tmp_path: Path):
    stack = Stack(rasa_port=free_port(), web_port=None, run_dir=tmp_path, personas_dir=personas_dir, log_to_files=True)
    stack.start(model=model_path)
    try:
        client = RasaClient(stack)
        sender = f"durable-{uuid.uuid4().hex[:8]}"
        client.start(sender, "priya-shah")
        first = client.say(sender, "When did it start?")[0]
        client.say(sender, "That sounds really hard.")
        before = client.tracker(sender)["events"]
        stack.kill("rasa", signal.SIGKILL)
        stack.start_rasa(model_path)
        after = client.tracker(sender)["events"]
        assert [e for e in after if e["event"] in ("user", "bot")] == [e for e in before if e["event"] in ("user", "bot")]
        again = client.say(sender, "When did it start?")[0]
        assert again != first and again.startswith(("As I said", "Like I said", "As I mentioned")) or again in (
            "January, so about nine months. It started in busy season and it's never really settled.",)
        texts = [e["text"] for e in client.tracker(sender)["events"] if e["event"] == "user"]
        assert texts[1:] == ["When did it start?", "That sounds really hard.", "When did it start?"]
    finally:
        stack.stop()
