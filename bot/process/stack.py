"""Start and stop the whole stack: the Rasa server (REST + Socket.IO) and the web app.

Used by ``make run`` and by the tests, so what the tests exercise is what students get.
No action server is started: patient replies come from the in-process NLG (bot/plugins/nlg.py).
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from bot.process.training import ROOT, ensure_model
from bot.settings import settings

DEFAULT_RASA_PORT = 5005
DEFAULT_WEB_PORT = 8080


def write_endpoints(run_dir: Path, tracker_db: Optional[Path] = None, extra: Optional[dict] = None) -> Path:
    """An endpoints file for this run: persona NLG plus a SQLite tracker store in run_dir."""
    run_dir.mkdir(parents=True, exist_ok=True)
    db = tracker_db or run_dir / "tracker.db"
    config = {
        "nlg": {"type": "bot.plugins.nlg.PersonaNLG"},
        "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(db)},
    }
    config.update(extra or {})
    path = run_dir / "endpoints.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def wait_http(url: str, proc: subprocess.Popen, timeout: float, name: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with code {proc.returncode} during start-up")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{name} did not answer {url} within {timeout:.0f} s")


@dataclass
class Stack:
    """A running Rasa server and web app on loopback ports."""

    rasa_port: int = DEFAULT_RASA_PORT
    web_port: Optional[int] = DEFAULT_WEB_PORT
    run_dir: Path = ROOT / "var"
    personas_dir: Optional[Path] = None
    interface: str = "127.0.0.1"
    token: str = field(default_factory=lambda: settings().rasa_token or secrets.token_urlsafe(24))
    # Shared by Rasa (checks) and the web app (issues): web conversations need their token.
    socket_key: str = field(default_factory=lambda: settings().socket_jwt_key or secrets.token_urlsafe(32))
    log_to_files: bool = False
    endpoints: Optional[Path] = None
    procs: Dict[str, subprocess.Popen] = field(default_factory=dict)
    model: Optional[Path] = None
    extra_env: Dict[str, str] = field(default_factory=dict)  # e.g. SPTRAINER_APP_DB for the web app

    def __post_init__(self) -> None:
        # A key given for the child processes is the one this Stack issues tokens with.
        self.socket_key = self.extra_env.get("SPTRAINER_SOCKET_JWT_KEY") or self.socket_key

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(TF_CPP_MIN_LOG_LEVEL="2", PYTHONWARNINGS="ignore", SPTRAINER_RASA_TOKEN=self.token,
                   SPTRAINER_SOCKET_JWT_KEY=self.socket_key,
                   SPTRAINER_RASA_URL=self.rasa_url, SPTRAINER_VAR_DIR=str(self.run_dir))
        if self.personas_dir:
            env["SPTRAINER_PERSONAS_DIR"] = str(self.personas_dir)
        if settings().allowed_origins is None:
            env["SPTRAINER_ALLOWED_ORIGINS"] = ",".join(self.web_origins())
        env.update(self.extra_env)
        return env

    def web_origins(self) -> List[str]:
        """Where browsers load the web app from: the only origins Rasa and Socket.IO accept."""
        if not self.web_port:
            return []
        hosts = ["127.0.0.1", "localhost"]
        if self.interface not in ("127.0.0.1", "0.0.0.0", "::", "localhost"):
            hosts.append(self.interface)
        return [f"http://{h}:{self.web_port}" for h in hosts]

    def _spawn(self, name: str, cmd: List[str]) -> subprocess.Popen:
        out = None
        if self.log_to_files:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.run_dir / f"{name}.log", "ab")
        # umask 077: the tracker store, app database and key files they create are the owner's alone.
        proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT if out else None,
                                start_new_session=True, umask=0o077)
        self.procs[name] = proc
        return proc

    def start_rasa(self, model: Path, name: str = "rasa", port: Optional[int] = None,
                   timeout: float = 180.0) -> subprocess.Popen:
        """One Rasa server; several may share one endpoints file (scaled profile)."""
        self.model = model
        endpoints = self.endpoints or write_endpoints(self.run_dir)
        self.endpoints = endpoints
        port = port or self.rasa_port
        # The HTTP API token goes through the environment (SPTRAINER_RASA_TOKEN, see env()):
        # bot.process.rasa_server hands it to Rasa so it never shows in ps / /proc/<pid>/cmdline.
        proc = self._spawn(name, [
            sys.executable, "-m", "bot.process.rasa_server", "run", "--model", str(model), "--endpoints", str(endpoints),
            "--credentials", str(ROOT / "credentials.yml"), "--port", str(port),
            "--interface", self.interface, "--enable-api",
            # No --cors: Rasa's HTTP API and REST channel send no CORS headers, so no other
            # origin's page can read them; the Socket.IO channel answers CORS itself for the
            # web app's origins (SPTRAINER_ALLOWED_ORIGINS). Both at once sent the header twice,
            # which browsers refuse.
        ])
        wait_http(f"http://127.0.0.1:{port}/", proc, timeout, f"Rasa server {name}")
        return proc

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Stop one process abruptly (durability tests)."""
        proc = self.procs.pop(name)
        os.killpg(proc.pid, sig)
        proc.wait()

    def restart_web(self, timeout: float = 60.0) -> subprocess.Popen:
        """Stop the web app as Ctrl-C would (SIGTERM) and start it again: same port, app
        database and session key (tests: what the app stores survives a restart)."""
        proc = self.procs.pop("web", None)
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        proc = self._spawn("web", [sys.executable, "-m", "bot.web", "--port", str(self.web_port),
                                   "--host", self.interface])
        wait_http(f"{self.web_url}/api/health", proc, timeout, "web app")
        return proc

    def start(self, model: Optional[Path] = None, timeout: float = 180.0) -> "Stack":
        model = model or ensure_model(quiet=True)
        try:
            self.start_rasa(model, timeout=timeout)
        except Exception:
            self.stop()
            raise
        if self.web_port:
            self._spawn("web", [sys.executable, "-m", "bot.web", "--port", str(self.web_port),
                                "--host", self.interface])
        try:
            if self.web_port:
                wait_http(f"{self.web_url}/api/health", self.procs["web"], 60, "web app")
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for _name, proc in list(self.procs.items()):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for _name, proc in list(self.procs.items()):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _student_access_hint(access: str) -> str:
    """How students get in (docs/security.md, "Student access")."""
    if access == "open":
        return "Students sign in with a name only (SPTRAINER_STUDENT_ACCESS=open: open practice).\n"
    return ("Students sign in with a name and their class's access code: create one with\n"
            "  .venv/bin/sptrainer cohort add \"Class name\"\n"
            "(or run SPTRAINER_STUDENT_ACCESS=open make run for open practice, names only).\n")


