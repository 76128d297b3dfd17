"""Transcripts (docs/contracts.md, section 4): read them from files or from Rasa's tracker store.

A transcript is the scorer's input and the export format of logged conversations. Bad
input is refused with the file (or conversation) and the exact problem, never half-read.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

from bot import topics
from bot.settings import settings

SPEAKERS = ("learner", "patient")
MAX_TRANSCRIPT_BYTES = 5_000_000
MAX_TURNS = 2_000
MAX_TURN_CHARS = 20_000


class TranscriptError(ValueError):
    """A transcript that cannot be scored; the message names the source and the problem."""


@dataclass(frozen=True)
class Turn:
    number: int  # 1-based, in the order given
    speaker: str
    text: str


@dataclass
class Transcript:
    persona_id: Optional[str]
    turns: List[Turn]
    source: str = "<memory>"
    extra: Dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> Dict[str, Any]:
        return {"persona_id": self.persona_id,
                "turns": [{"speaker": t.speaker, "text": t.text} for t in self.turns]}

    def learner_turns(self) -> List[Turn]:
        return [t for t in self.turns if t.speaker == "learner"]


def parse_transcript(data: Any, source: str = "<memory>") -> Transcript:
    """Check a decoded JSON transcript; extra keys are allowed and kept aside."""
    if not isinstance(data, dict):
        raise TranscriptError(f"{source}: a transcript must be a JSON object with 'turns', got {type(data).__name__}")
    if "turns" not in data:
        raise TranscriptError(f"{source}: missing key 'turns'")
    turns_raw = data["turns"]
    if not isinstance(turns_raw, list):
        raise TranscriptError(f"{source}: 'turns' must be a list, got {type(turns_raw).__name__}")
    if not turns_raw:
        raise TranscriptError(f"{source}: 'turns' is empty: nothing to score")
    if len(turns_raw) > MAX_TURNS:
        raise TranscriptError(f"{source}: {len(turns_raw)} turns; at most {MAX_TURNS} are accepted")
    persona_id = data.get("persona_id")
    if persona_id is not None and not isinstance(persona_id, str):
        raise TranscriptError(f"{source}: 'persona_id' must be a string, got {type(persona_id).__name__}")
    turns: List[Turn] = []
    for index, raw in enumerate(turns_raw, start=1):
        where = f"{source}: turn {index}"
        if not isinstance(raw, dict):
            raise TranscriptError(f"{where}: must be an object with 'speaker' and 'text', got {type(raw).__name__}")
        for key in ("speaker", "text"):
            if key not in raw:
                raise TranscriptError(f"{where}: missing key '{key}'")
        speaker, text = raw["speaker"], raw["text"]
        if speaker not in SPEAKERS:
            raise TranscriptError(f"{where}: 'speaker' must be 'learner' or 'patient', got {speaker!r}"[:200])
        if not isinstance(text, str):
            raise TranscriptError(f"{where}: 'text' must be a string, got {type(text).__name__}")
        if len(text) > MAX_TURN_CHARS:
            raise TranscriptError(f"{where}: text is {len(text)} characters; at most {MAX_TURN_CHARS} are accepted")
        turns.append(Turn(index, speaker, text))
    if not any(t.speaker == "learner" for t in turns):
        raise TranscriptError(f"{source}: no learner turn: nothing to score")
    extra = {k: v for k, v in data.items() if k not in ("persona_id", "turns")}
    return Transcript(persona_id, turns, source, extra)


def load_transcript_file(path: Path) -> Transcript:
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise TranscriptError(f"{source}: cannot read: {exc.strerror or exc}") from None
    if size > MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(f"{source}: file is {size} bytes; at most {MAX_TRANSCRIPT_BYTES} are accepted")
    raw = path.read_bytes()
    if not raw.strip():
        raise TranscriptError(f"{source}: file is empty")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise TranscriptError(f"{source}: not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    return parse_transcript(data, source)


def transcript_files(paths: Sequence[Path]) -> List[Path]:
    """Files named directly, and every *.json in named folders, in file-name order."""
    out: List[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(p.glob("*.json"), key=lambda q: q.name))
        else:
            out.append(p)
    return out


# --- Rasa tracker events -> transcript ---------------------------------------------------

def valid_text(text: str) -> str:
    """``text`` with lone surrogates (JSON's "\\ud800", which UTF-8 cannot hold) replaced by U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def scrub(value: Any) -> Any:
    """A decoded JSON value with every string (keys too) made valid UTF-8 (see valid_text).

    The channels refuse such text, but a record stored before they did, or written by another
    tool, must not break every page that lists or exports conversations."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def _is_control_message(event: Dict[str, Any]) -> bool:
    text = event.get("text") or ""
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    return intent == topics.START_INTENT or text.startswith("/")


def transcript_from_events(events: Iterable[Dict[str, Any]], source: str) -> Transcript:
    """Learner and patient turns of the latest interview in a conversation's events."""
    from bot.conversation import interview_from_events

    events = list(events)
    persona_id = interview_from_events(events).persona_id
    start = 0
    for i, event in enumerate(events):  # the latest start_interview opens the interview
        if event.get("event") == "user" and _is_control_message(event):
            start = i
    turns: List[Turn] = []
    for event in events[start:]:
        kind = event.get("event")
        if kind == "user" and not _is_control_message(event):
            turns.append(Turn(len(turns) + 1, "learner", event.get("text") or ""))
        elif kind == "bot" and event.get("text"):
            turns.append(Turn(len(turns) + 1, "patient", event["text"]))
    return Transcript(persona_id, turns, source)


def tracker_db_url() -> str:
    """The tracker store the app reads: $SPTRAINER_TRACKER_URL, else the SQLite file in var/."""
    return settings().tracker_url


class TrackerStoreReader:
    """Read-only access to Rasa's SQL tracker store (SQLite or PostgreSQL) via SQLAlchemy."""

    def __init__(self, url: Optional[str] = None) -> None:
        import sqlalchemy

        self.url = url or tracker_db_url()
        self.engine = sqlalchemy.create_engine(self.url)
        self._sa = sqlalchemy

    def sender_ids(self) -> List[str]:
        sa = self._sa
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("events"):
                return []
            rows = conn.execute(sa.text("SELECT DISTINCT sender_id FROM events ORDER BY sender_id"))
            return [r[0] for r in rows]

    def events(self, sender_id: str) -> List[Dict[str, Any]]:
        sa = self._sa
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("events"):
                return []
            rows = conn.execute(sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender_id})
            return [scrub(json.loads(r[0])) for r in rows]

    def transcript(self, sender_id: str) -> Transcript:
        events = self.events(sender_id)
        if not events:
            raise TranscriptError(f"conversation {sender_id!r}: not found in the tracker store ({self._safe_url()})")
        return transcript_from_events(events, f"conversation {sender_id}")

    def _safe_url(self) -> str:
        return self.url.split("@")[-1] if "@" in self.url else self.url
