"""Sign-in and sign-out. Staff: name and password (Argon2 on its own executor, bot/web/
passwords.py); students: a name and, unless open practice is on, their cohort's access code
(bot/accounts/cohorts.py).
Both are throttled per normalised name and client address (bot/web/throttle.py)."""
from __future__ import annotations

import functools
from typing import Any, Optional

from aiohttp import web

from bot.accounts import AccountError
from bot.accounts.cohorts import Cohort
from bot.accounts.users import normalize_name
from bot.settings import settings
from bot.web.access import read_json
from bot.web.keys import COHORTS, PASSWORDS, THROTTLE, USERS, run
from bot.web.passwords import HashBusy
from bot.web.security import Denied, json_error, sign_in, sign_out

#: Failed staff sign-ins per normalised name (and address: the pair is what a guesser varies).
LOGIN_MAX_FAILURES = 8
HOMES = {"assessor": "/assessor/", "educator": "/educator/"}


CODE_NEEDED = ("your class signs in with an access code: use the student sign-in page (/login?as=student) "
               "with your name and the code your educator gave you")
WRONG_CODE = "that access code is not valid (or its class was closed); check it with your educator"


async def cohort_for(request: web.Request, raw_code: object) -> Optional[Cohort]:
    """The cohort a student signs in through: required while access codes are on; when they are
    off (open practice) a code is optional, and one that is sent must still be right."""
    codes_on = settings().student_access == "code"
    if not codes_on and raw_code in (None, ""):
        return None
    if codes_on and raw_code in (None, ""):
        raise Denied(401, CODE_NEEDED)
    try:
        cohort = await run(request.app, request.app[COHORTS].by_code, raw_code)
    except AccountError as exc:
        raise Denied(400, str(exc)) from None
    if cohort is None:
        raise Denied(401, WRONG_CODE)
    return cohort


async def student_login(request: web.Request) -> web.Response:
    data = await read_json(request)
    throttle = request.app[THROTTLE]
    keys = throttle.keys("student", data.get("name"), request.remote or "?")
    per_name, per_address = settings().student_login_limit
    if throttle.throttled(keys, per_name, per_address):
        return json_error(429, "too many sign-ins from here; wait a few minutes and try again")
    throttle.count(keys)  # every sign-in counts: the name (and the class's code) is the credential
    try:
        normalize_name(data.get("name"))  # a bad name is reported before the code
    except AccountError as exc:
        return json_error(400, str(exc))
    cohort = await cohort_for(request, data.get("code"))
    user = await run(request.app, request.app[USERS].student, data.get("name"))
    if cohort is not None:
        await run(request.app, request.app[COHORTS].join, cohort, user.id)
    csrf = await sign_in(request, user, cohort.id if cohort else None)
    return web.json_response({"user": user.public(), "csrf": csrf,
                              "cohort": cohort.name if cohort else None})


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
