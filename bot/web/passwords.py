"""Staff password checks off the database threads: Argon2 (~0.2 s of several cores each) runs
on its own small, lower-priority executor, and only so many sign-ins may wait for it."""
from __future__ import annotations

import asyncio
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, Optional

from bot.accounts import User, Users
from bot.accounts.users import verify_password


def lower_priority() -> None:
    """Hash threads, and the threads Argon2 starts from them, give way to request handling
    (Linux: a nice value per thread, inherited by the threads it creates)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


class HashBusy(Exception):
    """More sign-ins are waiting for the password hasher than the queue allows."""


class PasswordChecker:
    def __init__(self, users: Users, workers: int, queue: int) -> None:
        self.users = users
        self.queue = queue
        self.waiting = 0
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hash", initializer=lower_priority)

    async def _hash(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def warm_up(self) -> None:
        """Import argon2 and make the dummy hash now, not under the first sign-in (an import holds
        the GIL, and would stall every request while the first flood arrives)."""
        await self._hash(verify_password, None, "warm-up")

    async def verify_staff(self, run_db: Callable[..., Awaitable[Any]], name: object, password: object) -> Optional[User]:
        """Users.authenticate in three steps: the lookup on the database executor (``run_db``),
        the Argon2 check (a dummy hash for unknown names) on the hash executor, bounded by the queue."""
        if self.waiting >= self.queue:  # refused before it costs even a database lookup
            raise HashBusy()
        self.waiting += 1
        try:
            candidate = await run_db(self.users.staff_candidate, name, password)
            if candidate is None:
                return None
            user, hashed = candidate
            ok = await self._hash(verify_password, hashed, password)
            if not ok or user is None or hashed is None:
                return None
            await self._hash(self.users.rehash_if_needed, user, hashed, password)
            return user
        finally:
            self.waiting -= 1

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
