"""Conversations as the web app sees them: events from Rasa's tracker store, who started
them from the app database, score reports from bot.scoring (cached per tracker state),
and assessors' overrides applied on top.

Everything here is synchronous (SQLite/PostgreSQL reads, the scorer's CPU work); the web
handlers call it through ``bot.web.keys.run`` so the event loop never blocks.
"""
from __future__ import annotations

import copy
import enum
import hashlib
import importlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from bot import topics
from bot.accounts.records import Records
from bot.accounts.reflections import Reflections
from bot.personas import PersonaRegistry
from bot.transcripts import TrackerStoreReader, Transcript, TranscriptError, transcript_from_events

logger = logging.getLogger(__name__)

VERDICT_KEYS = ("explored_psychosocial", "dismissed_physical", "balanced", "psychosocial_before_physical")
COMPLAINTS = {"chronic_pain": "Chronic pain", "gut": "Gut symptoms", "sleep": "Sleep problems"}


def iso(ts: Optional[float]) -> Optional[str]:
    if ts is None:
        return None
    return datetime.fromtimestamp(float(ts), tz=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class ProblemKind(enum.Enum):
    """Why a conversation has no report; the HTTP status follows the kind, never the wording."""

    NOT_STARTED = "not_started"
    NOTHING_TO_SCORE = "nothing_to_score"
    SCORER_UNAVAILABLE = "scorer_unavailable"
    SCORING_FAILED = "scoring_failed"

    @property
    def http_status(self) -> int:
        """503 while the scorer is missing (try again later); 409 when the conversation itself
        cannot be scored yet or at all."""
        return 503 if self is ProblemKind.SCORER_UNAVAILABLE else 409


@dataclass(frozen=True)
class ReportProblem:
    kind: ProblemKind
    message: str


def persona_card(persona) -> dict:
    return {"id": persona.id, "name": persona.name, "age": persona.age, "sex": persona.sex,
            "occupation": persona.occupation, "complaint": persona.complaint,
            "complaint_label": COMPLAINTS.get(persona.complaint, persona.complaint),
            "chief_complaint": persona.chief_complaint, "summary": persona.one_line,
            "demeanour": persona.demeanour,
            "proxy": ({"speaker": persona.proxy.speaker, "relation": persona.proxy.relation}
                      if persona.proxy else None)}


class Scorer:
    """``bot.scoring.score_transcript`` when it exists; never a stand-in.

    The import is retried (cheaply) until it succeeds, so a scorer that lands while the
    app runs is picked up after a restart, and a missing one is reported, not faked.
    """

    def __init__(self) -> None:
        self._fn: Optional[Callable[[Transcript], dict]] = None
        self.key = "none"
        self.problem: Optional[str] = None
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        """Loaded already (never imports: safe to ask from the event loop)."""
        return self._fn is not None

    def available(self) -> bool:
        if self._fn is not None:
            return True
        with self._lock:
            if self._fn is not None:
                return True
            try:
                module = importlib.import_module("bot.scoring")
                fn = module.score_transcript
            except Exception as exc:  # a broken scorer must not take the web app down
                self.problem = f"the scorer could not be loaded: {type(exc).__name__}: {exc}"
                logger.error("%s", self.problem)
                return False
            self.key = _code_fingerprint(Path(str(module.__file__)).parent)
            self._fn = fn
            self.problem = None
            return True

    def warm_up(self, persona_id: Optional[str]) -> None:
        """Load the scorer's model now rather than on a student's first "End interview"."""
        if not self.available():
            logger.warning("feedback is unavailable: %s", self.problem)
            return
        from bot.transcripts import Turn

        started = time.monotonic()
        try:
            self.score(Transcript(persona_id, [Turn(1, "patient", "Hello."), Turn(2, "learner", "Hello, I'm a student.")],
                                  "warm-up"))
            logger.info("scorer ready in %.1f s", time.monotonic() - started)
        except Exception:
            logger.exception("the scorer failed its warm-up call")

    def score(self, transcript: Transcript) -> dict:
        if not self.available():
            raise RuntimeError(self.problem or "no scorer")
        fn = self._fn
        if fn is None:
            raise RuntimeError(self.problem or "no scorer")
        with self._lock:  # the model is loaded once and used by one thread at a time
            report = fn(transcript)
        if not isinstance(report, dict):
            raise TypeError(f"score_transcript returned {type(report).__name__}, not a dict")
        return report


def stored_problem(row: Optional[Dict[str, Any]]) -> ReportProblem:
    """The problem a cached report row records (rows from before kinds were stored are re-scored:
    migration step 4 drops them)."""
    row = row or {}
    try:
        kind = ProblemKind(row.get("error_kind"))
    except ValueError:
        kind = ProblemKind.SCORING_FAILED
    return ReportProblem(kind, row.get("error") or "no report")


def _code_fingerprint(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            st = path.stat()
            h.update(f"{path.relative_to(folder)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def apply_overrides(report: dict, overrides: List[dict]) -> dict:
    """The report with each domain's latest override applied; the scorer's score is kept
    as ``original_score``, every change stays in ``history``, and the overall is recomputed
    from the effective domain scores (the scorer's stays as ``original_overall``)."""
    out = copy.deepcopy(report)
    by_domain: Dict[str, List[dict]] = {}
    for o in overrides:
        by_domain.setdefault(o["domain_id"], []).append(o)
    for domain in out.get("domains") or []:
        history = by_domain.get(domain.get("id"), [])
        domain["original_score"] = domain.get("score")
        domain["history"] = [dict(h, created_at=iso(h["created_at"])) for h in history]
        if history:
            latest = history[-1]
            domain["score"] = latest["new_score"]
            domain["overridden"] = {"by": latest["by"], "at": iso(latest["created_at"]), "comment": latest["comment"]}
        else:
            domain["overridden"] = None
    if overrides and out.get("domains"):
        from bot.scoring.rubric import overall_from_scores  # the scorer loads its model lazily

        # The overall follows the domains an assessor corrected; the scorer's stays beside it.
        out["original_overall"] = out.get("overall")
        out["overall"] = overall_from_scores({d["id"]: d["score"] for d in out["domains"]},
                                             len(out.get("dismissals") or []))
    return out


class ConversationService:
    def __init__(self, records: Records, registry: PersonaRegistry, tracker_url: Optional[str] = None) -> None:
        self.records = records
        self.registry = registry
        self._tracker_url = tracker_url
        self._reader: Optional[TrackerStoreReader] = None
        self.scorer = Scorer()

    # --- tracker store ----------------------------------------------------------------
    @property
    def reader(self) -> TrackerStoreReader:
        if self._reader is None:
            self._reader = TrackerStoreReader(self._tracker_url)
        return self._reader

    def tracker_summary(self) -> Dict[str, Dict[str, Any]]:
        """Per conversation: first/last event time, last event id, number of user messages."""
        import sqlalchemy as sa

        with self.reader.engine.connect() as conn:
            if not sa.inspect(conn).has_table("events"):
                return {}
            rows = conn.execute(sa.text(
                "SELECT sender_id, MIN(timestamp), MAX(timestamp), MAX(id), "
                "SUM(CASE WHEN type_name = 'user' THEN 1 ELSE 0 END) FROM events GROUP BY sender_id"))
            return {r[0]: {"first": r[1], "last": r[2], "last_id": r[3], "user_events": int(r[4] or 0)}
                    for r in rows}

    def events(self, cid: str) -> List[Dict[str, Any]]:
        return self.reader.events(cid)

    @staticmethod
    def transcript_of(cid: str, events: List[Dict[str, Any]]) -> Transcript:
        return transcript_from_events(events, f"conversation {cid}")

    @staticmethod
    def started(events: List[Dict[str, Any]]) -> bool:
        """Has the student invited the patient in (sent ``/start_interview``)?"""
        for e in events:
            if e.get("event") != "user":
                continue
            intent = ((e.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent == topics.START_INTENT or (e.get("text") or "").startswith("/" + topics.START_INTENT):
                return True
        return False

    # --- personas -----------------------------------------------------------------------
    def persona_info(self, persona_id: Optional[str]) -> Optional[dict]:
        if not persona_id:
            return None
        persona = self.registry.personas().get(persona_id)
        if persona is None:
            return {"id": persona_id, "name": persona_id, "missing": True}
        return persona_card(persona)

    # --- reports ----------------------------------------------------------------------
    def fingerprint(self, last_event_id: Any) -> str:
        self.scorer.available()
        return f"{last_event_id}|{self.scorer.key}"

    def refresh_report(self, cid: str, last_event_id: Any = None, cached: Optional[dict] = None,
                       events: Optional[List[Dict[str, Any]]] = None) -> Optional[Dict[str, Any]]:
        """The cached report row for ``cid``, re-scored if the conversation or the scorer changed."""
        if events is None:
            events = self.events(cid)
            if not events:
                return None
            last_event_id = last_event_id if last_event_id is not None else len(events)
        if last_event_id is None:
            last_event_id = len(events)
        fingerprint = self.fingerprint(last_event_id)
        if cached is None:
            cached = self.records.cached_report(cid)
        if cached and cached["fingerprint"] == fingerprint:
            return cached
        transcript = self.transcript_of(cid, events)
        learner = len(transcript.learner_turns())
        report, problem = None, None
        if learner == 0:
            problem = ReportProblem(ProblemKind.NOTHING_TO_SCORE, "no learner turns yet: nothing to score")
        elif not self.scorer.available():
            problem = ReportProblem(ProblemKind.SCORER_UNAVAILABLE, self.scorer.problem or "no scorer")
        else:
            try:
                report = self.scorer.score(transcript)
            except TranscriptError as exc:
                problem = ReportProblem(ProblemKind.SCORING_FAILED, str(exc))
            except Exception as exc:
                logger.exception("scoring %s failed", cid)
                problem = ReportProblem(ProblemKind.SCORING_FAILED, f"scoring failed: {type(exc).__name__}: {exc}")
        started_at = events[0].get("timestamp") if events else None
        self.records.store_report(cid, fingerprint, persona_id=transcript.persona_id, started_at=started_at,
                                  turns=len(transcript.turns), learner_turns=learner, report=report,
                                  error=problem.message if problem else None,
                                  error_kind=problem.kind.value if problem else None)
        return self.records.cached_report(cid)

    def report_for(self, cid: str) -> Tuple[Optional[dict], Optional[ReportProblem], List[dict]]:
        """(effective report, why there is none, override history) for one conversation."""
        events = self.events(cid)
        if not events:
            return None, ReportProblem(ProblemKind.NOT_STARTED, "this conversation has not started yet"), []
        summary_id = self._last_event_id(cid)
        row = self.refresh_report(cid, summary_id, events=events)
        history = self.records.overrides([cid]).get(cid, [])
        if not row or not row.get("report_json"):
            return None, stored_problem(row), history
        report = json.loads(row["report_json"])
        return apply_overrides(report, history), None, history

    def _last_event_id(self, cid: str) -> Any:
        import sqlalchemy as sa

        with self.reader.engine.connect() as conn:
            return conn.execute(sa.text("SELECT MAX(id) FROM events WHERE sender_id = :s"), {"s": cid}).scalar()

    # --- the assessor's list ------------------------------------------------------------
    def rows(self) -> List[Dict[str, Any]]:
        """One row per conversation in the tracker store, scored (cached) and with overrides."""
        summary = self.tracker_summary()
        records = self.records.all_conversations()
        cached = self.records.cached_reports()
        for cid, info in summary.items():
            row = cached.get(cid)
            if not row or row["fingerprint"] != self.fingerprint(info["last_id"]):
                events = self.events(cid)
                fresh = self.refresh_report(cid, info["last_id"], cached=row, events=events)
                if fresh:
                    cached[cid] = fresh
        overrides = self.records.overrides()
        reflections = Reflections(self.records.db).states()
        personas = self.registry.personas()
        out = []
        for cid, info in summary.items():
            rec = records.get(cid)
            rep = cached.get(cid) or {}
            report = json.loads(rep["report_json"]) if rep.get("report_json") else None
            history = overrides.get(cid, [])
            if report is not None:
                report = apply_overrides(report, history)
            persona_id = (rec or {}).get("persona_id") or rep.get("persona_id")
            persona = personas.get(persona_id) if persona_id else None
            started = (rec or {}).get("created_at") or info["first"]
            out.append({
                "id": cid,
                "student": rec["student"] if rec else None,
                "source": "web" if rec else "other channel",
                "persona_id": persona_id,
                "persona_name": persona.name if persona else persona_id,
                "started_ts": started,
                "started_at": iso(started),
                "last_activity_at": iso(info["last"]),
                "ended_at": iso(rec.get("ended_at")) if rec else None,
                "status": ("ended" if rec.get("ended_at") else "in progress") if rec else "unknown",
                "turns": rep.get("turns", 0),
                "learner_turns": rep.get("learner_turns", 0),
                "overall": report.get("overall") if report else None,
                "verdict": {k: report.get("verdict", {}).get(k) for k in VERDICT_KEYS} if report else None,
                "domains": {d.get("id"): d.get("score") for d in (report or {}).get("domains") or []},
                "domain_labels": {d.get("id"): d.get("label") or d.get("id")
                                  for d in (report or {}).get("domains") or []},
                "topics_covered": list((report or {}).get("topics_covered") or []),
                "overridden": bool(history),
                "reflection": reflections.get(cid, "none"),
                "score_problem": None if report else rep.get("error"),
            })
        return out

