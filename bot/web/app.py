"""Routes of the web app. Pages are static files in frontend/; data comes from /api/."""
from __future__ import annotations

import os
from pathlib import Path

from aiohttp import web

from bot.personas import default_registry

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


def persona_card(persona) -> dict:
    return {"id": persona.id, "name": persona.name, "age": persona.age, "sex": persona.sex,
            "occupation": persona.occupation, "complaint": persona.complaint,
            "summary": persona.one_line, "demeanour": persona.demeanour,
            "proxy": ({"speaker": persona.proxy.speaker, "relation": persona.proxy.relation}
                      if persona.proxy else None)}


async def health(_: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def personas(_: web.Request) -> web.Response:
    registry = default_registry()
    cards = [persona_card(p) for p in sorted(registry.personas().values(), key=lambda p: p.name)]
    return web.json_response({"personas": cards})


async def config(request: web.Request) -> web.Response:
    rasa_port = int(os.environ.get("SPTRAINER_RASA_URL", "http://127.0.0.1:5005").rsplit(":", 1)[-1].strip("/"))
    return web.json_response({"rasa_port": rasa_port, "socket_path": "/socket.io/"})


async def index(_: web.Request) -> web.FileResponse:
    return web.FileResponse(FRONTEND / "index.html")


def create_app() -> web.Application:
    app = web.Application(client_max_size=256 * 1024)
    app.router.add_get("/", index)
    app.router.add_get("/api/health", health)
    app.router.add_get("/api/personas", personas)
    app.router.add_get("/api/config", config)
    app.router.add_static("/static/", FRONTEND, show_index=False, follow_symlinks=False)
    return app
