"""Users: students (a name or student id, no password) and staff (assessors, educators)
whose passwords are hashed with Argon2id (argon2-cffi)."""
from __future__ import annotations

import hashlib
import secrets
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Optional, Tuple

from bot.accounts.db import AppDB, now

ROLES = ("student", "assessor", "educator")
STAFF_ROLES = ("assessor", "educator")
MAX_NAME = 80
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
SESSION_SECONDS = 8 * 3600


class AccountError(ValueError):
    """A refused account operation; the message is safe to show the user."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def public(self) -> dict:
        return {"id": self.id, "name": self.name, "role": self.role}


@lru_cache(maxsize=1)
def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def normalize_name(raw: object) -> str:
    """Trimmed, inner whitespace collapsed, NFC; refuses empty, over-long or control characters."""
    if not isinstance(raw, str):
        raise AccountError("a name is required")
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise AccountError("a name is required")
    if len(name) > MAX_NAME:
        raise AccountError(f"names are at most {MAX_NAME} characters")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise AccountError("names may not contain control characters")
    return name


def name_key(name: str) -> str:
    """The one key a name is found and throttled by: NFKC, whitespace collapsed, casefolded
    (" Dr Ada", "dr\tada", "Dr\u00a0Ada", "Dr\u3000Ada" and fullwidth letters are one name)."""
    folded = " ".join(unicodedata.normalize("NFKC", str(name)).split()).casefold()
    return unicodedata.normalize("NFKC", folded)


def login_key(raw: object) -> str:
    """name_key of whatever a sign-in form sent (also for names that would be refused)."""
    return name_key(raw if isinstance(raw, str) else "")[:MAX_NAME * 2]


def verify_password(hashed: Optional[str], password: str) -> bool:
    """Argon2id verification; against a dummy hash when there is no account (same cost)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        _hasher().verify(hashed or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return hashed is not None


def hash_password(password: str) -> str:
    check_password_policy(password)
    return _hasher().hash(password)


def check_password_policy(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError(f"passwords must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"passwords must be at most {MAX_PASSWORD} characters")


def _user(row: sqlite3.Row) -> User:
    return User(int(row["id"]), row["name"], row["role"])


class Users:
    def __init__(self, db: AppDB) -> None:
        self.db = db

    def add_staff(self, name: str, role: str, password: str, replace: bool = False) -> User:
        if role not in STAFF_ROLES:
            raise AccountError(f"role must be one of {', '.join(STAFF_ROLES)}")
        name = normalize_name(name)
        hashed = hash_password(password)
        with self.db.connect() as conn:
            row = conn.execute("SELECT * FROM users WHERE name_key = ? AND role != 'student'",
                               (name_key(name),)).fetchone()
            if row and not replace:
                raise AccountError(f"user {row['name']!r} already exists (role {row['role']}); "
                                   "use --replace to set a new password and role")
            if row:
                conn.execute("UPDATE users SET role = ?, password_hash = ? WHERE id = ?", (role, hashed, row["id"]))
                conn.execute("DELETE FROM sessions WHERE user_id = ?", (row["id"],))
                return User(int(row["id"]), row["name"], role)
            cur = conn.execute("INSERT INTO users (name, name_key, role, password_hash, created_at) "
                               "VALUES (?, ?, ?, ?, ?)", (name, name_key(name), role, hashed, now()))
            return User(int(cur.lastrowid or 0), name, role)

    def remove_staff(self, name: str) -> bool:
        with self.db.connect() as conn:
            row = conn.execute("SELECT id FROM users WHERE name_key = ? AND role != 'student'",
                               (name_key(normalize_name(name)),)).fetchone()
            if not row:
                return False
            conn.execute("DELETE FROM sessions WHERE user_id = ?", (row["id"],))
            # Keep the row's overrides attributable: disable the account instead of deleting it.
            conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", ("!disabled", row["id"]))
            return True

    def list(self) -> List[dict]:
        with self.db.connect() as conn:
            rows = conn.execute("SELECT id, name, role, created_at, password_hash = '!disabled' AS disabled "
                                "FROM users WHERE role != 'student' ORDER BY name_key").fetchall()
        return [dict(r) for r in rows]

    def student(self, raw_name: str) -> User:
        """The student with this name or id, created on first sign-in."""
        name = normalize_name(raw_name)
        key = name_key(name)
        with self.db.connect() as conn:
            row = conn.execute("SELECT * FROM users WHERE name_key = ? AND role = 'student'", (key,)).fetchone()
            if row:
                return _user(row)
            try:
                cur = conn.execute("INSERT INTO users (name, name_key, role, created_at) VALUES (?, ?, 'student', ?)",
                                   (name, key, now()))
                return User(int(cur.lastrowid or 0), name, "student")
            except sqlite3.IntegrityError:  # created concurrently
                pass
        with self.db.connect() as conn:
            row = conn.execute("SELECT * FROM users WHERE name_key = ? AND role = 'student'", (key,)).fetchone()
            return _user(row)

    def authenticate(self, raw_name: str, password: str) -> Optional[User]:
        """The staff user if the password matches; spends the same time on unknown names.

        In one call; the web app runs the three steps itself so the hash never occupies a
        database thread (``staff_candidate``, ``verify_password``, ``rehash_if_needed``)."""
        candidate = self.staff_candidate(raw_name, password)
        if candidate is None:
            return None
        user, hashed = candidate
        if not verify_password(hashed, password) or user is None or hashed is None:
            return None
        self.rehash_if_needed(user, hashed, password)
        return user

    def staff_candidate(self, raw_name: object, password: object) -> Optional[Tuple[Optional[User], Optional[str]]]:
        """(user, hash) to check the password against, None when the request is not worth a
        hash (no name, no password); an unknown or disabled name gives (None, None), which
        still costs a dummy hash in verify_password so timing does not reveal names."""
        try:
            name = normalize_name(raw_name)
        except AccountError:
            return None
        if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD:
            return None
        with self.db.connect() as conn:
            row = conn.execute("SELECT * FROM users WHERE name_key = ? AND role != 'student'",
                               (name_key(name),)).fetchone()
        if not row or row["password_hash"] in (None, "!disabled"):
            return None, None
        return _user(row), row["password_hash"]

    def rehash_if_needed(self, user: User, hashed: str, password: str) -> None:
        if _hasher().check_needs_rehash(hashed):
            new_hash = _hasher().hash(password)
            with self.db.connect() as conn:
                conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (new_hash, user.id))

    def get(self, user_id: int) -> Optional[User]:
        with self.db.connect() as conn:
            row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        return _user(row) if row else None


def _session_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Sessions:
    """Server-side sign-in records; the (encrypted) cookie holds only a random token.

    Signing out or removing a user ends the session everywhere, which a cookie alone cannot do.
    """

    def __init__(self, db: AppDB, lifetime: float = SESSION_SECONDS) -> None:
        self.db = db
        self.lifetime = lifetime

    def create(self, user: User, cohort_id: Optional[int] = None) -> str:
        """A new session; ``cohort_id`` is the cohort whose access code opened it (revoking the
        cohort ends the session)."""
        token = secrets.token_urlsafe(32)
        t = now()
        with self.db.connect() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at < ?", (t,))
            conn.execute("INSERT INTO sessions (id_hash, user_id, created_at, expires_at, cohort_id) "
                         "VALUES (?, ?, ?, ?, ?)", (_session_hash(token), user.id, t, t + self.lifetime, cohort_id))
        return token

    def user(self, token: object, students_need_cohort: bool = False) -> Optional[User]:
        """The session's user while it lasts. A session opened by a since revoked cohort is over;
        with ``students_need_cohort`` (access codes on), so is a student's session no code opened."""
        if not isinstance(token, str) or not token:
            return None
        with self.db.connect() as conn:
            row = conn.execute("SELECT u.id, u.name, u.role, u.password_hash, s.cohort_id, c.revoked_at "
                               "FROM sessions s JOIN users u ON u.id = s.user_id "
                               "LEFT JOIN cohorts c ON c.id = s.cohort_id "
                               "WHERE s.id_hash = ? AND s.expires_at > ?",
                               (_session_hash(token), now())).fetchone()
        if not row or row["password_hash"] == "!disabled" or row["revoked_at"] is not None:
            return None
        if students_need_cohort and row["role"] == "student" and row["cohort_id"] is None:
            return None
        return _user(row)

    def end(self, token: object) -> None:
        if isinstance(token, str) and token:
            with self.db.connect() as conn:
                conn.execute("DELETE FROM sessions WHERE id_hash = ?", (_session_hash(token),))
