"""The Redis lock store under real contention: separate processes (as separate Rasa servers
are) take turns on one conversation on a real redis-server. Rasa 3.6's own RedisLockStore
fails these: its GET-edit-SET ticket queue hands the same ticket to two servers.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import time
import uuid
from pathlib import Path
from typing import List

import pytest
import redis

from bot.plugins.locks import AtomicRedisLockStore
from bot.process.services import Redis, missing_packages
from tests.conftest import free_port

WORKERS = 4


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory):
    assert "redis-server" not in missing_packages(), "needs redis-server: apt-get install redis-server (or `make services`)"
    server = Redis(port=free_port(), data_dir=tmp_path_factory.mktemp("redis")).start()
    yield server.port
    server.stop()


def _store(port: int) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host="127.0.0.1", port=port, db=1, key_prefix="test")


def _issue_many(port: int, conversation: str, start_at: float, count: int) -> List[int]:
    store = _store(port)
    while time.time() < start_at:
        pass
    return [store.issue_ticket(conversation) for _ in range(count)]


def _increment_under_lock(port: int, conversation: str, start_at: float, count: int) -> int:
    """A deliberately racy read-sleep-write of a counter: correct only under mutual exclusion."""
    store = _store(port)
    counter = redis.Redis(host="127.0.0.1", port=port, db=2)

    async def run() -> None:
        async def one() -> None:
            async with store.lock(conversation):
                value = int(counter.get(conversation) or 0)
                await asyncio.sleep(0.002)
                counter.set(conversation, value + 1)
        await asyncio.gather(*(one() for _ in range(count)))

    while time.time() < start_at:
        pass
    try:
        asyncio.run(asyncio.wait_for(run(), timeout=60))
    except asyncio.TimeoutError:
        return -1  # a turn never got the lock
    return count


def _in_processes(target, port: int, conversation: str, count: int) -> list:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
        start_at = time.time() + 3  # after every worker has started and imported
        futures = [pool.submit(target, port, conversation, start_at, count) for _ in range(WORKERS)]
        return [f.result(timeout=120) for f in futures]


def test_tickets_issued_at_once_by_several_servers_are_all_different(redis_port):
    conversation = f"tickets-{uuid.uuid4().hex[:8]}"
    issued = [n for batch in _in_processes(_issue_many, redis_port, conversation, 150) for n in batch]
    assert len(issued) == WORKERS * 150
    assert len(set(issued)) == len(issued), "two servers were handed the same ticket"


def test_turns_of_one_conversation_never_overlap_across_servers(redis_port):
    conversation = f"mutex-{uuid.uuid4().hex[:8]}"
    finished = _in_processes(_increment_under_lock, redis_port, conversation, 15)
    assert -1 not in finished, "a turn waited a minute and never got the lock"
    done = sum(finished)
    value = int(redis.Redis(host="127.0.0.1", port=redis_port, db=2).get(conversation))
    assert value == done == WORKERS * 15, "two turns of one conversation ran at the same time"
    assert not redis.Redis(host="127.0.0.1", port=redis_port, db=1).keys(f"test:*{conversation}"), \
        "a released queue was left behind"


def test_a_crashed_servers_ticket_expires_instead_of_blocking_the_conversation(redis_port):
    conversation = f"crash-{uuid.uuid4().hex[:8]}"
    store = _store(redis_port)
    store.issue_ticket(conversation, lock_lifetime=0.3)  # taken, never released

    async def next_turn() -> float:
        started = time.monotonic()
        async with store.lock(conversation):
            return time.monotonic() - started

    # In a thread of its own: other tests (the browser ones) may leave this thread's loop running.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        waited = thread.submit(asyncio.run, asyncio.wait_for(next_turn(), timeout=10)).result()
    assert waited >= 0.2


def test_rasa_builds_it_from_endpoints_yml(redis_port, tmp_path: Path):
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import read_endpoint_config

    path = tmp_path / "endpoints.yml"
    path.write_text(f"lock_store:\n  type: bot.plugins.locks.AtomicRedisLockStore\n  url: 127.0.0.1\n"
                    f"  port: {redis_port}\n  db: 1\n  key_prefix: sptrainer\n", encoding="utf-8")
    store = LockStore.create(read_endpoint_config(str(path), "lock_store"))
    assert isinstance(store, AtomicRedisLockStore)
    assert store.key_prefix.startswith("sptrainer:")
    assert [store.issue_ticket("from-yaml") for _ in range(3)] == [0, 1, 2]
