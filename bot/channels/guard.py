"""Checks shared by the REST and Socket.IO channels: one place decides what a valid
learner message is, how big it may be and how fast one sender may send."""
from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from bot.settings import Rate, settings

MAX_MESSAGE_CHARS = settings().max_message_chars
#: A whole REST body (a 2000-character message, JSON-escaped, and its metadata fit easily).
MAX_BODY_BYTES = settings().max_body_bytes
#: Metadata as JSON: the web page sends a persona id; nothing needs more than a few KB.
MAX_METADATA_BYTES = settings().max_metadata_bytes
#: Objects and lists inside metadata: a persona id needs one level.
MAX_METADATA_DEPTH = 8
_SENDER_RE = re.compile(r"^[^\x00-\x1f\x7f/\\]{1,128}$")


class InputProblem(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class LearnerMessage:
    sender: str
    text: str
    metadata: Optional[Dict[str, Any]]


def is_valid_unicode(text: str) -> bool:
    """False for strings that cannot be stored as UTF-8: lone surrogates (JSON's "\\ud800")."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _invalid_unicode(what: str) -> InputProblem:
    return InputProblem(400, f"{what} contains invalid Unicode (a lone surrogate such as \\ud800); "
                             "send text as plain UTF-8")


def parse_json(text: str, what: str = "the body") -> Any:
    """json.loads with every way it can fail turned into a 400 that says why: bad syntax,
    nesting deeper than Python's recursion limit, integers longer than 4300 digits."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputProblem(400, f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise InputProblem(400, f"{what} is not accepted: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. "Exceeds the limit (4300) for integer string conversion"
        raise InputProblem(400, f"{what} is not accepted: {str(exc).split(';')[0]}") from None


def check_depth(value: Any, what: str, limit: int = MAX_METADATA_DEPTH) -> None:
    """Refuse objects and lists nested more than ``limit`` levels (iteratively: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            raise InputProblem(400, f"{what} is nested too deeply: at most {limit} levels of objects and lists")
        stack.extend((child, depth + 1) for child in children)


def check_unicode(value: Any, what: str) -> None:
    """Refuse a lone surrogate anywhere in ``value`` (keys and values of nested objects too)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not is_valid_unicode(item):
                raise _invalid_unicode(what)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def check_sender(sender: Any) -> str:
    if not isinstance(sender, str) or not _SENDER_RE.match(sender):
        raise InputProblem(400, "'sender' must be a string of 1-128 characters without '/', '\\' or control characters")
    if not is_valid_unicode(sender):
        raise _invalid_unicode("'sender'")
    return sender


def check_text(text: Any) -> str:
    if not isinstance(text, str):
        raise InputProblem(400, f"'message' must be a string, got {type(text).__name__}")
    if not text.strip():
        raise InputProblem(400, "'message' is empty: type a question for the patient")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InputProblem(413, f"'message' is {len(text)} characters; the limit is {MAX_MESSAGE_CHARS}")
    if "\x00" in text:
        raise InputProblem(400, "'message' contains a NUL character")
    if not is_valid_unicode(text):
        raise _invalid_unicode("'message'")
    return text


def check_metadata(metadata: Any) -> Optional[Dict[str, Any]]:
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise InputProblem(400, f"'metadata' must be a JSON object, got {type(metadata).__name__}")
    check_depth(metadata, "'metadata'")
    check_unicode(metadata, "'metadata'")
    size = len(json.dumps(metadata, ensure_ascii=False).encode("utf-8"))
    if size > MAX_METADATA_BYTES:
        raise InputProblem(413, f"'metadata' is {size} bytes as JSON; the limit is {MAX_METADATA_BYTES}")
    return metadata


def check_body_size(size: int) -> None:
    if size > MAX_BODY_BYTES:
        raise InputProblem(413, f"the body is {size} bytes; the limit is {MAX_BODY_BYTES}")


def check_payload(payload: Any, sender_key: str = "sender", text_key: str = "message",
                  metadata_key: str = "metadata") -> LearnerMessage:
    if not isinstance(payload, dict):
        raise InputProblem(400, f"the body must be a JSON object like {{\"sender\": ..., \"message\": ...}}, got {type(payload).__name__}")
    if sender_key not in payload:
        raise InputProblem(400, f"missing '{sender_key}'")
    if text_key not in payload:
        raise InputProblem(400, f"missing '{text_key}'")
    return LearnerMessage(check_sender(payload[sender_key]), check_text(payload[text_key]),
                          check_metadata(payload.get(metadata_key)))


class RateLimiter:
    """Token bucket per key: a burst of ``burst`` messages, then ``rate`` per second.

    Students type a message every few seconds; a flood from one client is refused with a
    clear message while everybody else is served as usual.
    """

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: Dict[str, Tuple[float, float]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_rate(cls, rate: Optional[Rate]) -> Optional["RateLimiter"]:
        """A limiter for a configured rate; None when the setting is "off"."""
        return None if rate is None else cls(rate.per_second, rate.burst)

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > 100_000:  # forget idle senders
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 600}
            return True


RATE_LIMITED = "You are sending messages too fast. Please wait a moment and try again."


def sender_limiter() -> Optional[RateLimiter]:
    """Per sender id (one conversation): a student typing fast stays well inside it."""
    return RateLimiter.from_rate(settings().rate_limit)


def address_limiter() -> Optional[RateLimiter]:
    """Per client address, whatever sender ids it uses: a classroom behind one address sends
    far less than this; a client inventing sender ids is slowed to it."""
    return RateLimiter.from_rate(settings().address_rate_limit)


# --- one interview per conversation (docs/security.md) ----------------------------------------

#: Intent shorthands that would begin the conversation again: a new start_interview (another
#: patient, or the same one with the turns so far dropped from the record) or Rasa's own
#: restart / session_start.
RESTARTING_INTENTS = ("start_interview", "restart", "session_start")
ALREADY_STARTED = ("this interview has already started: it cannot be started again or given another "
                   "patient; end it in the web app and start a new one")


def restarting_intent(text: str) -> Optional[str]:
    """The intent a shorthand message (``/start_interview{...}``) names, if it restarts."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return None
    name = re.split(r"[{@\s]", stripped[1:], maxsplit=1)[0]
    return name if name in RESTARTING_INTENTS else None


def _started(events: Any) -> bool:
    """Has an interview with a known patient begun? A start naming no patient, or an unknown
    one (answered with the list of ids), may be followed by a correct one."""
    from rasa.shared.core.events import UserUttered

    from bot.personas import default_registry

    known = None
    for event in events or ():
        if isinstance(event, UserUttered):
            intent = (event.intent or {}).get("name")
            if intent == "start_interview" or (event.text or "").strip().startswith("/start_interview"):
                persona = _named_persona(event)
                if known is None:
                    known = default_registry().personas()
                if persona in known:
                    return True
    return False


def _named_persona(event: Any) -> Optional[str]:
    for entity in event.entities or ():
        if isinstance(entity, dict) and entity.get("entity") == "persona_id" and entity.get("value") is not None:
            return str(entity["value"])
    metadata = event.metadata if isinstance(event.metadata, dict) else {}
    return str(metadata["persona_id"]) if metadata.get("persona_id") is not None else None


async def refuse_restart(agent: Any, sender: str, text: str) -> None:
    """Refuse (409) a message that would start a conversation again once it has started.

    Only shorthand messages are looked at, so ordinary turns cost nothing extra; the check
    reads the conversation's whole tracker (every session) from the tracker store."""
    if restarting_intent(text) is None or agent is None or getattr(agent, "tracker_store", None) is None:
        return
    store = agent.tracker_store
    tracker = await store.retrieve_full_tracker(sender)
    if tracker is not None:
        check_restart(tracker.events, text)


def check_restart(events: Any, text: str) -> None:
    """Refuse (409) ``text`` if it would start again a conversation with these events."""
    if restarting_intent(text) is not None and _started(events):
        raise InputProblem(409, ALREADY_STARTED)


# --- ended interviews are closed (docs/security.md) --------------------------------------------

#: Appended to a conversation's tracker when the web app ends the interview. Transcripts and
#: the interview fold read only user, bot and restart events, so it changes no record.
CLOSED_ACTION = "sp_interview_closed"
_closed: "set[str]" = set()  # closing is for good: remembered once seen


def _has_closed_marker(events: Any) -> bool:
    from rasa.shared.core.events import ActionExecuted

    return any(isinstance(e, ActionExecuted) and e.action_name == CLOSED_ACTION for e in events or ())


async def is_closed(agent: Any, sender: str) -> bool:
    """Has the web app ended this conversation? Read from the tracker store, so every Rasa
    server of the scaled profile agrees, and a restart forgets nothing."""
    if sender in _closed:
        return True
    if agent is None or getattr(agent, "tracker_store", None) is None:
        return False
    tracker = await agent.tracker_store.retrieve_full_tracker(sender)
    if tracker is not None and _has_closed_marker(tracker.events):
        _closed.add(sender)
        return True
    return False


async def close_conversation(agent: Any, sender: str) -> None:
    """Append the closed marker (once) under the conversation's lock."""
    from rasa.shared.core.events import ActionExecuted

    async with agent.lock_store.lock(sender):
        tracker = await agent.tracker_store.get_or_create_tracker(sender)
        if not _has_closed_marker(tracker.events):
            tracker.update(ActionExecuted(CLOSED_ACTION))
            await agent.tracker_store.save(tracker)
    _closed.add(sender)


class SafeJSON:
    """The json module python-socketio decodes packets with, except that a packet it cannot
    decode (nested too deeply, a 5000-digit number, bad syntax) becomes an INVALID_PACKET event
    carrying the reason, which the channel answers with an sp_error, instead of an exception
    inside the server and no answer at all."""

    INVALID_PACKET = "sp_invalid_packet"

    @staticmethod
    def dumps(*args: Any, **kwargs: Any) -> str:
        return json.dumps(*args, **kwargs)

    @staticmethod
    def loads(text: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return json.loads(text, *args, **kwargs)
        except InputProblem:
            raise
        except (RecursionError, ValueError) as exc:
            reason = ("JSON nested too deeply" if isinstance(exc, RecursionError)
                      else str(exc).split(";")[0])
            return [SafeJSON.INVALID_PACKET, f"the message could not be read: {reason}"]
