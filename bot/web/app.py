"""Routes of the web app (port 8080). Pages are static files in frontend/; data comes from
the JSON API under /api/. Students chat with Rasa's Socket.IO channel directly; this app
creates their conversation ids, records who owns which, and serves transcripts, feedback,
the assessor and educator views.

Access: /api/health, /api/config, /api/session and /api/personas are public; every other
API call needs a session (401 otherwise) and the right role or ownership (403 otherwise).
"""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import re
import threading
import time
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Deque, Dict, Optional, Tuple
from urllib.parse import quote

import aiohttp
from aiohttp import web
from aiohttp_session import session_middleware

from bot.accounts import AccountError, AppDB, Records, Sessions, User, Users
from bot.accounts.db import DatabaseDamaged
from bot.accounts.reflections import FIELDS, MAX_ANSWER, MAX_FIELD, ReflectionError, Reflections
from bot.accounts.users import SESSION_SECONDS, login_key, verify_password
from bot.personas import PersonaRegistry, default_registry
from bot.settings import REPO_ROOT, settings
from bot.teaching_pack import PACK_HTML, PACK_JSON
from bot.web import educator, listing, packs
from bot.web.progress import progress as student_progress
from bot.web.security import (
    COOKIE_NAME,
    Denied,
    SessionCookieStorage,
    csrf_middleware,
    csrf_token,
    current_user,
    headers_middleware,
    json_error,
    require_user,
    secret_key,
    secure_cookies,
    sign_in,
    sign_out,
)
from bot.web.service import ConversationService, iso, persona_card

logger = logging.getLogger(__name__)

FRONTEND = REPO_ROOT / "frontend"
CID_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
LOGIN_WINDOW = 300.0
LOGIN_MAX_FAILURES = 8  # per normalised name (and address: the pair is what a guesser varies)
# Student sign-ins (no password: the name is the credential, so guessing names is the attack)
# per normalised name and per client address in LOGIN_WINDOW: "<per name>/<per address>".


STUDENT_LOGIN_PER_NAME, STUDENT_LOGIN_PER_ADDRESS = settings().student_login_limit
# Per client address across every name: a guesser who varies the name is throttled too.
LOGIN_MAX_PER_ADDRESS = settings().login_max_per_address
MAX_JSON_BYTES = 64 * 1024
# Password hashing (Argon2id, ~0.2 s of several cores each) runs on its own small executor, never
# on the database threads every request needs, and only so many sign-ins may wait for it.
HASH_WORKERS = settings().hash_workers
HASH_QUEUE = settings().hash_queue


def http_timeout() -> float:
    """Seconds a client gets to send a request's headers, or its body ($SPTRAINER_HTTP_TIMEOUT)."""
    return settings().http_timeout


def rasa_port() -> int:
    url = settings().rasa_url
    try:
        return int(url.rsplit(":", 1)[-1].strip("/"))
    except ValueError:
        return 5005


def rasa_public_url(request: web.Request) -> str:
    """Where the browser reaches Rasa's Socket.IO channel: $SPTRAINER_RASA_PUBLIC_URL, else
    the host the page was loaded from on the Rasa port."""
    explicit = settings().rasa_public_url
    if explicit:
        return explicit
    return f"{request.scheme}://{host_name(request.host)}:{rasa_port()}"


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


# --- helpers ------------------------------------------------------------------------------

async def run(app: web.Application, fn, *args, **kwargs):
    return await asyncio.get_running_loop().run_in_executor(app["executor"], functools.partial(fn, *args, **kwargs))


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


async def conversation_access(request: web.Request, cid: str, owner_only: bool = False) -> Tuple[User, Optional[dict]]:
    """The user and the app's record of ``cid`` if this user may see it.

    Students (and staff for their own practice interviews) see only conversations they
    started; assessors see any that exists (404 otherwise). Anything else is 403, whether or
    not the id exists.
    """
    user = await require_user(request)
    record = await request.app["run"](request.app["records"].conversation, cid)
    if record and record["user_id"] == user.id:
        return user, record
    if user.role == "assessor" and not owner_only:
        if record is None and not await request.app["run"](request.app["service"].events, cid):
            raise Denied(404, "no such conversation")
        return user, record
    raise Denied(403, "this is not your conversation")


