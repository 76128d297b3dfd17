"""Cohorts: a class of students and the access code they sign in with.

An educator creates a cohort (``sptrainer cohort add`` or the educator API) and hands its
code to the class; a student signs in with a name and that code. Codes are random (10
characters from an alphabet without look-alikes, about 50 bits), shown once, and stored only
as their SHA-256: a copy of the database gives no one a working code. Revoking a cohort ends
the sessions its code opened and refuses the code from then on. docs/security.md has the
threat model.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from bot.accounts.db import AppDB
from bot.accounts.users import AccountError, name_key, normalize_name

#: No 0/O, 1/I/L: codes are read aloud and typed from a board.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MAX_CODE_INPUT = 64


def now() -> float:
    return time.time()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_code(raw: object) -> str:
    """The code as typed, without case, spaces or dashes ("abcde fghjk" = "ABCDE-FGHJK")."""
    if not isinstance(raw, str) or not raw.strip():
        raise AccountError("type your class's access code (your educator has it)")
    if len(raw) > MAX_CODE_INPUT:
        raise AccountError(f"an access code is at most {MAX_CODE_INPUT} characters")
    return re.sub(r"[\s\-]+", "", raw).upper()


def code_hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Cohort:
    id: int
    name: str
    created_at: float
    revoked_at: Optional[float]
    students: int = 0

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def public(self) -> Dict[str, object]:
        return {"id": self.id, "name": self.name, "created_at": self.created_at,
                "revoked_at": self.revoked_at, "active": self.active, "students": self.students}


def _cohort(row: sqlite3.Row, students: int = 0) -> Cohort:
    return Cohort(int(row["id"]), row["name"], float(row["created_at"]),
                  float(row["revoked_at"]) if row["revoked_at"] is not None else None, students)


class Cohorts:
    def __init__(self, db: AppDB) -> None:
        self.db = db

    def add(self, raw_name: object, created_by: Optional[int] = None) -> Tuple[Cohort, str]:
        """A new cohort and its access code (the only time the code is seen in clear)."""
        name = normalize_name(raw_name)
        code = new_code()
        t = now()
        with self.db.connect() as conn:
            if conn.execute("SELECT 1 FROM cohorts WHERE name_key = ? AND revoked_at IS NULL",
                            (name_key(name),)).fetchone():
                raise AccountError(f"there is already an active cohort called {name!r}")
            cur = conn.execute("INSERT INTO cohorts (name, name_key, code_hash, created_by, created_at) "
                               "VALUES (?, ?, ?, ?, ?)", (name, name_key(name), code_hash(code), created_by, t))
            cohort_id = int(cur.lastrowid or 0)
        return Cohort(cohort_id, name, t, None), code

    def list(self) -> List[Cohort]:
        with self.db.connect() as conn:
            rows = conn.execute("SELECT c.*, (SELECT COUNT(*) FROM cohort_members m WHERE m.cohort_id = c.id) AS n "
                                "FROM cohorts c ORDER BY c.revoked_at IS NOT NULL, c.name_key, c.id").fetchall()
        return [_cohort(r, int(r["n"])) for r in rows]

    def find(self, ref: object) -> Optional[Cohort]:
        """A cohort by id (``12`` or ``#12``) or by the name of an active one."""
        text = str(ref).strip().lstrip("#")
        with self.db.connect() as conn:
            if text.isdigit():
                row = conn.execute("SELECT * FROM cohorts WHERE id = ?", (int(text),)).fetchone()
            else:
                row = conn.execute("SELECT * FROM cohorts WHERE name_key = ? AND revoked_at IS NULL",
                                   (name_key(normalize_name(text)),)).fetchone()
        return _cohort(row) if row else None

    def by_code(self, raw_code: object) -> Optional[Cohort]:
        """The active cohort whose code this is, else None (the lookup is by hash)."""
        with self.db.connect() as conn:
            row = conn.execute("SELECT * FROM cohorts WHERE code_hash = ? AND revoked_at IS NULL",
                               (code_hash(normalize_code(raw_code)),)).fetchone()
        return _cohort(row) if row else None

    def join(self, cohort: Cohort, user_id: int) -> None:
        with self.db.connect() as conn:
            conn.execute("INSERT OR IGNORE INTO cohort_members (cohort_id, user_id, joined_at) VALUES (?, ?, ?)",
                         (cohort.id, user_id, now()))

    def revoke(self, cohort_id: int) -> int:
        """Refuse the cohort's code from now on and end every session it opened; returns how
        many sessions ended. Its students' interviews and records stay."""
        with self.db.connect() as conn:
            conn.execute("UPDATE cohorts SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (now(), cohort_id))
            cur = conn.execute("DELETE FROM sessions WHERE cohort_id = ?", (cohort_id,))
            return int(cur.rowcount or 0)