def main() -> None:
    """``make run``: start everything in the foreground; Ctrl-C stops it cleanly."""
    config = settings()
    rasa_port, web_port, interface = config.rasa_port, config.web_port, config.interface
    model = ensure_model()
    stack = Stack(rasa_port=rasa_port, web_port=web_port, interface=interface)
    stopping = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            print("\nstopping Rasa and the web app...", flush=True)
            stack.stop()
            print("stopped.", flush=True)
            sys.exit(0)

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    print(f"starting Rasa on :{rasa_port} and the web app on :{web_port} (model {model.name})...", flush=True)
    stack.start(model=model)
    print(f"\nSP Trainer is running.\n  Students:  {stack.web_url}/\n"
          f"  Assessors: {stack.web_url}/assessor/\n  Educators: {stack.web_url}/educator/\n"
          f"  Rasa REST: {stack.rasa_url}/webhooks/rest/webhook  (Socket.IO on the same port)\n"
          f"{_student_access_hint(config.student_access)}"
          "Press Ctrl-C to stop.", flush=True)
    while True:
        for name, proc in stack.procs.items():
            if proc.poll() is not None:
                print(f"{name} exited with code {proc.returncode}; stopping the rest.", flush=True)
                stack.stop()
                sys.exit(1)
        time.sleep(1)


if __name__ == "__main__":
    main()
