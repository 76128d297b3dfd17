"""A Redis lock store whose ticket operations are atomic across Rasa servers.

Rasa Open Source 3.6's `RedisLockStore` keeps each conversation's ticket queue as one JSON
value and changes it by read-modify-write (GET, edit in Python, SET). Two servers issuing
tickets for the same conversation at the same moment can both read queue [5], both append
ticket 6 and both believe they are being served: the turns then run side by side, and the
SQL tracker store keeps only one of them (seen in CI: a student's message vanished from the
transcript while its reply had been sent). Rasa's fix (`ConcurrentRedisLockStore`) ships
only in Rasa Pro.

This store keeps Rasa's data format and ticket-lock algorithm and wraps every change of a
queue in a Redis optimistic transaction (WATCH / MULTI / EXEC, retried on conflict), so
tickets are unique and served strictly in order whichever server issued them. It also
polls for its turn every 50 ms instead of every second: a queued turn of the same
conversation waits for the one ahead of it, not for the next tick of a one-second clock.

endpoints.yml: `lock_store: {type: bot.plugins.locks.AtomicRedisLockStore, url: ..., port: ..., db: ...}`
"""
from __future__ import annotations

import json
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional, Text, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

POLL_SECONDS = 0.05

Result = TypeVar("Result")
Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Result]]


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` with ticket issue, expiry and release as atomic Redis transactions."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        # Rasa builds lock stores named by module path with `endpoint_config=` only.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: Text, change: "Change[Result]") -> Result:
        """Apply `change` to the stored queue atomically; an empty queue is deleted."""
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> Result:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new_lock, result = change(lock)
            pipe.multi()
            if new_lock is None or not new_lock.tickets:
                pipe.delete(key)
            else:
                pipe.set(key, new_lock.dumps())
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Append a ticket to the conversation's queue; no two callers get the same number."""

        def issue(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as e:  # same contract as Rasa's: any storage failure is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def update_lock(self, conversation_id: Text) -> None:
        """Drop expired tickets (a crashed server's turn must not block the queue forever)."""

        def expire(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, expire)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove a served ticket; the queue key goes when no ticket is left."""

        def release(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, release)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Release in one transaction: Rasa's separate 'anyone waiting? then delete' step
        could delete a ticket issued in between."""
        self.finish_serving(conversation_id, ticket_number)

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = POLL_SECONDS) -> AsyncGenerator[TicketLock, None]:
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as ticket_lock:
            yield ticket_lock
