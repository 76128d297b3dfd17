"""The web app's own SQLite database (users, sessions, conversation records, score
overrides, students' reflections and assessors' answers) with a tiny versioned migration
mechanism.

The database is ``$SPTRAINER_APP_DB``, else ``app.db`` in ``$SPTRAINER_VAR_DIR``, else
``var/app.db`` at the repository root. Conversations themselves (every event) live in
Rasa's tracker store; this database only records who started which conversation.

Migrations: ``schema_version`` holds one row with the version applied; ``MIGRATIONS`` is an
ordered list of steps, each applied once, in order, in its own transaction. Append a step to
change the schema; never edit a step that has shipped.
"""
from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Sequence, Tuple, Union

from bot.settings import settings

Step = Union[str, Callable[[sqlite3.Connection], None]]

def _rekey_names(conn: sqlite3.Connection) -> None:
    """Step 3: name keys become NFKC + casefold (bot.accounts.users.name_key), so every
    spelling of a name signs in, and is throttled, as one. A name whose new key another row of
    the same kind already holds keeps its old key (logged), rather than merging two people."""
    import logging

    from bot.accounts.users import name_key

    rows = conn.execute("SELECT id, name, name_key, role FROM users ORDER BY id").fetchall()
    for row in rows:
        user_id, name, old, role = row[0], row[1], row[2], row[3]
        new = name_key(name)
        if new == old:
            continue
        kind = "role = 'student'" if role == "student" else "role != 'student'"
        clash = conn.execute(f"SELECT id FROM users WHERE name_key = ? AND {kind} AND id != ?", (new, user_id)).fetchone()
        if clash:
            logging.getLogger(__name__).warning("user %s keeps name key %r: %r is taken by user %s",
                                                user_id, old, new, clash[0])
            continue
        conn.execute("UPDATE users SET name_key = ? WHERE id = ?", (new, user_id))


MIGRATIONS: List[Tuple[int, str, Step]] = [
    (1, "users, sessions, conversations, reports, overrides", """
        CREATE TABLE users (
            id            INTEGER PRIMARY KEY,
            name          TEXT NOT NULL,
            name_key      TEXT NOT NULL,
            role          TEXT NOT NULL CHECK (role IN ('student', 'assessor', 'educator')),
            password_hash TEXT,
            created_at    REAL NOT NULL,
            CHECK ((role = 'student') = (password_hash IS NULL))
        );
        CREATE UNIQUE INDEX users_student_name ON users(name_key) WHERE role = 'student';
        CREATE UNIQUE INDEX users_staff_name ON users(name_key) WHERE role != 'student';

        CREATE TABLE sessions (
            id_hash    TEXT PRIMARY KEY,
            user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at REAL NOT NULL,
            expires_at REAL NOT NULL
        );
        CREATE INDEX sessions_user ON sessions(user_id);

        CREATE TABLE conversations (
            id         TEXT PRIMARY KEY,
            user_id    INTEGER NOT NULL REFERENCES users(id),
            persona_id TEXT NOT NULL,
            created_at REAL NOT NULL,
            ended_at   REAL
        );
        CREATE INDEX conversations_user ON conversations(user_id, created_at);

        CREATE TABLE reports (
            conversation_id TEXT PRIMARY KEY,
            fingerprint     TEXT NOT NULL,
            persona_id      TEXT,
            started_at      REAL,
            turns           INTEGER NOT NULL,
            learner_turns   INTEGER NOT NULL,
            report_json     TEXT,
            overall         REAL,
            error           TEXT,
            scored_at       REAL NOT NULL
        );

        CREATE TABLE overrides (
            id              INTEGER PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            domain_id       TEXT NOT NULL,
            original_score  REAL,
            new_score       REAL NOT NULL CHECK (new_score >= 0 AND new_score <= 5),
            comment         TEXT NOT NULL,
            user_id         INTEGER NOT NULL REFERENCES users(id),
            created_at      REAL NOT NULL
        );
        CREATE INDEX overrides_conversation ON overrides(conversation_id, domain_id, id);
    """),
    (2, "reflections and assessors' answers (docs/web.md)", """
        CREATE TABLE reflections (
            id              INTEGER PRIMARY KEY,
            conversation_id TEXT NOT NULL REFERENCES conversations(id),
            went_well       TEXT NOT NULL,
            listen_more     TEXT NOT NULL,
            differently     TEXT NOT NULL,
            user_id         INTEGER NOT NULL REFERENCES users(id),
            created_at      REAL NOT NULL
        );
        CREATE INDEX reflections_conversation ON reflections(conversation_id, id);

        CREATE TABLE reflection_answers (
            id              INTEGER PRIMARY KEY,
            conversation_id TEXT NOT NULL REFERENCES conversations(id),
            reflection_id   INTEGER NOT NULL REFERENCES reflections(id),
            body            TEXT NOT NULL,
            user_id         INTEGER NOT NULL REFERENCES users(id),
            created_at      REAL NOT NULL
        );
        CREATE INDEX reflection_answers_conversation ON reflection_answers(conversation_id, id);
    """),
    (3, "name keys are NFKC + casefold (docs/security.md, F3)", _rekey_names),
    (4, "a report's problem has a kind (bot.web.service.ProblemKind); cached problems are re-scored", """
        ALTER TABLE reports ADD COLUMN error_kind TEXT;
        DELETE FROM reports WHERE report_json IS NULL;
    """),
    (5, "cohorts with hashed access codes; a session remembers the cohort that opened it", """
        CREATE TABLE cohorts (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL,
            name_key   TEXT NOT NULL,
            code_hash  TEXT NOT NULL UNIQUE,
            created_by INTEGER REFERENCES users(id),
            created_at REAL NOT NULL,
            revoked_at REAL
        );
        CREATE UNIQUE INDEX cohorts_active_name ON cohorts(name_key) WHERE revoked_at IS NULL;

        CREATE TABLE cohort_members (
            cohort_id INTEGER NOT NULL REFERENCES cohorts(id),
            user_id   INTEGER NOT NULL REFERENCES users(id),
            joined_at REAL NOT NULL,
            PRIMARY KEY (cohort_id, user_id)
        );
        CREATE INDEX cohort_members_user ON cohort_members(user_id);

        ALTER TABLE sessions ADD COLUMN cohort_id INTEGER REFERENCES cohorts(id);
        CREATE INDEX sessions_cohort ON sessions(cohort_id);
    """),
]


