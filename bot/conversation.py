"""Read a Rasa tracker as an interview: which persona, and the learner's acts since it began.

Kept free of the NLG so the web app, the scorer and the CLI read conversations the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

from bot import topics

PERSONA_KEY = "persona_id"


@dataclass
class Interview:
    persona_id: Optional[str] = None
    acts: List[str] = field(default_factory=list)  # learner acts since the latest start
    started_explicitly: bool = False


def _persona_from(entities: Iterable[Dict[str, Any]], metadata: Any) -> Optional[str]:
    for entity in entities or ():
        if isinstance(entity, dict) and entity.get("entity") == PERSONA_KEY and entity.get("value") is not None:
            return str(entity["value"])
    if isinstance(metadata, dict) and metadata.get(PERSONA_KEY) is not None:
        return str(metadata[PERSONA_KEY])
    return None


def interview_from_events(events: Iterable[Dict[str, Any]]) -> Interview:
    """Events as dicts (tracker store / REST format)."""
    interview = Interview()
    for event in events:
        kind = event.get("event")
        if kind == "restart":
            interview = Interview()
            continue
        if kind != "user":
            continue
        parse = event.get("parse_data") or {}
        intent = ((parse.get("intent") or {}).get("name")) or topics.FALLBACK_INTENT
        persona = _persona_from(parse.get("entities") or [], event.get("metadata"))
        if intent == topics.START_INTENT:
            interview = Interview(persona_id=persona, acts=[intent], started_explicitly=True)
            continue
        if interview.persona_id is None and persona is not None:
            interview.persona_id = persona
        interview.acts.append(intent)
    return interview


def interview_from_tracker(tracker: Any) -> Interview:
    """A live ``DialogueStateTracker``: uses its events without serialising them all."""
    from rasa.shared.core.events import Restarted, UserUttered

    interview = Interview()
    for event in tracker.events:
        if isinstance(event, Restarted):
            interview = Interview()
            continue
        if not isinstance(event, UserUttered):
            continue
        intent = (event.intent or {}).get("name") or topics.FALLBACK_INTENT
        persona = _persona_from(event.entities, event.metadata)
        if intent == topics.START_INTENT:
            interview = Interview(persona_id=persona, acts=[intent], started_explicitly=True)
            continue
        if interview.persona_id is None and persona is not None:
            interview.persona_id = persona
        interview.acts.append(intent)
    if interview.persona_id is None:
        slot = tracker.get_slot(PERSONA_KEY) if hasattr(tracker, "get_slot") else None
        interview.persona_id = str(slot) if slot else None
    return interview
