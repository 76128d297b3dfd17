"""Public endpoints: health, the browser's configuration, the session and the patient list."""
from __future__ import annotations

import re
from typing import Optional

from aiohttp import web

from bot.settings import settings
from bot.web.keys import DB_HEALTH, REGISTRY, SERVICE, run
from bot.web.security import csrf_token, current_user
from bot.web.service import persona_card


def rasa_port() -> int:
    url = settings().rasa_url
    try:
        return int(url.rsplit(":", 1)[-1].strip("/"))
    except ValueError:
        return 5005


def host_name(host_header: Optional[str]) -> str:
    """The host part of a Host header ("[::1]:8080" -> "[::1]"). Not request.url: with this
    yarl, aiohttp 3.9 cannot build it from a Host header that carries a port."""
    host = (host_header or "").strip() or "127.0.0.1"
    if host.startswith("["):
        return host[: host.index("]") + 1] if "]" in host else "127.0.0.1"
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if not re.fullmatch(r"[A-Za-z0-9.-]+", name):  # never echo odd Host headers into the CSP
        return "127.0.0.1"
    return name


def rasa_public_url(request: web.Request) -> str:
    """Where the browser reaches Rasa's Socket.IO channel: $SPTRAINER_RASA_PUBLIC_URL, else
    the host the page was loaded from on the Rasa port."""
    explicit = settings().rasa_public_url
    if explicit:
        return explicit
    return f"{request.scheme}://{host_name(request.host)}:{rasa_port()}"


async def health(request: web.Request) -> web.Response:
    """Is the app database sound? (DatabaseHealth reuses a recent check: health is polled)."""
    problem = await run(request.app, request.app[DB_HEALTH].problem)
    return web.json_response({"ok": problem is None, "database": problem or "ok"}, status=503 if problem else 200)


async def config(request: web.Request) -> web.Response:
    return web.json_response({"rasa_url": rasa_public_url(request), "rasa_port": rasa_port(),
                              "socket_path": "/socket.io/"})


async def session_info(request: web.Request) -> web.Response:
    user = await current_user(request)
    return web.json_response({"user": user.public() if user else None, "csrf": await csrf_token(request),
                              "scorer_ready": request.app[SERVICE].scorer.ready,
                              "student_access": settings().student_access})


async def personas(request: web.Request) -> web.Response:
    registry = request.app[REGISTRY]
    found = await run(request.app, registry.personas)
    cards = [persona_card(p) for p in sorted(found.values(), key=lambda p: p.name)]
    return web.json_response({"personas": cards})
