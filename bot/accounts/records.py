"""Conversation records (who started which Rasa conversation with which persona), cached
score reports, and assessors' score overrides (append-only: the original is always kept)."""
from __future__ import annotations

import json
import secrets
from typing import Any, Dict, Iterable, List, Optional

from bot.accounts.db import AppDB, now
from bot.accounts.users import User
from bot.tokens import WEB_CONVERSATION_PREFIX


def new_conversation_id() -> str:
    """A random, unguessable Rasa sender id (192 bits); the prefix tells Rasa's channels
    that only the owner's token opens it (bot/tokens.py)."""
    return WEB_CONVERSATION_PREFIX + secrets.token_urlsafe(24)


class Records:
    def __init__(self, db: AppDB) -> None:
        self.db = db

    # --- conversations --------------------------------------------------------------
    def create_conversation(self, user: User, persona_id: str) -> Dict[str, Any]:
        cid = new_conversation_id()
        t = now()
        with self.db.connect() as conn:
            conn.execute("INSERT INTO conversations (id, user_id, persona_id, created_at) VALUES (?, ?, ?, ?)",
                         (cid, user.id, persona_id, t))
        return {"id": cid, "user_id": user.id, "persona_id": persona_id, "created_at": t, "ended_at": None}

    def conversation(self, cid: str) -> Optional[Dict[str, Any]]:
        with self.db.connect() as conn:
            row = conn.execute("SELECT c.*, u.name AS student, u.role AS owner_role FROM conversations c "
                               "JOIN users u ON u.id = c.user_id WHERE c.id = ?", (cid,)).fetchone()
        return dict(row) if row else None

    def conversations_of(self, user: User) -> List[Dict[str, Any]]:
        with self.db.connect() as conn:
            rows = conn.execute("SELECT c.*, r.overall FROM conversations c LEFT JOIN reports r "
                                "ON r.conversation_id = c.id WHERE c.user_id = ? ORDER BY c.created_at DESC",
                                (user.id,)).fetchall()
        return [dict(r) for r in rows]

    def all_conversations(self) -> Dict[str, Dict[str, Any]]:
        with self.db.connect() as conn:
            rows = conn.execute("SELECT c.*, u.name AS student FROM conversations c "
                                "JOIN users u ON u.id = c.user_id").fetchall()
        return {r["id"]: dict(r) for r in rows}

    def end_conversation(self, cid: str) -> float:
        t = now()
        with self.db.connect() as conn:
            conn.execute("UPDATE conversations SET ended_at = COALESCE(ended_at, ?) WHERE id = ?", (t, cid))
            row = conn.execute("SELECT ended_at FROM conversations WHERE id = ?", (cid,)).fetchone()
        return float(row["ended_at"]) if row else t

    # --- cached reports ---------------------------------------------------------------
    def cached_reports(self) -> Dict[str, Dict[str, Any]]:
        with self.db.connect() as conn:
            rows = conn.execute("SELECT * FROM reports").fetchall()
        return {r["conversation_id"]: dict(r) for r in rows}

    def cached_report(self, cid: str) -> Optional[Dict[str, Any]]:
        with self.db.connect() as conn:
            row = conn.execute("SELECT * FROM reports WHERE conversation_id = ?", (cid,)).fetchone()
        return dict(row) if row else None

    def store_report(self, cid: str, fingerprint: str, *, persona_id: Optional[str], started_at: Optional[float],
                     turns: int, learner_turns: int, report: Optional[dict], error: Optional[str],
                     error_kind: Optional[str] = None) -> None:
        """Cache a conversation's report, or why it has none (``error``, and its ``error_kind``:
        a bot.web.service.ProblemKind value)."""
        from bot.transcripts import scrub, valid_text

        overall = report.get("overall") if isinstance(report, dict) else None
        # Never let one odd string (a lone surrogate from the tracker store) fail the insert:
        # the list, exports and cohort would retry it, and fail, on every load.
        persona_id = valid_text(persona_id) if isinstance(persona_id, str) else persona_id
        error = valid_text(error) if isinstance(error, str) else error
        report = scrub(report) if report is not None else None
        with self.db.connect() as conn:
            conn.execute(
                "INSERT INTO reports (conversation_id, fingerprint, persona_id, started_at, turns, learner_turns, "
                "report_json, overall, error, error_kind, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(conversation_id) DO UPDATE SET fingerprint = excluded.fingerprint, "
                "persona_id = excluded.persona_id, started_at = excluded.started_at, turns = excluded.turns, "
                "learner_turns = excluded.learner_turns, report_json = excluded.report_json, "
                "overall = excluded.overall, error = excluded.error, error_kind = excluded.error_kind, "
                "scored_at = excluded.scored_at",
                (cid, fingerprint, persona_id, started_at, turns, learner_turns,
                 json.dumps(report) if report is not None else None,
                 float(overall) if isinstance(overall, (int, float)) else None, error, error_kind, now()))

    # --- overrides ----------------------------------------------------------------------
    def add_override(self, cid: str, domain_id: str, original: Optional[float], new_score: float,
                     comment: str, user: User) -> Dict[str, Any]:
        t = now()
        with self.db.connect() as conn:
            cur = conn.execute("INSERT INTO overrides (conversation_id, domain_id, original_score, new_score, comment, "
                               "user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (cid, domain_id, original, new_score, comment, user.id, t))
        return {"id": cur.lastrowid, "conversation_id": cid, "domain_id": domain_id, "original_score": original,
                "new_score": new_score, "comment": comment, "by": user.name, "created_at": t}

    def overrides(self, cids: Optional[Iterable[str]] = None) -> Dict[str, List[Dict[str, Any]]]:
        """Every override, oldest first, grouped by conversation."""
        query = ("SELECT o.*, u.name AS by_name FROM overrides o JOIN users u ON u.id = o.user_id")
        params: List[Any] = []
        if cids is not None:
            cids = list(cids)
            if not cids:
                return {}
            query += f" WHERE o.conversation_id IN ({','.join('?' * len(cids))})"
            params = cids
        query += " ORDER BY o.id"
        with self.db.connect() as conn:
            rows = conn.execute(query, params).fetchall()
        out: Dict[str, List[Dict[str, Any]]] = {}
        for r in rows:
            out.setdefault(r["conversation_id"], []).append({
                "id": r["id"], "domain_id": r["domain_id"], "original_score": r["original_score"],
                "new_score": r["new_score"], "comment": r["comment"], "by": r["by_name"],
                "created_at": r["created_at"]})
        return out
