"""The web app in-process (aiohttp's test server, no Rasa): Socket.IO tokens for the JWT
channel, Secure cookies when configured, and the persona list for the landing page."""
from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.accounts import AppDB
from bot.personas import PersonaRegistry
from bot.settings import reload_settings
from bot.web.app import create_app
from tests.test_rest_interview import BUNDLED


def run(coro):
    """asyncio.run in a fresh thread: Playwright's sync API (tests/e2e) may own this thread's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=120)


async def _client(tmp_path) -> TestClient:
    app = create_app(db=AppDB(tmp_path / "app.db"), registry=PersonaRegistry(BUNDLED.directory), key=os.urandom(32),
                     warm_up=False)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def _student(client: TestClient, name: str) -> str:
    csrf = (await (await client.get("/api/session")).json())["csrf"]
    r = await client.post("/api/student/login", json={"name": name}, headers={"X-CSRF-Token": csrf})
    assert r.status == 200
    return (await r.json())["csrf"]


def test_socket_tokens_bind_one_conversation_and_only_its_owner_gets_one(tmp_path, monkeypatch):
    monkeypatch.setenv("SPTRAINER_SOCKET_JWT_KEY", "k" * 40)
    reload_settings()

    async def scenario():
        owner = await _client(tmp_path)
        try:
            csrf = await _student(owner, "token-owner")
            r = await owner.post("/api/conversations", json={"persona_id": "priya-shah"}, headers={"X-CSRF-Token": csrf})
            cid = (await r.json())["id"]
            token = (await (await owner.get(f"/api/conversations/{cid}/socket-token")).json())["token"]
            claims = jwt.decode(token, "k" * 40, algorithms=["HS256"])
            assert claims["conversation"] == cid and claims["exp"] > claims["iat"]
            url = str(owner.make_url(f"/api/conversations/{cid}/socket-token"))
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:  # another browser
                session = await (await other.get(str(owner.make_url("/api/session")))).json()
                r = await other.post(str(owner.make_url("/api/student/login")), json={"name": "token-thief"},
                                     headers={"X-CSRF-Token": session["csrf"]})
                assert r.status == 200
                assert (await other.get(url)).status == 403
            async with aiohttp.ClientSession() as anon:
                assert (await anon.get(url)).status == 401
        finally:
            await owner.close()

    run(scenario())


def test_without_a_channel_key_the_token_is_null(tmp_path, monkeypatch):
    monkeypatch.delenv("SPTRAINER_SOCKET_JWT_KEY", raising=False)
    reload_settings()

    async def scenario():
        client = await _client(tmp_path)
        try:
            csrf = await _student(client, "no-jwt")
            r = await client.post("/api/conversations", json={"persona_id": "priya-shah"}, headers={"X-CSRF-Token": csrf})
            cid = (await r.json())["id"]
            assert (await (await client.get(f"/api/conversations/{cid}/socket-token")).json()) == {"token": None}
        finally:
            await client.close()

    run(scenario())


@pytest.mark.parametrize("flag, secure", [("1", True), ("", False)])
def test_cookies_are_secure_only_when_configured(tmp_path, monkeypatch, flag, secure):
    monkeypatch.setenv("SPTRAINER_SECURE_COOKIES", flag)
    reload_settings()

    async def scenario():
        client = await _client(tmp_path)
        try:
            r = await client.get("/api/session")
            cookie = r.headers["Set-Cookie"]
            assert ("Secure" in cookie) is secure and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        finally:
            await client.close()

    run(scenario())


def test_landing_lists_every_valid_persona_with_name_age_complaint_and_one_line(tmp_path):
    async def scenario():
        client = await _client(tmp_path)
        try:
            cards = (await (await client.get("/api/personas")).json())["personas"]
        finally:
            await client.close()
        assert sorted(c["id"] for c in cards) == BUNDLED.ids()
        for card in cards:
            persona = BUNDLED.get(card["id"])
            assert (card["name"], card["age"], card["complaint"], card["summary"]) == (
                persona.name, persona.age, persona.complaint, persona.one_line)

    run(scenario())
