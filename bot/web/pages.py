"""The static HTML pages in frontend/, each behind the check its audience needs."""
from __future__ import annotations

from typing import Awaitable, Callable, NoReturn, Optional, Sequence

from aiohttp import web

from bot.settings import REPO_ROOT
from bot.web.access import cid_of, own_conversation
from bot.web.security import Denied, require_user

FRONTEND = REPO_ROOT / "frontend"
PageHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def page_response(name: str, status: int = 200) -> web.Response:
    body = (FRONTEND / name).read_bytes()
    return web.Response(body=body, status=status, content_type="text/html", charset="utf-8",
                        headers={"Cache-Control": "no-store"})


def page(name: str, roles: Optional[Sequence[str]] = None, conversation: bool = False) -> PageHandler:
    """A page for anyone, for ``roles``, or (``conversation``) for the owner of the id in its path."""
    async def handler(request: web.Request) -> web.Response:
        if conversation:
            await own_conversation(request, cid_of(request))
        elif roles is not None:
            await require_user(request, roles)
        return page_response(name)
    return handler


def redirect(location: str) -> PageHandler:
    async def handler(_: web.Request) -> NoReturn:
        raise web.HTTPFound(location)
    return handler


def not_found(roles: Sequence[str]) -> PageHandler:
    """Unknown paths under a role's area: the role check first, so students get 403 everywhere."""
    async def handler(request: web.Request) -> NoReturn:
        await require_user(request, roles)
        raise Denied(404, "not found")
    return handler


async def unknown_address(_: web.Request) -> NoReturn:
    """Any other page address: the 404 page, not aiohttp's plain-text "404: Not Found"."""
    raise Denied(404, "not found")
