"""In-process Rasa NLG: every ``utter_<topic>`` is answered from the active persona file.

Configured in endpoints.yml as ``nlg: {type: bot.plugins.nlg.PersonaNLG}``. Answering here
instead of through an action server avoids an HTTP round trip per turn, and because the
reply is computed from tracker events, personas can change without retraining.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, Optional

from rasa.core.nlg.generator import NaturalLanguageGenerator

from bot.conversation import interview_from_tracker
from bot.patient import respond
from bot.patient.address import addressee_of
from bot.personas import UnknownPersonaError, default_registry
from bot.scoring.patient_reading import patient_context

logger = logging.getLogger(__name__)


def start_hint(persona_id: str) -> str:
    return "/start_interview" + json.dumps({"persona_id": persona_id})


def unknown_persona_text(persona_id: Optional[str], available: list) -> str:
    listing = ", ".join(available) if available else "(none: the personas folder has no valid file)"
    example = start_hint(available[0]) if available else start_hint("<id>")
    if persona_id:
        return (f"[SP Trainer] There is no patient with the id '{persona_id}'. "
                f"Available patients: {listing}. Start an interview with {example}")
    return (f"[SP Trainer] No patient has been chosen yet. Available patients: {listing}. "
            f"Start an interview with {example}")


class PersonaNLG(NaturalLanguageGenerator):
    def __init__(self, endpoint_config: Any = None, domain: Any = None, **_: Any) -> None:
        self.registry = default_registry()

    async def generate(self, utter_action: str, tracker: Any, output_channel: str, **kwargs: Any
                       ) -> Optional[Dict[str, Any]]:
        interview = interview_from_tracker(tracker)
        try:
            if not interview.persona_id:
                raise UnknownPersonaError("", self.registry.ids())
            persona = self.registry.get(interview.persona_id)
        except UnknownPersonaError as exc:
            return {"text": unknown_persona_text(exc.persona_id or None, exc.available)}
        turns: list = list(interview.turns)
        if utter_action == "utter_default" and turns:
            turns = turns[:-1] + [("nlu_fallback",)]
        addressees = [addressee_of(text, persona) for text in interview.texts]
        context = patient_context(interview)
        reply = respond(persona, tracker.sender_id, turns, addressees, context)
        logger.debug("persona=%s act=%s level=%s rapport=%.1f", persona.id, reply.topic, reply.level, reply.rapport)
        return {"text": reply.text}
