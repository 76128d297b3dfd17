"""When each turn of a transcript was said, and the student's message id (docs/web.md,
"Message delivery"), read from the tracker events the transcript came from.

The transcript (bot/transcripts.py) decides which events are turns; this module does not
repeat that rule. It lines the turns up with the events by speaker and text, from the last
turn backwards (the latest interview is at the end), so a turn it cannot place simply gets
no time.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.transcripts import Turn

MESSAGE_ID_KEY = "message_id"  # the page's id for a message, in the user event's metadata
_SPEAKER_EVENT = {"learner": "user", "patient": "bot"}


def _message_id(event: Dict[str, Any]) -> Optional[str]:
    metadata = event.get("metadata")
    value = metadata.get(MESSAGE_ID_KEY) if isinstance(metadata, dict) else None
    return value if isinstance(value, str) else None


def turn_times(events: Sequence[Dict[str, Any]], turns: Sequence[Turn]) -> List[Tuple[Optional[float], Optional[str]]]:
    """(timestamp, message id) for each turn, in the turns' order; (None, None) where unknown."""
    out: List[Tuple[Optional[float], Optional[str]]] = [(None, None)] * len(turns)
    at = len(events) - 1
    for index in range(len(turns) - 1, -1, -1):
        turn = turns[index]
        kind = _SPEAKER_EVENT.get(turn.speaker)
        probe = at
        while probe >= 0 and not (events[probe].get("event") == kind and (events[probe].get("text") or "") == turn.text):
            probe -= 1
        if probe < 0:
            continue  # not found: leave it unknown, and look for the earlier turns from the same place
        stamp = events[probe].get("timestamp")
        out[index] = (float(stamp) if isinstance(stamp, (int, float)) else None,
                      _message_id(events[probe]) if kind == "user" else None)
        at = probe - 1
    return out
