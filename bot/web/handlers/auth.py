"""Sign-in and sign-out. Staff: name and password (Argon2 on its own executor, bot/web/
passwords.py); students: a name.
Both are throttled per normalised name and client address (bot/web/throttle.py)."""
from __future__ import annotations

import functools
from typing import Any

from aiohttp import web

from bot.accounts import AccountError
from bot.settings import settings
from bot.web.access import read_json
from bot.web.keys import PASSWORDS, THROTTLE, USERS, run
from bot.web.passwords import HashBusy
from bot.web.security import json_error, sign_in, sign_out

#: Failed staff sign-ins per normalised name (and address: the pair is what a guesser varies).
LOGIN_MAX_FAILURES = 8
HOMES = {"assessor": "/assessor/", "educator": "/educator/"}


async def student_login(request: web.Request) -> web.Response:
    data = await read_json(request)
    throttle = request.app[THROTTLE]
    keys = throttle.keys("student", data.get("name"), request.remote or "?")
    per_name, per_address = settings().student_login_limit
    if throttle.throttled(keys, per_name, per_address):
        return json_error(429, "too many sign-ins from here; wait a few minutes and try again")
    throttle.count(keys)  # every sign-in counts: the name is the credential
    try:
        user = await run(request.app, request.app[USERS].student, data.get("name"))
    except AccountError as exc:
        return json_error(400, str(exc))
    csrf = await sign_in(request, user)
    return web.json_response({"user": user.public(), "csrf": csrf})


async def staff_login(request: web.Request) -> web.Response:
    data = await read_json(request)
    name, password = data.get("name"), data.get("password")
    throttle = request.app[THROTTLE]
    keys = throttle.keys("staff", name, request.remote or "?")
    if throttle.throttled(keys, LOGIN_MAX_FAILURES, settings().login_max_per_address):
        return json_error(429, "too many failed sign-ins; wait a few minutes and try again")
    throttle.count(keys)
    run_db: Any = functools.partial(run, request.app)
    try:
        user = await request.app[PASSWORDS].verify_staff(run_db, name, password)
    except HashBusy:
        return json_error(503, "too many sign-ins at once; try again in a moment")
    if user is None:
        return json_error(401, "wrong name or password")
    throttle.forgive(keys)
    csrf = await sign_in(request, user)
    return web.json_response({"user": user.public(), "csrf": csrf, "home": HOMES.get(user.role, "/")})


async def logout(request: web.Request) -> web.Response:
    await sign_out(request)
    return web.json_response({"ok": True})
