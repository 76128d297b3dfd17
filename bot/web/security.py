"""Sessions, sign-in state, CSRF and security headers for the web app.

- Sessions: aiohttp-session's EncryptedCookieStorage (Fernet). The cookie carries a CSRF
  token and, once signed in, a random token whose SHA-256 is looked up in the app database
  (so signing out really ends the session). Cookies are HttpOnly, SameSite=Lax, and Secure
  when ``SPTRAINER_SECURE_COOKIES=1`` (needed behind HTTPS; off by default so plain-http
  localhost works).
- Key: ``$SPTRAINER_SECRET_KEY`` (any long random string), else generated once into
  ``<var>/secret_key`` with 0600 permissions.
- CSRF: every POST/PUT/PATCH/DELETE must carry the session's token in the ``X-CSRF-Token``
  header (or a ``csrf_token`` form field), and a cross-site Origin is refused.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import stat
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Sequence

from aiohttp import web
from aiohttp_session import get_session, new_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from bot.accounts.users import User
from bot.settings import settings
from bot.web import keys

logger = logging.getLogger(__name__)

COOKIE_NAME = "sptrainer_session"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def var_dir() -> Path:
    return settings().var_dir


def secret_key(directory: Optional[Path] = None) -> bytes:
    """32 bytes for Fernet: from $SPTRAINER_SECRET_KEY, else a key file created once (0600)."""
    env = settings().secret_key
    if env:
        if len(env) < 32:
            raise RuntimeError("SPTRAINER_SECRET_KEY must be at least 32 characters of random text")
        return hashlib.sha256(env.encode("utf-8")).digest()
    path = (directory or var_dir()) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            logger.warning("%s was readable by others (mode %o); restricting it to 0600", path, mode)
            os.chmod(path, 0o600)
        raw = base64.urlsafe_b64decode(path.read_bytes().strip())
        if len(raw) != 32:
            raise RuntimeError(f"{path} does not hold a 32-byte key; delete it to generate a new one") from None
        return raw
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as fh:
        fh.write(base64.urlsafe_b64encode(key) + b"\n")
    logger.info("generated a new session key in %s", path)
    return key


def secure_cookies() -> bool:
    return settings().secure_cookies


class SessionCookieStorage(EncryptedCookieStorage):
    """EncryptedCookieStorage whose sign-out cookie (the one that deletes the session) keeps the
    Secure, HttpOnly and SameSite flags of every other: aiohttp-session's del_cookie drops them."""

    def save_cookie(self, response: web.StreamResponse, cookie_data: str, *, max_age: Optional[int] = None) -> None:
        if cookie_data:
            super().save_cookie(response, cookie_data, max_age=max_age)
            return
        params: Dict[str, Any] = dict(self._cookie_params, max_age=0, expires="Thu, 01 Jan 1970 00:00:00 GMT")
        response.set_cookie(self.cookie_name, "", **params)


async def csrf_token(request: web.Request) -> str:
    session = await get_session(request)
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


async def current_user(request: web.Request) -> Optional[User]:
    if "user" in request:
        return request["user"]
    session = await get_session(request)
    user = None
    token = session.get("auth")
    if token:
        codes_on = settings().student_access == "code"  # a student's session needs a cohort's code
        user = await keys.run(request.app, request.app[keys.SESSIONS].user, token, codes_on)
        if user is None:
            session.pop("auth", None)
    request["user"] = user
    return user


async def sign_in(request: web.Request, user: User, cohort_id: Optional[int] = None) -> str:
    """A fresh session (new CSRF token, new auth token) for ``user``, opened by the access code of
    ``cohort_id`` if any; returns the CSRF token."""
    session = await get_session(request)
    old = session.get("auth")
    if old:
        await keys.run(request.app, request.app[keys.SESSIONS].end, old)
    token = await keys.run(request.app, request.app[keys.SESSIONS].create, user, cohort_id)
    session.invalidate()
    session = await new_session(request)  # new cookie, new creation time: no session fixation
    session["auth"] = token
    session["csrf"] = secrets.token_urlsafe(32)
    request["user"] = user
    return session["csrf"]


async def sign_out(request: web.Request) -> None:
    session = await get_session(request)
    token = session.get("auth")
    if token:
        await keys.run(request.app, request.app[keys.SESSIONS].end, token)
    session.invalidate()
    request["user"] = None


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    host = origin.split("://", 1)[-1].rstrip("/")
    return host.lower() == (request.host or "").lower()


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method in UNSAFE_METHODS:
        if not _same_origin(request):
            return json_error(403, "cross-site request refused")
        session = await get_session(request)
        expected = session.get("csrf")
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            field = (await request.post()).get("csrf_token")
            sent = field if isinstance(field, str) else None
        if not isinstance(expected, str) or not isinstance(sent, str) or not hmac.compare_digest(expected, sent):
            return json_error(403, "missing or wrong CSRF token; reload the page and try again")
    return await handler(request)


def content_security_policy(request: web.Request) -> str:
    rasa = request.app[keys.RASA_PUBLIC](request)
    ws = rasa.replace("https://", "wss://").replace("http://", "ws://")
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
            f"connect-src 'self' {rasa} {ws}; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'")


@web.middleware
async def headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status >= 400 and request.path.startswith("/api/"):
            response = json_error(exc.status, exc.reason)
        else:
            raise
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if response.content_type == "text/html" or request.path.startswith("/api/"):
        response.headers.setdefault("Content-Security-Policy", content_security_policy(request))
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def json_error(status: int, message: str, **extra: object) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


class Denied(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def require_user(request: web.Request, roles: Optional[Sequence[str]] = None) -> User:
    """The signed-in user with one of ``roles``; raises Denied(401) or Denied(403)."""
    user = await current_user(request)
    if user is None:
        raise Denied(401, "sign in first")
    if roles is not None and user.role not in roles:
        raise Denied(403, "you do not have access to this")
    return user
