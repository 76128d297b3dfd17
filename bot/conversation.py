"""Read a Rasa tracker as an interview: which persona, and the learner's acts since it began.

Kept free of the NLG so the web app, the scorer and the CLI read conversations the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

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


#: One step of a conversation, as the interview needs it: ("restart", None, None) or
#: ("user", intent, persona id named by that message).
_Step = Tuple[str, Optional[str], Optional[str]]


def _fold(steps: Iterable[_Step]) -> Interview:
    """The latest interview: a restart or a start_interview begins a new one."""
    interview = Interview()
    for kind, intent, persona in steps:
        if kind == "restart":
            interview = Interview()
        elif intent == topics.START_INTENT:
            interview = Interview(persona_id=persona, acts=[intent], started_explicitly=True)
        else:
            if interview.persona_id is None and persona is not None:
                interview.persona_id = persona
            interview.acts.append(intent or topics.FALLBACK_INTENT)
    return interview


def _steps_from_dicts(events: Iterable[Dict[str, Any]]) -> Iterator[_Step]:
    for event in events:
        if event.get("event") == "restart":
            yield "restart", None, None
        elif event.get("event") == "user":
            parse = event.get("parse_data") or {}
            yield ("user", (parse.get("intent") or {}).get("name"),
                   _persona_from(parse.get("entities") or [], event.get("metadata")))


def interview_from_events(events: Iterable[Dict[str, Any]]) -> Interview:
    """Events as dicts (tracker store / REST format)."""
    return _fold(_steps_from_dicts(events))


def interview_from_tracker(tracker: Any) -> Interview:
    """A live ``DialogueStateTracker``: uses its events without serialising them all."""
    from rasa.shared.core.events import Restarted, UserUttered

    def steps() -> Iterator[_Step]:
        for event in tracker.events:
            if isinstance(event, Restarted):
                yield "restart", None, None
            elif isinstance(event, UserUttered):
                yield "user", (event.intent or {}).get("name"), _persona_from(event.entities, event.metadata)

    interview = _fold(steps())
    if interview.persona_id is None:
        slot = tracker.get_slot(PERSONA_KEY) if hasattr(tracker, "get_slot") else None
        interview.persona_id = str(slot) if slot else None
    return interview
