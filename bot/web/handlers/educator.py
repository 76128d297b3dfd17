"""Educators: persona files with their validation status, a per-topic preview."""
from __future__ import annotations

from aiohttp import web

from bot.web import educator
from bot.web.keys import REGISTRY, run
from bot.web.security import json_error, require_user

EDUCATOR = ("educator",)


async def educator_personas(request: web.Request) -> web.Response:
    await require_user(request, EDUCATOR)
    return web.json_response(await run(request.app, educator.persona_files, request.app[REGISTRY]))


async def educator_preview(request: web.Request) -> web.Response:
    await require_user(request, EDUCATOR)
    persona_id = request.match_info["persona_id"]
    preview = await run(request.app, educator.preview, request.app[REGISTRY], persona_id)
    if preview is None:
        return json_error(404, "no valid persona with this id")
    return web.json_response(preview)
