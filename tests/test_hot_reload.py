"""New, edited and broken persona files take effect in new interviews, with no restart."""
from __future__ import annotations

import time
import uuid
from pathlib import Path

from bot.personas.registry import RESCAN_SECONDS
from tests.test_persona_files import MINIMAL


def wait_for_opening(rasa, pid: str, expected: str, within: float = 2.0) -> float:
    started = time.monotonic()
    while True:
        reply = rasa.start(f"hot-{uuid.uuid4().hex[:8]}", pid)
        elapsed = time.monotonic() - started
        if reply == expected:
            return elapsed
        assert elapsed < within, f"not live within {within} s; last reply: {reply}"
        time.sleep(0.1)


def test_new_persona_file_is_live_within_two_seconds(rasa, personas_dir: Path):
    pid = f"hot-{uuid.uuid4().hex[:6]}"
    opening = "I've only just been written, doctor."
    text = MINIMAL.replace("ruth-okafor", pid).replace(
        "It's my stomach. It's been cramping on and off for months.", opening)
    (personas_dir / f"{pid}.yml").write_text(text)
    wait_for_opening(rasa, pid, opening)


def test_edited_persona_is_live_in_the_next_interview(rasa, personas_dir: Path):
    pid = f"edit-{uuid.uuid4().hex[:6]}"
    path = personas_dir / f"{pid}.yml"
    path.write_text(MINIMAL.replace("ruth-okafor", pid))
    wait_for_opening(rasa, pid, "It's my stomach. It's been cramping on and off for months.")
    time.sleep(RESCAN_SECONDS)
    path.write_text(MINIMAL.replace("ruth-okafor", pid).replace("It's my stomach.", "It's my tummy."))
    wait_for_opening(rasa, pid, "It's my tummy. It's been cramping on and off for months.")


def test_broken_file_does_not_take_other_personas_down(rasa, personas_dir: Path, stack):
    bad = personas_dir / "zz-broken.yml"
    bad.write_text("id: zz-broken\nname: [oops\n")
    time.sleep(RESCAN_SECONDS * 2)
    try:
        good = sorted(p.stem for p in personas_dir.glob("*.yml") if p != bad)[0]
        assert not rasa.start(f"ok-{uuid.uuid4().hex[:6]}", good).startswith("[SP Trainer]")
        refused = rasa.start(f"bad-{uuid.uuid4().hex[:6]}", "zz-broken")
        assert "no patient with the id 'zz-broken'" in refused
        log = (stack.run_dir / "rasa.log").read_text()
        assert "zz-broken.yml:3:1: YAML syntax error" in log
    finally:
        bad.unlink()
