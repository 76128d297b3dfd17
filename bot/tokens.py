"""Short-lived JWTs that let one browser join one conversation on Rasa's Socket.IO channel.

The web app issues a token for a conversation the logged-in student owns; the channel
(bot/channels/socketio.py) accepts the connection only with a valid token and only for
that conversation. The key comes from the environment (SPTRAINER_SOCKET_JWT_KEY) and is
shared by the web app and every Rasa server.
"""
from __future__ import annotations

import os
import time
from typing import Optional

import jwt

ALGORITHM = "HS256"
DEFAULT_TTL_SECONDS = 8 * 3600


def socket_key() -> Optional[str]:
    return os.environ.get("SPTRAINER_SOCKET_JWT_KEY") or None


def issue_socket_token(conversation_id: str, key: Optional[str] = None, ttl: int = DEFAULT_TTL_SECONDS) -> Optional[str]:
    """A token for ``conversation_id``, or None when Socket.IO runs without tokens."""
    key = key or socket_key()
    if not key:
        return None
    now = int(time.time())
    return jwt.encode({"conversation": conversation_id, "iat": now, "exp": now + ttl}, key, algorithm=ALGORITHM)
