"""The scaled profile: PostgreSQL tracker store, Redis lock store, two Rasa servers behind
nginx with sticky Socket.IO sessions, and the web app, all on loopback.

``make run PROFILE=scaled`` runs it in the foreground; the tests use ScaledStack directly.
docs/deploy.md maps the same roles onto several machines.
"""
from __future__ import annotations

import secrets
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

import yaml

from bot.process.services import Nginx, Postgres, Redis
from bot.process.stack import Stack, wait_http
from bot.process.training import ensure_model
from bot.settings import settings


def scaled_endpoints(run_dir: Path, pg: Postgres, redis: Redis) -> Path:
    config = {
        "nlg": {"type": "bot.plugins.nlg.PersonaNLG"},
        "tracker_store": {"type": "SQL", "dialect": "postgresql", "url": "127.0.0.1", "port": pg.port,
                          "db": pg.database, "username": pg.user, "password": "${SPTRAINER_PG_PASSWORD}"},
        # Rasa's own "redis" lock store can hand one ticket to two servers (see bot/plugins/locks.py).
        "lock_store": {"type": "bot.plugins.locks.AtomicRedisLockStore", "url": "127.0.0.1", "port": redis.port, "db": 1,
                       "key_prefix": "sptrainer"},
    }
    path = run_dir / "endpoints-scaled.yml"
    run_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class ScaledStack:
    run_dir: Path
    proxy_port: int = 5005
    rasa_ports: List[int] = field(default_factory=lambda: [5006, 5007])
    pg_port: int = 5433
    redis_port: int = 6390
    web_port: Optional[int] = 8080
    personas_dir: Optional[Path] = None
    pg: Optional[Postgres] = None
    redis: Optional[Redis] = None
    nginx: Optional[Nginx] = None
    rasa: Optional[Stack] = None
    socket_key: Optional[str] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    def backend_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[index]}"

    def start(self, model: Optional[Path] = None) -> "ScaledStack":
        model = model or ensure_model(quiet=True)
        try:
            self.pg = Postgres(self.run_dir / "pg", self.pg_port).start()
            self.redis = Redis(self.redis_port, self.run_dir / "redis").start()
            endpoints = scaled_endpoints(self.run_dir, self.pg, self.redis)
            self.rasa = Stack(rasa_port=self.proxy_port, web_port=None, run_dir=self.run_dir, log_to_files=True,
                              endpoints=endpoints, personas_dir=self.personas_dir)
            # The cohort profile never runs Socket.IO open: browsers need a token from the web app.
            self.socket_key = settings().socket_jwt_key or secrets.token_urlsafe(32)
            self.rasa.socket_key = self.socket_key
            self.rasa.extra_env = {"SPTRAINER_PG_PASSWORD": self.pg.password, "SPTRAINER_TRACKER_URL": self.pg.url,
                                   "SPTRAINER_SOCKET_TOKENS": "all"}  # the key goes through Stack.env()
            self.rasa.web_port = self.web_port  # its origins are the only ones Rasa accepts
            for i, port in enumerate(self.rasa_ports):
                self.rasa.start_rasa(model, name=f"rasa{i + 1}", port=port)
            self.nginx = Nginx(self.proxy_port, self.rasa_ports, self.run_dir / "nginx").start()
            if self.web_port:
                self.rasa.web_port = self.web_port
                self.rasa._spawn("web", [sys.executable, "-m", "bot.web", "--port", str(self.web_port),
                                         "--host", "127.0.0.1"])
                wait_http(f"http://127.0.0.1:{self.web_port}/api/health", self.rasa.procs["web"], 60, "web app")
        except Exception:
            self.stop()
            raise
        return self

    def restart_rasa(self, index: int) -> None:
        assert self.rasa is not None and self.rasa.model is not None
        self.rasa.start_rasa(self.rasa.model, name=f"rasa{index + 1}", port=self.rasa_ports[index])

    def stop(self) -> None:
        for part in (self.nginx, self.rasa, self.redis, self.pg):
            if part is not None:
                part.stop()


def main() -> None:
    run_dir = settings().var_dir / "scaled"
    stack = ScaledStack(run_dir=run_dir)

    def _stop(signum: int, _frame: object) -> None:
        print("\nstopping...", flush=True)
        stack.stop()
        sys.exit(0)

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    print("starting PostgreSQL, Redis, two Rasa servers, nginx and the web app...", flush=True)
    stack.start()
    print(f"\nSP Trainer (scaled profile) is running.\n  Students: http://127.0.0.1:{stack.web_port}/\n"
          f"  Rasa via nginx: {stack.url} (servers on {stack.rasa_ports})\n"
          f"  Tracker store: PostgreSQL :{stack.pg_port}; lock store: Redis :{stack.redis_port}\n"
          "Press Ctrl-C to stop.", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
