"""``make bench``: per-turn REST latency of SP Trainer beside a plain ``rasa init`` bot.

Both bots run on this machine in the same run, on loopback ports, one at a time. Each is
driven by 1 session and then by 20 concurrent sessions, every session a sequence of turns
(a request waits for its reply before the next). Prints p50/p95, throughput and the
ratio to the ``rasa init`` floor. Nothing here asserts on time.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import aiohttp

from bot.process.stack import Stack, wait_http, write_endpoints
from bot.process.training import ROOT, ensure_model, rasa_bin

CACHE = ROOT / "var" / "bench"
INIT_DIR = CACHE / "rasa-init"

SP_SCRIPT = [
    "Hi, I'm Sam, one of the medical students.", "What brings you in today?", "When did it start?",
    "Where exactly is it?", "What does it feel like?", "How bad is it out of 10?", "Does anything make it worse?",
    "Does anything help?", "Any weight loss or fevers?", "How are things at home?", "That sounds really hard.",
    "How has your mood been?", "How are you sleeping?", "What do you think is causing it?",
    "What worries you most?", "Thanks, take care.",
]
# Only messages the `rasa init` bot answers with exactly one message ("I am sad" gets an
# image and two texts), so both bots are timed on one reply per turn.
INIT_SCRIPT = ["hello", "I am feeling great", "are you a bot?", "good morning", "I am very happy", "bye"]


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def ensure_init_bot() -> Path:
    """A bot made by `rasa init`, trained once and cached under var/bench/."""
    models = sorted((INIT_DIR / "models").glob("*.tar.gz")) if INIT_DIR.exists() else []
    if models:
        return models[-1]
    INIT_DIR.mkdir(parents=True, exist_ok=True)
    print("creating and training the `rasa init` reference bot (once; a few minutes)...", flush=True)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONWARNINGS="ignore")
    subprocess.run([rasa_bin(), "init", "--no-prompt", "--init-dir", str(INIT_DIR)], check=True, env=env,
                   cwd=INIT_DIR, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    models = sorted((INIT_DIR / "models").glob("*.tar.gz"))
    if not models:
        raise SystemExit("rasa init did not produce a model")
    return models[-1]


async def _session(http: aiohttp.ClientSession, url: str, lines: List[str], latencies: List[float],
                   errors: List[str]) -> None:
    sender = uuid.uuid4().hex
    for line in lines:
        started = time.perf_counter()
        try:
            async with http.post(url, json={"sender": sender, "message": line}) as response:
                body = await response.json()
                if response.status != 200 or not body:
                    errors.append(f"{response.status}: {body!r}"[:200])
        except Exception as exc:  # noqa: BLE001 - every failure is counted, the run goes on
            errors.append(repr(exc)[:200])
            continue
        latencies.append(time.perf_counter() - started)


async def drive(base_url: str, script_for_session: List[List[str]]) -> Dict[str, float]:
    url = f"{base_url}/webhooks/rest/webhook"
    latencies: List[float] = []
    errors: List[str] = []
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        started = time.perf_counter()
        await asyncio.gather(*(_session(http, url, lines, latencies, errors) for lines in script_for_session))
        wall = time.perf_counter() - started
    return {"p50": 1000 * percentile(latencies, 0.5), "p95": 1000 * percentile(latencies, 0.95),
            "turns": len(latencies), "errors": len(errors), "throughput": len(latencies) / wall}


def scripts(opening: List[str], body: List[str], sessions: int, turns: int) -> List[List[str]]:
    return [opening + [body[(i + j) % len(body)] for j in range(turns)] for i in range(sessions)]


async def measure(base_url: str, opening: List[str], body: List[str], turns_alone: int,
                  sessions: int, turns_each: int) -> Tuple[Dict[str, float], Dict[str, float]]:
    await drive(base_url, scripts(opening, body, 2, 5))  # warm-up
    alone = await drive(base_url, scripts(opening, body, 1, turns_alone))
    crowd = await drive(base_url, scripts(opening, body, sessions, turns_each))
    return alone, crowd


def run_init_bot(port: int, run_dir: Path) -> subprocess.Popen:
    model = ensure_init_bot()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONWARNINGS="ignore")
    run_dir.mkdir(parents=True, exist_ok=True)
    log = open(run_dir / "rasa-init.log", "wb")
    proc = subprocess.Popen([rasa_bin(), "run", "--model", str(model), "--port", str(port),
                             "--interface", "127.0.0.1"], cwd=INIT_DIR, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    wait_http(f"http://127.0.0.1:{port}/", proc, 180, "rasa init bot")
    return proc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--turns-alone", type=int, default=80)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--turns-each", type=int, default=15)
    args = ap.parse_args()
    run_dir = CACHE / "run"

    init_proc = run_init_bot(15105, run_dir)
    try:
        init_alone, init_crowd = asyncio.run(measure("http://127.0.0.1:15105", [], INIT_SCRIPT,
                                                     args.turns_alone, args.sessions, args.turns_each))
    finally:
        import signal
        os.killpg(init_proc.pid, signal.SIGTERM)
        init_proc.wait(timeout=30)

    tracker_db = run_dir / "bench-tracker.db"
    tracker_db.unlink(missing_ok=True)
    stack = Stack(rasa_port=15106, web_port=None, run_dir=run_dir, log_to_files=True,
                  endpoints=write_endpoints(run_dir, tracker_db))
    os.environ["SPTRAINER_RATE_LIMIT"] = "off"
    os.environ["SPTRAINER_ADDRESS_RATE_LIMIT"] = "off"  # every simulated student shares one address
    stack.start(model=ensure_model(quiet=True))
    try:
        start_line = ['/start_interview{"persona_id": "priya-shah"}']
        sp_alone, sp_crowd = asyncio.run(measure(stack.rasa_url, start_line, SP_SCRIPT,
                                                 args.turns_alone, args.sessions, args.turns_each))
    finally:
        stack.stop()

    def row(name: str, m: Dict[str, float]) -> str:
        return (f"  {name:34s} p50 {m['p50']:6.1f} ms   p95 {m['p95']:6.1f} ms   "
                f"{m['throughput']:6.1f} turns/s   {int(m['turns'])} turns, {int(m['errors'])} errors")

    print("\nPer-turn latency over REST (loopback, this machine, same run)")
    print(" 1 session:")
    print(row("rasa init bot (in-memory tracker)", init_alone))
    print(row("SP Trainer (SQLite tracker store)", sp_alone))
    print(f" {args.sessions} concurrent sessions:")
    print(row("rasa init bot (in-memory tracker)", init_crowd))
    print(row("SP Trainer (SQLite tracker store)", sp_crowd))
    print("\nratio SP Trainer / rasa init (targets: p50 <= 0.75x alone and <= 0.5x crowded; "
          "throughput >= 1.4x alone and >= 2x crowded):")
    print(f"  1 session:   p50 {sp_alone['p50'] / init_alone['p50']:.2f}x   p95 {sp_alone['p95'] / init_alone['p95']:.2f}x"
          f"   throughput {sp_alone['throughput'] / init_alone['throughput']:.2f}x")
    print(f"  {args.sessions} sessions: p50 {sp_crowd['p50'] / init_crowd['p50']:.2f}x   "
          f"p95 {sp_crowd['p95'] / init_crowd['p95']:.2f}x   throughput "
          f"{sp_crowd['throughput'] / init_crowd['throughput']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