def app_db_path() -> Path:
    return settings().app_db


def schema_version(conn: sqlite3.Connection) -> int:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: sqlite3.Connection, steps: Sequence[Tuple[int, str, Step]] = MIGRATIONS) -> int:
    """Apply the steps newer than the database, in order; returns the version reached.

    Each step and its version bump commit together, so a failed step leaves the database
    at the previous version. A database newer than the code is refused.
    """
    versions = [v for v, _, _ in steps]
    if versions != sorted(versions) or len(set(versions)) != len(versions) or (versions and versions[0] < 1):
        raise ValueError(f"migration versions must be unique, ascending and >= 1: {versions}")
    conn.isolation_level = None  # explicit transactions below
    current = schema_version(conn)
    latest = versions[-1] if versions else 0
    if current > latest:
        raise RuntimeError(f"app database schema version {current} is newer than this code ({latest}); "
                           "upgrade SP Trainer")
    for version, _desc, step in steps:
        if version <= current:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(conn) >= version:  # another process got there first
                conn.execute("ROLLBACK")
                continue
            if callable(step):
                step(conn)
            else:
                for statement in _statements(step):
                    conn.execute(statement)
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        current = version
    return current


def _statements(script: str) -> List[str]:
    """Split a script into statements at semicolons that end a complete statement."""
    out, buf = [], ""
    for piece in script.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \t\r\n;"):
                out.append(buf.strip())
            buf = ""
    if buf.strip(" \t\r\n;"):
        out.append(buf.strip())
    return out


class DatabaseDamaged(RuntimeError):
    """The app database cannot be read or fails SQLite's integrity check."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"the app database {path} is damaged ({detail}); restore it from a backup, "
                         "or move it away to start with an empty one")
        self.path = path
        self.detail = detail


class AppDB:
    """Short-lived connections to the app database; safe to use from worker threads."""

    def __init__(self, path: Optional[Path] = None) -> None:
        self.path = Path(path) if path else app_db_path()
        self._migrated = False

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
        return conn

    def check(self) -> None:
        """Raise DatabaseDamaged unless SQLite's quick_check finds the file sound."""
        try:
            conn = self._connect()
            try:
                rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise DatabaseDamaged(self.path, str(exc)) from None
        if rows != ["ok"]:
            raise DatabaseDamaged(self.path, "; ".join(str(r) for r in rows))

    def ensure_schema(self) -> int:
        try:
            return self._ensure_schema()
        except sqlite3.DatabaseError as exc:
            raise DatabaseDamaged(self.path, str(exc)) from None

    def _ensure_schema(self) -> int:
        conn = self._connect()
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            version = migrate(conn)
        finally:
            conn.close()
        try:
            os.chmod(self.path, 0o600)
        except OSError:
            pass
        self._migrated = True
        return version

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in a transaction: committed on success, rolled back on error."""
        if not self._migrated:
            self.ensure_schema()
        conn = self._connect()
        try:
            with conn:
                yield conn
        finally:
            conn.close()


def now() -> float:
    return time.time()