@web.middleware
async def denied_middleware(request: web.Request, handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except Denied as exc:
        if request.path.startswith("/api/"):
            return json_error(exc.status, exc.message)
        if exc.status == 401:
            raise web.HTTPFound(("/login" if request.path.startswith(("/assessor", "/educator")) else "/")
                                + "?next=" + quote(request.path_qs, safe="/")) from None
        return page_response(f"{exc.status}.html" if exc.status in (403, 404) else "403.html", status=exc.status)
    except listing.FilterError as exc:
        return json_error(400, str(exc))
    except web.HTTPException:
        raise
    except DatabaseDamaged as exc:
        logger.error("%s %s: %s", request.method, request.path, exc)
        request.app.pop("db_health", None)
        if request.path.startswith("/api/"):
            return json_error(500, "the app database is damaged; an administrator has to restore it")
        raise
    except Exception:  # noqa: BLE001 - an unexpected error on the API is still JSON
        if not request.path.startswith("/api/"):
            raise
        logger.exception("%s %s failed", request.method, request.path)
        return json_error(500, "something went wrong on the server; try again, and tell an administrator if it persists")


def page_response(name: str, status: int = 200) -> web.Response:
    body = (FRONTEND / name).read_bytes()
    return web.Response(body=body, status=status, content_type="text/html", charset="utf-8",
                        headers={"Cache-Control": "no-store"})


def page(name: str, roles=None, conversation: bool = False):
    async def handler(request: web.Request) -> web.Response:
        if conversation:
            await conversation_access(request, cid_of(request), owner_only=True)
        elif roles is not None:
            await require_user(request, roles)
        return page_response(name)
    return handler


def redirect(location: str):
    async def handler(_: web.Request) -> web.Response:
        raise web.HTTPFound(location)
    return handler


def not_found(roles):
    """Unknown paths under a role's area: the role check first, so students get 403 everywhere."""
    async def handler(request: web.Request) -> web.Response:
        await require_user(request, roles)
        raise Denied(404, "not found")
    return handler


# --- public -------------------------------------------------------------------------------

HEALTH_CHECK_SECONDS = settings().health_check_seconds


async def health(request: web.Request) -> web.Response:
    """Is the app database sound? (quick_check, at most every HEALTH_CHECK_SECONDS: health is polled)."""
    app = request.app
    last = app.get("db_health")
    if last is None or time.monotonic() - last[0] > HEALTH_CHECK_SECONDS:
        try:
            await app["run"](app["db"].check)
            problem = None
        except DatabaseDamaged as exc:
            problem = str(exc)
            logger.error("%s", problem)
        last = (time.monotonic(), problem)
        app["db_health"] = last
    problem = last[1]
    return web.json_response({"ok": problem is None, "database": problem or "ok"}, status=503 if problem else 200)


async def config(request: web.Request) -> web.Response:
    return web.json_response({"rasa_url": rasa_public_url(request), "rasa_port": rasa_port(),
                              "socket_path": "/socket.io/"})


async def session_info(request: web.Request) -> web.Response:
    user = await current_user(request)
    return web.json_response({"user": user.public() if user else None, "csrf": await csrf_token(request),
                              "scorer_ready": request.app["service"].scorer.ready})


async def personas(request: web.Request) -> web.Response:
    registry = request.app["registry"]
    found = await request.app["run"](registry.personas)
    cards = [persona_card(p) for p in sorted(found.values(), key=lambda p: p.name)]
    return web.json_response({"personas": cards})


# --- sign-in ------------------------------------------------------------------------------

def _recent(app: web.Application, key: str) -> int:
    """Failures (and attempts still in flight) recorded under ``key`` in the window."""
    table: Dict[str, Deque[float]] = app["login_failures"]
    failures = table.get(key)
    if not failures:
        return 0
    cutoff = time.monotonic() - LOGIN_WINDOW
    while failures and failures[0] < cutoff:
        failures.popleft()
    if not failures:
        del table[key]
    return len(failures)


def throttle_keys(request: web.Request, raw_name: object, kind: str) -> Tuple[str, str]:
    """(name key, address key): the name as sign-in normalises it (users.name_key), with the
    client address; and the address alone."""
    address = request.remote or "?"
    return f"{kind}|{login_key(raw_name)}|{address}", f"{kind}|@{address}"


def _throttled(app: web.Application, keys: Tuple[str, str], per_name: int, per_address: int) -> bool:
    return _recent(app, keys[0]) >= per_name or _recent(app, keys[1]) >= per_address


def _count_attempt(app: web.Application, keys: Tuple[str, str]) -> None:
    """Counted before the password is checked, so concurrent guesses are throttled as well."""
    stamp = time.monotonic()
    for key in keys:
        app["login_failures"][key].append(stamp)


def _forgive_attempt(app: web.Application, keys: Tuple[str, str]) -> None:
    """A successful sign-in clears its name's failures and its own attempt on the address."""
    app["login_failures"].pop(keys[0], None)
    failures = app["login_failures"].get(keys[1])
    if failures:
        failures.pop()


async def student_login(request: web.Request) -> web.Response:
    data = await read_json(request)
    keys = throttle_keys(request, data.get("name"), "student")
    if _throttled(request.app, keys, STUDENT_LOGIN_PER_NAME, STUDENT_LOGIN_PER_ADDRESS):
        return json_error(429, "too many sign-ins from here; wait a few minutes and try again")
    _count_attempt(request.app, keys)  # every sign-in counts: there is no wrong password
    try:
        user = await request.app["run"](request.app["users"].student, data.get("name"))
    except AccountError as exc:
        return json_error(400, str(exc))
    csrf = await sign_in(request, user)
    return web.json_response({"user": user.public(), "csrf": csrf})


def _lower_priority() -> None:
    """Hash threads, and the threads Argon2 starts from them, give way to request handling
    (Linux: a nice value per thread, inherited by the threads it creates)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


class HashBusy(Exception):
    """More sign-ins are waiting for the password hasher than HASH_QUEUE."""


async def verify_staff(app: web.Application, name: object, password: object) -> Optional[User]:
    """Users.authenticate in three steps: the lookup on the database executor, the Argon2
    check (a dummy hash for unknown names) on the hash executor, bounded by HASH_QUEUE."""
    users: Users = app["users"]
    if app["hash_waiting"] >= HASH_QUEUE:  # refused before it costs even a database lookup
        raise HashBusy()
    app["hash_waiting"] += 1
    try:
        candidate = await app["run"](users.staff_candidate, name, password)
        if candidate is None:
            return None
        user, hashed = candidate
        loop = asyncio.get_running_loop()
        ok = await loop.run_in_executor(app["hash_executor"], verify_password, hashed, password)
        if not ok or user is None:
            return None
        await loop.run_in_executor(app["hash_executor"], users.rehash_if_needed, user, hashed, password)
        return user
    finally:
        app["hash_waiting"] -= 1


async def staff_login(request: web.Request) -> web.Response:
    data = await read_json(request)
    name, password = data.get("name"), data.get("password")
    keys = throttle_keys(request, name, "staff")
    if _throttled(request.app, keys, LOGIN_MAX_FAILURES, LOGIN_MAX_PER_ADDRESS):
        return json_error(429, "too many failed sign-ins; wait a few minutes and try again")
    _count_attempt(request.app, keys)
    try:
        user = await verify_staff(request.app, name, password)
    except HashBusy:
        return json_error(503, "too many sign-ins at once; try again in a moment")
    if user is None:
        return json_error(401, "wrong name or password")
    _forgive_attempt(request.app, keys)
    csrf = await sign_in(request, user)
    home = {"assessor": "/assessor/", "educator": "/educator/"}.get(user.role, "/")
    return web.json_response({"user": user.public(), "csrf": csrf, "home": home})


async def logout(request: web.Request) -> web.Response:
    await sign_out(request)
    return web.json_response({"ok": True})


# --- students -----------------------------------------------------------------------------

def _conversation_summary(rec: dict, service: ConversationService) -> dict:
    persona = service.persona_info(rec["persona_id"])
    return {"id": rec["id"], "persona": persona, "created_at": iso(rec["created_at"]),
            "ended_at": iso(rec.get("ended_at")), "status": "ended" if rec.get("ended_at") else "in progress",
            "overall": rec.get("overall"), "chat_url": f"/chat/{rec['id']}", "feedback_url": f"/feedback/{rec['id']}"}


async def my_conversations(request: web.Request) -> web.Response:
    user = await require_user(request)
    app = request.app
    recs = await app["run"](app["records"].conversations_of, user)
    states = await app["run"](app["reflections"].states, [r["id"] for r in recs])
    return web.json_response({"conversations": [dict(_conversation_summary(r, app["service"]),
                                                     reflection=states.get(r["id"], "none")) for r in recs]})


async def create_conversation(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request)
    persona_id = data.get("persona_id")
    registry = request.app["registry"]
    found = await request.app["run"](registry.personas)
    if not isinstance(persona_id, str) or persona_id not in found:
        return json_error(400, "unknown persona", available=sorted(found))
    rec = await request.app["run"](request.app["records"].create_conversation, user, persona_id)
    return web.json_response({"id": rec["id"], "chat_url": f"/chat/{rec['id']}"}, status=201)


def _conversation_detail(service: ConversationService, cid: str, rec: Optional[dict]) -> Optional[dict]:
    events = service.events(cid)
    if not events and rec is None:
        return None
    transcript = service.transcript_of(cid, events)
    persona_id = (rec or {}).get("persona_id") or transcript.persona_id
    return {"id": cid, "persona": service.persona_info(persona_id), "student": (rec or {}).get("student"),
            "created_at": iso((rec or {}).get("created_at") or (events[0].get("timestamp") if events else None)),
            "ended_at": iso((rec or {}).get("ended_at")),
            "status": ("ended" if rec.get("ended_at") else "in progress") if rec else "unknown",
            "started": service.started(events),
            "turns": [{"turn": t.number, "speaker": t.speaker, "text": t.text} for t in transcript.turns]}


async def conversation(request: web.Request) -> web.Response:
    cid = cid_of(request)
    user, rec = await conversation_access(request, cid)
    detail = await request.app["run"](_conversation_detail, request.app["service"], cid, rec)
    if detail is None:
        return json_error(404, "no such conversation")
    detail["mine"] = bool(rec and rec["user_id"] == user.id)
    return web.json_response(detail)


async def socket_token(request: web.Request) -> web.Response:
    """A short-lived token that lets this browser join only this conversation on Rasa's
    Socket.IO channel when the channel requires one ($SPTRAINER_SOCKET_JWT_KEY); else null."""
    cid = cid_of(request)
    _, rec = await conversation_access(request, cid, owner_only=True)
    if rec.get("ended_at"):
        return json_error(409, "this interview has ended; start a new one")
    try:
        from bot.tokens import issue_socket_token
    except ImportError:
        return web.json_response({"token": None})
    return web.json_response({"token": issue_socket_token(cid)})


async def close_on_channels(cid: str) -> Optional[str]:
    """Tell Rasa's channels the interview has ended, so no token opens it again (F5).

    None when done (or when the channels run without tokens: then nothing is closed to
    anyone), else the reason it failed."""
    from bot.tokens import issue_close_token

    token = issue_close_token(cid)
    if token is None:
        return None
    url = settings().rasa_url + "/webhooks/rest/close"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
            async with http.post(url, headers={"Authorization": f"Bearer {token}"}) as r:
                if r.status == 200:
                    return None
                return f"the chat server answered {r.status}"
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        return f"the chat server could not be reached ({type(exc).__name__})"


async def end_conversation(request: web.Request) -> web.Response:
    cid = cid_of(request)
    _, rec = await conversation_access(request, cid, owner_only=True)
    problem = await close_on_channels(cid)
    if problem:
        logger.error("could not close conversation %s on the channels: %s", cid, problem)
        return json_error(503, f"the interview could not be closed: {problem}; try again")
    ended = await request.app["run"](request.app["records"].end_conversation, cid)
    return web.json_response({"id": cid, "ended_at": iso(ended), "feedback_url": f"/feedback/{cid}"})


async def _report(request: web.Request, cid: str, rec: Optional[dict]) -> Tuple[Optional[dict], Optional[str], list]:
    return await request.app["run"](request.app["service"].report_for, cid)


def _report_payload(cid: str, rec: Optional[dict], report: dict, history: list, service: ConversationService) -> dict:
    persona_id = (rec or {}).get("persona_id")
    return {"conversation_id": cid, "student": (rec or {}).get("student"),
            "persona": service.persona_info(persona_id) if persona_id else None, "report": report,
            "overrides": [dict(h, created_at=iso(h["created_at"])) for h in history]}


async def conversation_report(request: web.Request) -> web.Response:
    cid = cid_of(request)
    _, rec = await conversation_access(request, cid)
    report, problem, history = await _report(request, cid, rec)
    if report is None:
        status = 503 if "scorer" in (problem or "") else 409
        return json_error(status, problem or "no report")
    return web.json_response(_report_payload(cid, rec, report, history, request.app["service"]))


def _attachment(name: str, body: str, content_type: str) -> web.Response:
    # The name may carry a persona id taken from the chat (any text a student sent): keep it
    # to safe characters so it can neither break the header nor name a path.
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
    return web.Response(text=body, content_type=content_type, charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _stamp(rec: Optional[dict]) -> str:
    ts = (rec or {}).get("created_at") or time.time()
    return time.strftime("%Y%m%d-%H%M", time.gmtime(ts))


async def download_transcript(request: web.Request) -> web.Response:
    cid = cid_of(request)
    _, rec = await conversation_access(request, cid)
    service = request.app["service"]
    events = await request.app["run"](service.events, cid)
    transcript = service.transcript_of(cid, events)
    body = dict(transcript.to_json(), conversation_id=cid)
    name = f"transcript-{transcript.persona_id or 'unknown'}-{_stamp(rec)}.json"
    return _attachment(name, json.dumps(body, indent=2, ensure_ascii=False) + "\n", "application/json")


async def download_report(request: web.Request) -> web.Response:
    cid = cid_of(request)
    _, rec = await conversation_access(request, cid)
    report, problem, history = await _report(request, cid, rec)
    if report is None:
        return json_error(503 if "scorer" in (problem or "") else 409, problem or "no report")
    body = _report_payload(cid, rec, report, history, request.app["service"])
    name = f"report-{(rec or {}).get('persona_id') or 'unknown'}-{_stamp(rec)}.json"
    return _attachment(name, json.dumps(body, indent=2, ensure_ascii=False) + "\n", "application/json")


# --- assessors ----------------------------------------------------------------------------

ASSESSOR = ("assessor",)


async def assessor_list(request: web.Request) -> web.Response:
    await require_user(request, ASSESSOR)
    f = listing.Filters.parse(request.query)
    rows = await request.app["run"](request.app["service"].rows)
    return web.json_response(listing.page(f.apply(rows), f))


async def assessor_export(request: web.Request) -> web.Response:
    await require_user(request, ASSESSOR)
    fmt = request.query.get("format", "csv")
    if fmt not in ("csv", "json"):
        return json_error(400, "format must be csv or json")
    f = listing.Filters.parse(request.query)
    rows = f.apply(await request.app["run"](request.app["service"].rows))
    stamp = time.strftime("%Y%m%d-%H%M", time.gmtime())
    if fmt == "csv":
        return _attachment(f"conversations-{stamp}.csv", listing.to_csv(rows), "text/csv")
    body = json.dumps([listing.public_row(r) for r in rows], indent=2, ensure_ascii=False) + "\n"
    return _attachment(f"conversations-{stamp}.json", body, "application/json")


async def assessor_cohort(request: web.Request) -> web.Response:
    await require_user(request, ASSESSOR)
    f = listing.Filters.parse(request.query)
    rows = f.apply(await request.app["run"](request.app["service"].rows))
    return web.json_response(listing.cohort(rows))


async def assessor_conversation(request: web.Request) -> web.Response:
    await require_user(request, ASSESSOR)
    cid = cid_of(request)
    app = request.app
    rec = await app["run"](app["records"].conversation, cid)
    detail = await app["run"](_conversation_detail, app["service"], cid, rec)
    if detail is None:
        return json_error(404, "no such conversation")
    report, problem, history = await _report(request, cid, rec)
    detail["report"] = report
    detail["report_problem"] = problem
    detail["overrides"] = [dict(h, created_at=iso(h["created_at"])) for h in history]
    return web.json_response(detail)


async def assessor_override(request: web.Request) -> web.Response:
    user = await require_user(request, ASSESSOR)
    cid = cid_of(request)
    data = await read_json(request)
    domain_id, score, comment = data.get("domain_id"), data.get("score"), data.get("comment")
    if not isinstance(comment, str) or not comment.strip():
        return json_error(400, "a comment is required: say why the score changes")
    if len(comment) > 2000:
        return json_error(400, "comments are at most 2000 characters")
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 5:
        return json_error(400, "score must be a number from 0 to 5")
    report, problem, _ = await _report(request, cid, None)
    if report is None:
        return json_error(409, problem or "this conversation has no score to override")
    domains = {d.get("id"): d for d in report.get("domains") or []}
    if domain_id not in domains:
        return json_error(400, "unknown domain", available=sorted(k for k in domains if k))
    original = domains[domain_id].get("original_score")
    saved = await request.app["run"](request.app["records"].add_override, cid, domain_id, original,
                                     float(score), comment.strip(), user)
    saved["created_at"] = iso(saved["created_at"])
    return web.json_response(saved, status=201)


# --- reflections, progress, teaching packs (issue 7) --------------------------------------

STUDENT = ("student",)


def _reflection_payload(user: User, rec: Optional[dict], thread: dict) -> dict:
    owner = bool(rec and rec["user_id"] == user.id)
    why_not = None
    if not owner:
        why_not = "only the student who did the interview can write its reflection"
    elif not rec.get("ended_at"):
        why_not = "end the interview first, then reflect on it"
    reflection = thread["reflection"]
    if reflection is not None:
        reflection = dict(reflection, created_at=iso(reflection["created_at"]), updated_at=iso(reflection["updated_at"]))
    return {"conversation_id": (rec or {}).get("id"), "reflection": reflection, "state": thread["state"],
            "answers": [dict(a, created_at=iso(a["created_at"])) for a in thread["answers"]],
            "mine": owner, "can_write": why_not is None, "why_not": why_not,
            "can_answer": user.role == "assessor" and reflection is not None,
            "fields": [{"id": k, "label": label, "prompt": prompt} for k, label, prompt in FIELDS],
            "limits": {"field": MAX_FIELD, "answer": MAX_ANSWER}}


async def get_reflection(request: web.Request) -> web.Response:
    """The reflection on a conversation and its answers: for the owner and for assessors."""
    cid = cid_of(request)
    user, rec = await conversation_access(request, cid)
    thread = await request.app["run"](request.app["reflections"].thread, cid)
    return web.json_response(dict(_reflection_payload(user, rec, thread), conversation_id=cid))


async def save_reflection(request: web.Request) -> web.Response:
    """Write or edit the reflection: the conversation's owner only, once the interview has ended."""
    cid = cid_of(request)
    user, rec = await conversation_access(request, cid, owner_only=True)
    data = await read_json(request)
    if not rec.get("ended_at"):
        return json_error(409, "end the interview first, then reflect on it")
    app = request.app
    try:
        await app["run"](app["reflections"].save, cid, user, data)
    except ReflectionError as exc:
        return json_error(exc.status, str(exc), field=exc.field)
    thread = await app["run"](app["reflections"].thread, cid)
    return web.json_response(dict(_reflection_payload(user, rec, thread), conversation_id=cid))


async def answer_reflection(request: web.Request) -> web.Response:
    user = await require_user(request, ASSESSOR)
    cid = cid_of(request)
    data = await read_json(request)
    app = request.app
    rec = await app["run"](app["records"].conversation, cid)
    if rec is None:
        return json_error(404, "no such conversation")
    try:
        await app["run"](app["reflections"].answer, cid, user, data.get("text"))
    except ReflectionError as exc:
        return json_error(exc.status, str(exc), field=exc.field)
    thread = await app["run"](app["reflections"].thread, cid)
    return web.json_response(dict(_reflection_payload(user, rec, thread), conversation_id=cid), status=201)


async def my_progress(request: web.Request) -> web.Response:
    user = await require_user(request, STUDENT)
    return web.json_response(await request.app["run"](student_progress, request.app["service"], user))


async def assessor_teaching_pack(request: web.Request) -> web.Response:
    """An anonymised teaching pack (pack.html and pack.json) of the selected conversations."""
    user = await require_user(request, ASSESSOR)
    data = await read_json(request)
    try:
        html_text, pack, json_text = await request.app["run"](
            packs.teaching_pack, request.app["service"], request.app["registry"], data.get("ids"))
    except packs.PackError as exc:
        return json_error(exc.status, str(exc))
    logger.info("teaching pack of %d conversation(s) exported by user %s", len(pack["transcripts"]), user.id)
    return web.json_response({"count": len(pack["transcripts"]), "created": pack["created"],
                              "files": {PACK_HTML: html_text, PACK_JSON: json_text}})


# --- educators ----------------------------------------------------------------------------

EDUCATOR = ("educator",)


async def educator_personas(request: web.Request) -> web.Response:
    await require_user(request, EDUCATOR)
    return web.json_response(await request.app["run"](educator.persona_files, request.app["registry"]))


async def educator_preview(request: web.Request) -> web.Response:
    await require_user(request, EDUCATOR)
    persona_id = request.match_info["persona_id"]
    preview = await request.app["run"](educator.preview, request.app["registry"], persona_id)
    if preview is None:
        return json_error(404, "no valid persona with this id")
    return web.json_response(preview)


# --- the app ------------------------------------------------------------------------------

def create_app(db: Optional[AppDB] = None, registry: Optional[PersonaRegistry] = None,
               key: Optional[bytes] = None, warm_up: bool = True) -> web.Application:
    storage = SessionCookieStorage(key or secret_key(), cookie_name=COOKIE_NAME, max_age=SESSION_SECONDS,
                                   httponly=True, samesite="Lax", secure=secure_cookies(), path="/")
    app = web.Application(client_max_size=256 * 1024, middlewares=[
        headers_middleware, session_middleware(storage), denied_middleware, csrf_middleware])
    db = db or AppDB()
    db.ensure_schema()
    db.check()  # a damaged file stops the start-up (DatabaseDamaged names it)
    registry = registry or default_registry()
    records = Records(db)
    app["db"] = db
    app["users"] = Users(db)
    app["sessions"] = Sessions(db)
    app["records"] = records
    app["reflections"] = Reflections(db)
    app["registry"] = registry
    app["service"] = ConversationService(records, registry)
    app["executor"] = ThreadPoolExecutor(max_workers=4, thread_name_prefix="web")
    app["hash_executor"] = ThreadPoolExecutor(max_workers=HASH_WORKERS, thread_name_prefix="hash",
                                              initializer=_lower_priority)
    app["hash_waiting"] = 0
    app["run"] = functools.partial(run, app)
    app["rasa_public"] = rasa_public_url
    app["login_failures"] = defaultdict(deque)

    async def _close(app_: web.Application) -> None:
        app_["executor"].shutdown(wait=False, cancel_futures=True)
        app_["hash_executor"].shutdown(wait=False, cancel_futures=True)

    async def _warm_up(app_: web.Application) -> None:
        ids = sorted(registry.personas())
        app_["warm_up"] = asyncio.get_running_loop().run_in_executor(
            app_["executor"], app_["service"].scorer.warm_up, ids[0] if ids else None)

    async def _hasher_ready(app_: web.Application) -> None:
        # Import argon2 and make the dummy hash now, not under the first sign-in (an import
        # holds the GIL, and would stall every request while the first flood arrives).
        await asyncio.get_running_loop().run_in_executor(app_["hash_executor"], verify_password, None, "warm-up")

    app.on_startup.append(_hasher_ready)
    if warm_up:
        app.on_startup.append(_warm_up)
    app.on_cleanup.append(_close)

    r = app.router
    # pages
    r.add_get("/", page("index.html"))
    r.add_get("/login", page("login.html"))
    r.add_get("/chat/{cid}", page("chat.html", conversation=True))
    r.add_get("/feedback/{cid}", page("feedback.html", conversation=True))
    r.add_get("/progress", page("progress.html", STUDENT))
    r.add_get("/assessor", redirect("/assessor/"))
    r.add_get("/assessor/", page("assessor/index.html", ASSESSOR))
    r.add_get("/assessor/cohort", page("assessor/cohort.html", ASSESSOR))
    r.add_get("/assessor/conversations/{cid}", page("assessor/conversation.html", ASSESSOR))
    r.add_get("/assessor/{tail:.*}", not_found(ASSESSOR))
    r.add_get("/educator", redirect("/educator/"))
    r.add_get("/educator/", page("educator/index.html", EDUCATOR))
    r.add_get("/educator/{tail:.*}", not_found(EDUCATOR))
    for folder in ("css", "js", "vendor"):
        r.add_static(f"/static/{folder}/", FRONTEND / folder, show_index=False, follow_symlinks=False)
    # API
    r.add_get("/api/health", health)
    r.add_get("/api/config", config)
    r.add_get("/api/session", session_info)
    r.add_get("/api/personas", personas)
    r.add_post("/api/student/login", student_login)
    r.add_post("/api/login", staff_login)
    r.add_post("/api/logout", logout)
    r.add_get("/api/my/conversations", my_conversations)
    r.add_post("/api/conversations", create_conversation)
    r.add_get("/api/conversations/{cid}", conversation)
    r.add_get("/api/conversations/{cid}/socket-token", socket_token)
    r.add_post("/api/conversations/{cid}/end", end_conversation)
    r.add_get("/api/conversations/{cid}/report", conversation_report)
    r.add_get("/api/conversations/{cid}/transcript.json", download_transcript)
    r.add_get("/api/conversations/{cid}/report.json", download_report)
    r.add_get("/api/conversations/{cid}/reflection", get_reflection)
    r.add_post("/api/conversations/{cid}/reflection", save_reflection)
    r.add_get("/api/my/progress", my_progress)
    r.add_get("/api/assessor/conversations", assessor_list)
    r.add_get("/api/assessor/conversations/export", assessor_export)
    r.add_get("/api/assessor/cohort", assessor_cohort)
    r.add_get("/api/assessor/conversations/{cid}", assessor_conversation)
    r.add_post("/api/assessor/conversations/{cid}/overrides", assessor_override)
    r.add_post("/api/assessor/conversations/{cid}/reflection/answers", answer_reflection)
    r.add_post("/api/assessor/teaching-pack", assessor_teaching_pack)
    r.add_get("/api/educator/personas", educator_personas)
    r.add_get("/api/educator/personas/{persona_id}/preview", educator_preview)
    r.add_route("*", "/api/assessor/{tail:.*}", not_found(ASSESSOR))
    r.add_route("*", "/api/educator/{tail:.*}", not_found(EDUCATOR))
    return app
