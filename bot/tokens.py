"""Short-lived JWTs that let one browser join one conversation on Rasa's channels.

The web app names every conversation it starts `c-<random>` and issues a token for a
conversation only to the logged-in student who owns it. With a key configured (the
`make run` stack generates one per run; set SPTRAINER_SOCKET_JWT_KEY to share one between
machines), Rasa's Socket.IO and REST channels let nobody into a `c-` conversation without
that conversation's token. Other conversation ids stay open, as the project contract
promises external clients (`/start_interview` on REST or Socket.IO with their own ids);
SPTRAINER_SOCKET_TOKENS=all (the scaled profile) requires a token for every connection.
"""
from __future__ import annotations

import time
from typing import Optional

import jwt

from bot.settings import settings

ALGORITHM = "HS256"
DEFAULT_TTL_SECONDS = 8 * 3600
WEB_CONVERSATION_PREFIX = "c-"
WEB_ONLY_MESSAGE = ("this conversation belongs to a student in the web app; "
                    "only a token the web app issued for it opens it")


def socket_key() -> Optional[str]:
    return settings().socket_jwt_key


def allowed_origins() -> Optional[list]:
    """Browser origins the channels accept ($SPTRAINER_ALLOWED_ORIGINS, comma-separated; the
    Stack sets it to the web app's origins). None when unset: only the channel's own origin;
    ["*"] accepts any. Requests without an Origin header (non-browser clients) are unaffected."""
    origins = settings().allowed_origins
    return None if origins is None else list(origins)


def origin_allowed(origin: Optional[str], host: Optional[str], allowed: Optional[list]) -> bool:
    if not origin:
        return True
    origin = origin.rstrip("/")
    if allowed is not None and ("*" in allowed or origin in allowed):
        return True
    return origin.split("://", 1)[-1].lower() == (host or "").lower()  # same origin


def tokens_required_for_every_connection() -> bool:
    return settings().socket_tokens_for_all


def is_web_conversation(conversation_id: str) -> bool:
    return conversation_id.startswith(WEB_CONVERSATION_PREFIX)


def issue_socket_token(conversation_id: str, key: Optional[str] = None, ttl: int = DEFAULT_TTL_SECONDS) -> Optional[str]:
    """A token for ``conversation_id``, or None when the channels run without tokens."""
    key = key or socket_key()
    if not key:
        return None
    now = int(time.time())
    return jwt.encode({"conversation": conversation_id, "iat": now, "exp": now + ttl}, key, algorithm=ALGORITHM)


ENDED_MESSAGE = "this interview has ended; its feedback is in the web app, and a new interview can be started there"
CLOSE_PURPOSE = "close"


def issue_close_token(conversation_id: str, key: Optional[str] = None, ttl: int = 60) -> Optional[str]:
    """A token that lets the web app close ``conversation_id`` on the channels when the
    interview ends; it opens nothing (conversation_in_token refuses it)."""
    key = key or socket_key()
    if not key:
        return None
    now = int(time.time())
    return jwt.encode({"conversation": conversation_id, "purpose": CLOSE_PURPOSE, "iat": now, "exp": now + ttl},
                      key, algorithm=ALGORITHM)


def _decode(token: Optional[str], key: Optional[str]) -> Optional[dict]:
    if not token or not key:
        return None
    try:
        return jwt.decode(token, key, algorithms=[ALGORITHM])
    except jwt.PyJWTError:
        return None


def conversation_in_token(token: Optional[str], key: Optional[str]) -> Optional[str]:
    """The conversation a valid, unexpired token opens; None for a missing or bad token."""
    payload = _decode(token, key)
    if not payload or payload.get("purpose"):  # a close token opens nothing
        return None
    conversation = payload.get("conversation")
    return str(conversation) if conversation else None


def conversation_to_close(token: Optional[str], key: Optional[str]) -> Optional[str]:
    payload = _decode(token, key)
    if not payload or payload.get("purpose") != CLOSE_PURPOSE:
        return None
    conversation = payload.get("conversation")
    return str(conversation) if conversation else None
