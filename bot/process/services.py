"""Local PostgreSQL, Redis and nginx for the scaled profile, each in a folder of its own.

These are the existing engines the scaled profile stands on (tracker store, lock store,
sticky proxy); this module only starts and stops private instances of them on loopback
ports, for `make run PROFILE=scaled` and the tests. On several machines the same roles
are played by managed servers (docs/deploy.md).
"""
from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from bot.settings import settings


class ServiceError(RuntimeError):
    pass


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path:
        return path
    raise ServiceError(f"PostgreSQL's {name} not found: apt-get install postgresql (or run `make services`)")


def require(binary: str, package: str) -> str:
    path = shutil.which(binary) or (f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None)
    if not path:
        raise ServiceError(f"{binary} not found: apt-get install {package} (or run `make services`)")
    return path


def wait_port(port: int, timeout: float, name: str, proc: Optional[subprocess.Popen] = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServiceError(f"{name} exited with code {proc.returncode} during start-up")
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise ServiceError(f"{name} did not listen on port {port} within {timeout:.0f} s")


def _stop(proc: Optional[subprocess.Popen], sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@dataclass
class Postgres:
    """A private PostgreSQL cluster in ``data_dir``, run as the ``postgres`` system user
    (PostgreSQL refuses to run as root)."""

    data_dir: Path
    port: int
    user: str = "sptrainer"
    password: str = field(default_factory=lambda: settings().pg_password or secrets.token_urlsafe(16))
    database: str = "rasa"
    proc: Optional[subprocess.Popen] = None
    ephemeral: bool = False  # relocated temp cluster, removed on stop

    def _as_postgres(self) -> List[str]:
        if os.geteuid() != 0:
            return []
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise ServiceError("the 'postgres' system user is missing: apt-get install postgresql") from None
        return ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}"

    def _reachable_by_postgres(self, path: Path) -> bool:
        """Every parent must be traversable by others: postgres is not root."""
        for parent in path.resolve().parents:
            if parent.exists() and not parent.stat().st_mode & 0o001:
                return False
        return True

    def start(self) -> "Postgres":
        if os.geteuid() == 0 and not self._reachable_by_postgres(self.data_dir):
            # e.g. pytest's 0700 temp folders: keep the cluster where postgres can reach it
            safe_root = Path(tempfile.gettempdir()) / "sptrainer-pg"
            safe_root.mkdir(mode=0o755, exist_ok=True)
            os.chmod(safe_root, 0o755)
            self.data_dir = safe_root / f"{self.data_dir.parent.name}-{self.port}"
            self.ephemeral = True
        fresh = not (self.data_dir / "PG_VERSION").exists()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data_dir, "postgres", "postgres")
            os.chmod(self.data_dir, 0o700)
        if fresh:
            pwdir = Path(tempfile.mkdtemp(prefix="sptrainer-pgpw-"))
            pwfile = pwdir / "pw"
            pwfile.write_text(self.password + "\n")
            if os.geteuid() == 0:
                shutil.chown(pwdir, "postgres", "postgres")
                shutil.chown(pwfile, "postgres", "postgres")
            subprocess.run(self._as_postgres() + [_pg_bin("initdb"), "-D", str(self.data_dir), "-U", self.user,
                                                  "--pwfile", str(pwfile), "-A", "scram-sha-256", "-E", "UTF8"],
                           check=True, stdout=subprocess.DEVNULL)
            shutil.rmtree(pwdir, ignore_errors=True)
        self.proc = subprocess.Popen(
            self._as_postgres() + [_pg_bin("postgres"), "-D", str(self.data_dir), "-p", str(self.port),
                                   "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.data_dir}",
                                   "-c", "fsync=on", "-c", "max_connections=200"],
            stdout=subprocess.DEVNULL, stderr=open(self.data_dir.parent / f"{self.data_dir.name}.log", "ab"),
            start_new_session=True)
        wait_port(self.port, 60, "PostgreSQL", self.proc)
        if fresh:
            self._create_database()
        return self

    def _create_database(self) -> None:
        import sqlalchemy

        engine = sqlalchemy.create_engine(f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/postgres",
                                          isolation_level="AUTOCOMMIT")
        deadline = time.monotonic() + 30
        while True:
            try:
                with engine.connect() as conn:
                    exists = conn.execute(sqlalchemy.text("SELECT 1 FROM pg_database WHERE datname = :d"),
                                          {"d": self.database}).first()
                    if not exists:
                        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{self.database}"'))
                break
            except sqlalchemy.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        engine.dispose()

    def stop(self) -> None:
        _stop(self.proc, signal.SIGINT)  # fast shutdown
        if self.ephemeral:
            shutil.rmtree(self.data_dir, ignore_errors=True)


@dataclass
class Redis:
    port: int
    data_dir: Path
    proc: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "Redis":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen([require("redis-server", "redis-server"), "--port", str(self.port),
                                      "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                      "--dir", str(self.data_dir)],
                                     stdout=open(self.data_dir / "redis.log", "ab"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        wait_port(self.port, 30, "Redis", self.proc)
        return self

    def stop(self) -> None:
        _stop(self.proc)


NGINX_CONF = """\
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {run}/body; proxy_temp_path {run}/proxy; fastcgi_temp_path {run}/fastcgi;
  uwsgi_temp_path {run}/uwsgi; scgi_temp_path {run}/scgi;
  client_max_body_size 256k;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  # REST turns may go to any server: the tracker lives in PostgreSQL and Redis locks
  # each conversation, so consecutive turns on different servers stay in order.
  upstream rasa_any {{ {servers} }}
  # Socket.IO needs every request of one session on one server: the client names its
  # conversation in the query (?session=...), and the hash keeps it there.
  upstream rasa_sticky {{ hash $arg_session consistent; {servers} }}
  server {{
    listen 127.0.0.1:{port};
    location /socket.io/ {{
      proxy_pass http://rasa_sticky;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_read_timeout 120s;
    }}
    location / {{
      proxy_pass http://rasa_any;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
    }}
  }}
}}
"""


@dataclass
class Nginx:
    port: int
    backends: List[int]
    run_dir: Path
    proc: Optional[subprocess.Popen] = None

    def start(self) -> "Nginx":
        self.run_dir.mkdir(parents=True, exist_ok=True)
        servers = " ".join(f"server 127.0.0.1:{p} max_fails=0;" for p in self.backends)
        conf = self.run_dir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(run=self.run_dir, servers=servers, port=self.port))
        self.proc = subprocess.Popen([require("nginx", "nginx"), "-c", str(conf), "-p", str(self.run_dir),
                                      "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                     stderr=open(self.run_dir / "nginx.log", "ab"), start_new_session=True)
        wait_port(self.port, 20, "nginx", self.proc)
        return self

    def stop(self) -> None:
        _stop(self.proc, signal.SIGQUIT)


def missing_packages() -> List[str]:
    checks = {"postgresql": lambda: _pg_bin("initdb"), "redis-server": lambda: require("redis-server", "redis-server"),
              "nginx": lambda: require("nginx", "nginx")}
    missing = []
    for package, check in checks.items():
        try:
            check()
        except ServiceError:
            missing.append(package)
    return missing
