"""Everything the web app keeps on its aiohttp Application, each under a typed key
(aiohttp's ``web.AppKey``), and ``run``: the one way handlers reach blocking code."""
from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from aiohttp import web

from bot.accounts import AppDB, Records, Sessions, Users
from bot.accounts.cohorts import Cohorts
from bot.accounts.reflections import Reflections
from bot.personas import PersonaRegistry
from bot.web.health import DatabaseHealth
from bot.web.passwords import PasswordChecker
from bot.web.service import ConversationService
from bot.web.throttle import SignInThrottle

T = TypeVar("T")

DB = web.AppKey("db", AppDB)
USERS = web.AppKey("users", Users)
SESSIONS = web.AppKey("sessions", Sessions)
RECORDS = web.AppKey("records", Records)
REFLECTIONS = web.AppKey("reflections", Reflections)
COHORTS = web.AppKey("cohorts", Cohorts)
REGISTRY = web.AppKey("registry", PersonaRegistry)
SERVICE = web.AppKey("service", ConversationService)
#: Database reads and writes, the scorer: every blocking call a request makes.
EXECUTOR = web.AppKey("executor", ThreadPoolExecutor)
PASSWORDS = web.AppKey("passwords", PasswordChecker)
THROTTLE = web.AppKey("throttle", SignInThrottle)
DB_HEALTH = web.AppKey("db_health", DatabaseHealth)
#: Where browsers reach Rasa's Socket.IO channel, for a request (the CSP names it).
RASA_PUBLIC: web.AppKey[Callable[[web.Request], str]] = web.AppKey("rasa_public")


async def run(app: web.Application, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` on the app's executor, so the event loop never blocks."""
    return await asyncio.get_running_loop().run_in_executor(app[EXECUTOR], functools.partial(fn, *args, **kwargs))
