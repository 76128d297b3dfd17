"""Students' reflections on an interview and assessors' answers.

A reflection has three short parts (what went well; a moment the student could have
listened more; what they would do differently). Every save by the student is a new row
(``reflections``, append-only): the latest is the reflection, earlier rows keep what an
answer was written about. Answers (``reflection_answers``) are append-only too, each
recording the assessor, the time and the version of the reflection it answers.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Mapping, Optional

from bot.accounts.db import AppDB, now
from bot.accounts.users import User

#: The three parts, in order: (key, label, the prompt shown to the student).
FIELDS = (
    ("went_well", "What went well", "What went well in this interview?"),
    ("listen_more", "A moment I could have listened more",
     "A moment where you could have listened more: what did the patient say, and what happened next?"),
    ("differently", "What I would do differently", "What would you do differently next time?"),
)
FIELD_KEYS = tuple(k for k, _, _ in FIELDS)
#: Characters per part of a reflection ("short") and per answer.
MAX_FIELD = 1500
MAX_ANSWER = 2000
#: Saves per conversation (each save is kept), so the table cannot be flooded.
MAX_REVISIONS = 50

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ReflectionError(ValueError):
    """A refused reflection or answer; the message is safe to show the user."""

    def __init__(self, message: str, field: Optional[str] = None, status: int = 400) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


def clean_text(raw: object, label: str, limit: int, field: Optional[str] = None) -> str:
    """Trimmed text with Unix line ends; refuses non-text, control characters and over-long text."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ReflectionError(f"{label} must be text", field)
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if _CONTROL.search(text):
        raise ReflectionError(f"{label} may not contain control characters", field)
    if len(text) > limit:
        raise ReflectionError(f"{label} is {len(text)} characters long; the limit is {limit}. "
                              "Please shorten it.", field)
    return text


def clean_reflection(data: Mapping[str, Any]) -> Dict[str, str]:
    """The three parts, validated; at least one must be written."""
    unknown = sorted(k for k in data if k not in FIELD_KEYS)
    if unknown:
        raise ReflectionError(f"unknown part(s): {', '.join(unknown)[:200]}; use {', '.join(FIELD_KEYS)}")
    out = {key: clean_text(data.get(key), f"\u201c{label}\u201d", MAX_FIELD, key) for key, label, _ in FIELDS}
    if not any(out.values()):
        raise ReflectionError("write at least one of the three parts before saving", FIELD_KEYS[0])
    return out


def clean_answer(raw: object) -> str:
    text = clean_text(raw, "The answer", MAX_ANSWER, "text")
    if not text:
        raise ReflectionError("write an answer before sending it", "text")
    return text


class Reflections:
    def __init__(self, db: AppDB) -> None:
        self.db = db

    def save(self, cid: str, user: User, data: Mapping[str, Any]) -> Dict[str, Any]:
        """A new version of the reflection on ``cid`` by its owner (an unchanged text is not saved again)."""
        parts = clean_reflection(data)
        with self.db.connect() as conn:
            latest = conn.execute("SELECT * FROM reflections WHERE conversation_id = ? ORDER BY id DESC LIMIT 1",
                                  (cid,)).fetchone()
            if latest is not None and all(latest[k] == parts[k] for k in FIELD_KEYS):
                return self.thread(cid)["reflection"]
            count = conn.execute("SELECT COUNT(*) FROM reflections WHERE conversation_id = ?", (cid,)).fetchone()[0]
            if count >= MAX_REVISIONS:
                raise ReflectionError(f"this reflection has been saved {count} times, the most allowed", status=409)
            conn.execute("INSERT INTO reflections (conversation_id, went_well, listen_more, differently, user_id, "
                         "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                         (cid, parts["went_well"], parts["listen_more"], parts["differently"], user.id, now()))
        return self.thread(cid)["reflection"]

    def answer(self, cid: str, user: User, raw: object) -> Dict[str, Any]:
        """An assessor's answer to the current version of the reflection on ``cid``."""
        text = clean_answer(raw)
        with self.db.connect() as conn:
            latest = conn.execute("SELECT id FROM reflections WHERE conversation_id = ? ORDER BY id DESC LIMIT 1",
                                  (cid,)).fetchone()
            if latest is None:
                raise ReflectionError("there is no reflection to answer yet", status=409)
            t = now()
            cur = conn.execute("INSERT INTO reflection_answers (conversation_id, reflection_id, body, user_id, "
                               "created_at) VALUES (?, ?, ?, ?, ?)", (cid, latest["id"], text, user.id, t))
        return {"id": cur.lastrowid, "text": text, "by": user.name, "created_at": t, "reflection_id": latest["id"],
                "outdated": False}

    def thread(self, cid: str) -> Dict[str, Any]:
        """The current reflection (or None), every answer oldest first, and the state."""
        with self.db.connect() as conn:
            versions = conn.execute("SELECT r.*, u.name AS by_name FROM reflections r JOIN users u ON u.id = r.user_id "
                                    "WHERE r.conversation_id = ? ORDER BY r.id", (cid,)).fetchall()
            answers = conn.execute("SELECT a.*, u.name AS by_name FROM reflection_answers a "
                                   "JOIN users u ON u.id = a.user_id WHERE a.conversation_id = ? ORDER BY a.id",
                                   (cid,)).fetchall()
        if not versions:
            return {"reflection": None, "answers": [], "state": "none"}
        latest = versions[-1]
        reflection = {k: latest[k] for k in FIELD_KEYS}
        reflection.update(id=latest["id"], by=latest["by_name"], created_at=versions[0]["created_at"],
                          updated_at=latest["created_at"], versions=len(versions))
        out_answers = [{"id": a["id"], "text": a["body"], "by": a["by_name"], "created_at": a["created_at"],
                        "reflection_id": a["reflection_id"], "outdated": a["reflection_id"] != latest["id"]}
                       for a in answers]
        return {"reflection": reflection, "answers": out_answers, "state": _state(latest["id"], answers)}

    def states(self, cids: Optional[Iterable[str]] = None) -> Dict[str, str]:
        """``awaiting`` (no answer to the latest version) or ``answered``, per conversation with a reflection."""
        where = ""
        params: List[Any] = []
        if cids is not None:
            cids = list(cids)
            if not cids:
                return {}
            where = f" WHERE conversation_id IN ({','.join('?' * len(cids))})"
            params = cids
        with self.db.connect() as conn:
            latest = conn.execute(f"SELECT conversation_id, MAX(id) FROM reflections{where} GROUP BY conversation_id",
                                  params).fetchall()
            answered = conn.execute(f"SELECT conversation_id, MAX(reflection_id) FROM reflection_answers{where} "
                                    "GROUP BY conversation_id", params).fetchall()
        last_answered = {r[0]: r[1] for r in answered}
        return {r[0]: "answered" if last_answered.get(r[0]) == r[1] else "awaiting" for r in latest}


def _state(latest_id: int, answers) -> str:
    return "answered" if any(a["reflection_id"] == latest_id for a in answers) else "awaiting"
