"""What every handler needs from a request: its JSON body (bounded, on time), a valid
conversation id, and whether the signed-in user may see that conversation."""
from __future__ import annotations

import asyncio
import json
import re
from typing import Any, Dict, Optional, Tuple

from aiohttp import web

from bot.accounts import User
from bot.settings import settings
from bot.web.keys import RECORDS, SERVICE, run
from bot.web.security import Denied, require_user

CID_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
MAX_JSON_BYTES = 64 * 1024


def http_timeout() -> float:
    """Seconds a client gets to send a request's headers, or its body ($SPTRAINER_HTTP_TIMEOUT)."""
    return settings().http_timeout


async def read_json(request: web.Request) -> Dict[str, Any]:
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        raise Denied(413, "request too large")
    try:
        raw = await asyncio.wait_for(request.read(), timeout=http_timeout())
    except asyncio.TimeoutError:
        raise Denied(408, "the request body did not arrive in time") from None
    try:
        data = json.loads(raw.decode(request.charset or "utf-8"))
    except (ValueError, UnicodeDecodeError, LookupError, RecursionError):
        raise Denied(400, "the request body must be JSON") from None
    if not isinstance(data, dict):
        raise Denied(400, "the request body must be a JSON object")
    return data


def cid_of(request: web.Request) -> str:
    cid = request.match_info["cid"]
    if not CID_RE.match(cid):
        raise Denied(404, "no such conversation")
    return cid


async def conversation_access(request: web.Request, cid: str) -> Tuple[User, Optional[dict]]:
    """The user and the app's record of ``cid`` if this user may see it.

    Students (and staff for their own practice interviews) see only conversations they
    started; assessors see any that exists (404 otherwise). Anything else is 403, whether or
    not the id exists.
    """
    user = await require_user(request)
    app = request.app
    record = await run(app, app[RECORDS].conversation, cid)
    if record and record["user_id"] == user.id:
        return user, record
    if user.role == "assessor":
        if record is None and not await run(app, app[SERVICE].events, cid):
            raise Denied(404, "no such conversation")
        return user, record
    raise Denied(403, "this is not your conversation")


async def own_conversation(request: web.Request, cid: str) -> Tuple[User, dict]:
    """The user and the record of ``cid`` if this user started it; 403 otherwise."""
    user = await require_user(request)
    record = await run(request.app, request.app[RECORDS].conversation, cid)
    if record and record["user_id"] == user.id:
        return user, record
    raise Denied(403, "this is not your conversation")
