"""Educators manage cohorts: list them, create one (its access code is shown once), revoke one
(its code stops working and its students' sessions end)."""
from __future__ import annotations

from aiohttp import web

from bot.accounts import AccountError
from bot.web.access import read_json
from bot.web.handlers.educator import EDUCATOR
from bot.web.keys import COHORTS, run
from bot.web.security import Denied, json_error, require_user
from bot.web.service import iso


def _public(cohort) -> dict:
    return dict(cohort.public(), created_at=iso(cohort.created_at), revoked_at=iso(cohort.revoked_at))


async def list_cohorts(request: web.Request) -> web.Response:
    await require_user(request, EDUCATOR)
    cohorts = await run(request.app, request.app[COHORTS].list)
    return web.json_response({"cohorts": [_public(c) for c in cohorts]})


async def add_cohort(request: web.Request) -> web.Response:
    user = await require_user(request, EDUCATOR)
    data = await read_json(request)
    try:
        cohort, code = await run(request.app, request.app[COHORTS].add, data.get("name"), user.id)
    except AccountError as exc:
        return json_error(400, str(exc))
    return web.json_response({"cohort": _public(cohort), "code": code}, status=201)


async def revoke_cohort(request: web.Request) -> web.Response:
    await require_user(request, EDUCATOR)
    raw = request.match_info["cohort_id"]
    if not raw.isdigit():
        raise Denied(404, "no such cohort")
    store = request.app[COHORTS]
    cohort = await run(request.app, store.find, raw)
    if cohort is None:
        raise Denied(404, "no such cohort")
    ended = await run(request.app, store.revoke, cohort.id)
    return web.json_response({"cohort": _public(await run(request.app, store.find, raw)), "sessions_ended": ended})
