"""Sign-in throttles: failures (and attempts in flight) per normalised name and client address,
and per address alone, in a sliding window. One home for staff and student sign-in."""
from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Deque, Dict, Tuple

from bot.accounts.users import login_key

WINDOW_SECONDS = 300.0

Keys = Tuple[str, str]


class SignInThrottle:
    def __init__(self, window: float = WINDOW_SECONDS) -> None:
        self.window = window
        self._stamps: Dict[str, Deque[float]] = defaultdict(deque)

    @staticmethod
    def keys(kind: str, raw_name: object, address: str) -> Keys:
        """(name key, address key): the name as sign-in normalises it (users.login_key) with the
        client address, and the address alone; ``kind`` keeps staff and students apart."""
        return f"{kind}|{login_key(raw_name)}|{address}", f"{kind}|@{address}"

    def recent(self, key: str) -> int:
        """Attempts recorded under ``key`` in the window."""
        stamps = self._stamps.get(key)
        if not stamps:
            return 0
        cutoff = time.monotonic() - self.window
        while stamps and stamps[0] < cutoff:
            stamps.popleft()
        if not stamps:
            del self._stamps[key]
        return len(stamps)

    def throttled(self, keys: Keys, per_name: int, per_address: int) -> bool:
        return self.recent(keys[0]) >= per_name or self.recent(keys[1]) >= per_address

    def count(self, keys: Keys) -> None:
        """Counted before the credential is checked, so concurrent guesses are throttled as well."""
        stamp = time.monotonic()
        for key in keys:
            self._stamps[key].append(stamp)

    def forgive(self, keys: Keys) -> None:
        """A successful sign-in clears its name's attempts and its own attempt on the address."""
        self._stamps.pop(keys[0], None)
        stamps = self._stamps.get(keys[1])
        if stamps:
            stamps.pop()
