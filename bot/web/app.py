"""The web app (port 8080): the app factory and its middleware. Pages are static files in
frontend/; data comes from the JSON API under /api/ (every route: bot/web/routes.py; the
handlers, per audience: bot/web/handlers/). Students chat with Rasa's Socket.IO channel
directly; this app creates their conversation ids, records who owns which, and serves
transcripts, feedback, the assessor and educator views.
"""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Optional
from urllib.parse import quote

from aiohttp import web
from aiohttp_session import session_middleware

from bot.accounts import AppDB, Records, Sessions, Users
from bot.accounts.cohorts import Cohorts
from bot.accounts.db import DatabaseDamaged
from bot.accounts.reflections import Reflections
from bot.accounts.users import SESSION_SECONDS
from bot.personas import PersonaRegistry, default_registry
from bot.settings import settings
from bot.web import listing
from bot.web.access import http_timeout
from bot.web.handlers.public import rasa_public_url
from bot.web.health import DatabaseHealth
from bot.web.keys import (
    COHORTS,
    DB,
    DB_HEALTH,
    EXECUTOR,
    PASSWORDS,
    RASA_PUBLIC,
    RECORDS,
    REFLECTIONS,
    REGISTRY,
    SERVICE,
    SESSIONS,
    THROTTLE,
    USERS,
)
from bot.web.pages import page_response
from bot.web.passwords import PasswordChecker
from bot.web.routes import setup_routes
from bot.web.security import (
    COOKIE_NAME,
    Denied,
    Handler,
    SessionCookieStorage,
    csrf_middleware,
    headers_middleware,
    json_error,
    secret_key,
    secure_cookies,
)
from bot.web.service import ConversationService
from bot.web.throttle import SignInThrottle

__all__ = ["create_app", "http_timeout"]

logger = logging.getLogger(__name__)

DATABASE_WORKERS = 4


def _denied(request: web.Request, exc: Denied) -> web.StreamResponse:
    """A refusal as the API's JSON, a redirect to sign in, or the 403/404 page."""
    if request.path.startswith("/api/"):
        return json_error(exc.status, exc.message)
    if exc.status == 401:
        if request.path.startswith(("/assessor", "/educator")):
            sign_in_page = "/login?next="
        elif settings().student_access == "code":
            sign_in_page = "/login?as=student&next="  # the page with the access-code field
        else:
            sign_in_page = "/?next="
        raise web.HTTPFound(sign_in_page + quote(request.path_qs, safe="/")) from None
    return page_response(f"{exc.status}.html" if exc.status in (403, 404) else "403.html", status=exc.status)


@web.middleware
async def denied_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except Denied as exc:
        return _denied(request, exc)
    except listing.FilterError as exc:
        return json_error(400, str(exc))
    except web.HTTPException:
        raise
    except DatabaseDamaged as exc:
        logger.error("%s %s: %s", request.method, request.path, exc)
        request.app[DB_HEALTH].forget()
        if request.path.startswith("/api/"):
            return json_error(500, "the app database is damaged; an administrator has to restore it")
        raise
    except Exception:  # noqa: BLE001 - an unexpected error on the API is still JSON
        if not request.path.startswith("/api/"):
            raise
        logger.exception("%s %s failed", request.method, request.path)
        return json_error(500, "something went wrong on the server; try again, and tell an administrator if it persists")


def _store_state(app: web.Application, db: AppDB, registry: PersonaRegistry) -> None:
    """Everything handlers share, each under its key (bot/web/keys.py)."""
    s = settings()
    records = Records(db)
    users = Users(db)
    app[DB] = db
    app[USERS] = users
    app[SESSIONS] = Sessions(db)
    app[RECORDS] = records
    app[REFLECTIONS] = Reflections(db)
    app[COHORTS] = Cohorts(db)
    app[REGISTRY] = registry
    app[SERVICE] = ConversationService(records, registry)
    app[EXECUTOR] = ThreadPoolExecutor(max_workers=DATABASE_WORKERS, thread_name_prefix="web")
    app[PASSWORDS] = PasswordChecker(users, workers=s.hash_workers, queue=s.hash_queue)
    app[THROTTLE] = SignInThrottle()
    app[DB_HEALTH] = DatabaseHealth(db, s.health_check_seconds)
    app[RASA_PUBLIC] = rasa_public_url


async def _close(app: web.Application) -> None:
    app[EXECUTOR].shutdown(wait=False, cancel_futures=True)
    app[PASSWORDS].close()


async def _hasher_ready(app: web.Application) -> None:
    await app[PASSWORDS].warm_up()


async def _warm_up(app: web.Application) -> None:
    """Load the scorer in the background, so a student's first "End interview" does not wait."""
    ids = sorted(app[REGISTRY].personas())
    # Not awaited: the app serves while the scorer loads (Scorer.warm_up logs its own failures).
    asyncio.get_running_loop().run_in_executor(app[EXECUTOR], app[SERVICE].scorer.warm_up, ids[0] if ids else None)


def create_app(db: Optional[AppDB] = None, registry: Optional[PersonaRegistry] = None,
               key: Optional[bytes] = None, warm_up: bool = True) -> web.Application:
    storage = SessionCookieStorage(key or secret_key(), cookie_name=COOKIE_NAME, max_age=SESSION_SECONDS,
                                   httponly=True, samesite="Lax", secure=secure_cookies(), path="/")
    app = web.Application(client_max_size=256 * 1024, middlewares=[
        headers_middleware, session_middleware(storage), denied_middleware, csrf_middleware])
    db = db or AppDB()
    db.ensure_schema()
    db.check()  # a damaged file stops the start-up (DatabaseDamaged names it)
    _store_state(app, db, registry or default_registry())
    # aiosignal 1.4 types Signal over a ParamSpec; aiohttp 3.9 still names it with a Callable.
    app.on_startup.append(_hasher_ready)  # type: ignore[arg-type]
    if warm_up:
        app.on_startup.append(_warm_up)  # type: ignore[arg-type]
    app.on_cleanup.append(_close)  # type: ignore[arg-type]
    setup_routes(app)
    return app
