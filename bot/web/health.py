"""The app database's health, checked at most every few seconds (health is polled)."""
from __future__ import annotations

import logging
import threading
import time
from typing import Optional, Tuple

from bot.accounts.db import AppDB, DatabaseDamaged

logger = logging.getLogger(__name__)


class DatabaseHealth:
    """The last ``quick_check`` result and when it ran; forgotten when a request finds damage,
    so the next health call checks again."""

    def __init__(self, db: AppDB, every_seconds: float) -> None:
        self.db = db
        self.every_seconds = every_seconds
        self._last: Optional[Tuple[float, Optional[str]]] = None
        self._lock = threading.Lock()

    def problem(self) -> Optional[str]:
        """None when the database is sound, else what is wrong (blocking: run it on the executor)."""
        with self._lock:
            last = self._last
        if last is None or time.monotonic() - last[0] > self.every_seconds:
            try:
                self.db.check()
                problem = None
            except DatabaseDamaged as exc:
                problem = str(exc)
                logger.error("%s", problem)
            last = (time.monotonic(), problem)
            with self._lock:
                self._last = last
        return last[1]

    def forget(self) -> None:
        with self._lock:
            self._last = None
