"""Rasa's Socket.IO channel, hardened: validated payloads, rate limits, clear errors, and
optional JWTs that bind a browser to its own conversation.

Differences from rasa.core.channels.socketio.SocketIOInput (same events, same name):
- ``enter_room`` is awaited when the python-socketio version makes it a coroutine, so
  session persistence works on any version (upstream rasa issue 13027);
- a malformed payload (not an object, bad metadata JSON, empty or huge message) gets an
  ``sp_error`` event with the reason instead of an exception in the server;
- with ``SPTRAINER_SOCKET_JWT_KEY`` set, a web-app conversation (``c-...``) can only be
  joined by a connection whose ``auth: {token}`` names it; other conversation ids stay
  open to clients without a token (the contract's external clients) unless
  ``SPTRAINER_SOCKET_TOKENS=all``, which refuses every connection without a valid token.
  A token that is present but invalid or expired is always refused.
"""
from __future__ import annotations

import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.guard import (
    RATE_LIMITED,
    InputProblem,
    SafeJSON,
    address_limiter,
    check_metadata,
    check_sender,
    check_text,
    is_closed,
    parse_json,
    refuse_restart,
    sender_limiter,
)
from bot.settings import settings
from bot.tokens import (
    ENDED_MESSAGE,
    WEB_ONLY_MESSAGE,
    allowed_origins,
    conversation_in_token,
    is_web_conversation,
    tokens_required_for_every_connection,
)

logger = logging.getLogger(__name__)
ERROR_EVENT = "sp_error"


class GuardedSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "GuardedSocketIOInput":
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", True),
            credentials.get("socketio_path", "/socket.io"),
            settings().socket_jwt_key,  # secrets only from the environment
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Browsers may connect only from the web app's origins (SPTRAINER_ALLOWED_ORIGINS; unset:
        # the channel's own origin only); clients that send no Origin are not browsers.
        origins = allowed_origins()
        sio = AsyncServer(async_mode="sanic", json=SafeJSON,
                          cors_allowed_origins="*" if origins and "*" in origins else origins)
        hook = SocketBlueprint(sio, self.socketio_path, "guarded_socketio_webhook", __name__)
        self.sio = sio
        limiter = sender_limiter()
        per_address = address_limiter()
        addresses: Dict[str, str] = {}  # sid -> the client's address at connection
        allowed_session: Dict[str, Optional[str]] = {}  # sid -> conversation its token opens
        every_connection_needs_a_token = tokens_required_for_every_connection()

        async def refuse(sid: str, message: str) -> None:
            logger.info("socket.io message refused for %s: %s", sid, message)
            await sio.emit(ERROR_EVENT, {"error": message}, room=sid, namespace=self.namespace)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        def agent_from(environ: Any) -> Any:
            """Rasa's agent (its tracker store), through the Sanic request of a connection."""
            try:
                request = (environ or {}).get("sanic.request")
                return getattr(request.app.ctx, "agent", None) if request is not None else None
            except Exception:  # noqa: BLE001 - no agent: nothing to check against
                return None

        def agent_of(sid: str) -> Any:
            try:
                return agent_from(sio.get_environ(sid, namespace=self.namespace))
            except Exception:  # noqa: BLE001
                return None

        async def ended(sid: str, conversation: str) -> bool:
            return bool(self.jwt_key) and is_web_conversation(conversation) and await is_closed(agent_of(sid), conversation)

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            request = (environ or {}).get("sanic.request")
            addresses[sid] = getattr(request, "ip", None) or "?"
            token = auth.get("token") if isinstance(auth, dict) else None
            if not self.jwt_key:
                allowed_session[sid] = None
                return True
            if token:
                conversation = conversation_in_token(token, self.jwt_key)
                if not conversation:
                    logger.info("socket.io connection %s refused: invalid or expired token", sid)
                    return False
                if await is_closed(agent_from(environ), conversation):
                    logger.info("socket.io connection %s refused: its interview has ended", sid)
                    return False
                allowed_session[sid] = conversation
                return True
            if every_connection_needs_a_token:
                logger.info("socket.io connection %s refused: no token", sid)
                return False
            allowed_session[sid] = None
            return True

        def problem_with(sid: Text, conversation: str) -> Optional[str]:
            """Why this connection may not use this conversation, or None."""
            bound = allowed_session.get(sid)
            if bound:
                return None if conversation == bound else "this token is for another conversation"
            if self.jwt_key and is_web_conversation(conversation):
                return WEB_ONLY_MESSAGE
            return None

        @sio.on(SafeJSON.INVALID_PACKET, namespace=self.namespace)
        async def invalid_packet(sid: Text, reason: Any = None) -> None:
            await refuse(sid, str(reason or "the message could not be read"))

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            allowed_session.pop(sid, None)
            addresses.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any = None) -> None:
            if data is not None and not isinstance(data, dict):
                await refuse(sid, "session_request needs an object like {\"session_id\": ...}")
                return
            data = dict(data or {})
            wanted = data.get("session_id") or allowed_session.get(sid) or uuid.uuid4().hex
            try:
                wanted = check_sender(wanted)
            except InputProblem as problem:
                await refuse(sid, f"invalid session_id: {problem.message}")
                return
            refused = problem_with(sid, wanted)
            if not refused and await ended(sid, wanted):
                refused = ENDED_MESSAGE
            if refused:
                await refuse(sid, refused)
                return
            if self.session_persistence:
                joined = sio.enter_room(sid, wanted, namespace=self.namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", wanted, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any = None) -> None:
            try:
                if not isinstance(data, dict):
                    raise InputProblem(400, "a message must be an object like {\"message\": ..., \"session_id\": ...}")
                if self.session_persistence:
                    if not data.get("session_id"):
                        raise InputProblem(400, "missing session_id: send session_request first")
                    sender = check_sender(data["session_id"])
                    refused = problem_with(sid, sender)
                    if refused:
                        raise InputProblem(403, refused)
                    if await ended(sid, sender):
                        raise InputProblem(403, ENDED_MESSAGE)
                else:
                    sender = sid
                text = check_text(data.get("message"))
                metadata = data.get(self.metadata_key) or {}
                if isinstance(metadata, str):
                    metadata = parse_json(metadata, f"'{self.metadata_key}'")
                if not isinstance(metadata, dict):
                    raise InputProblem(400, f"'{self.metadata_key}' must be an object")
                metadata = check_metadata(metadata) or {}
                if limiter and not limiter.allow(sender):
                    raise InputProblem(429, RATE_LIMITED)
                if per_address and not per_address.allow(addresses.get(sid, "?")):
                    raise InputProblem(429, RATE_LIMITED)
                await refuse_restart(agent_of(sid), sender, text)
            except InputProblem as problem:
                await refuse(sid, problem.message)
                return
            output = SocketIOOutput(sio, self.bot_message_evt)
            try:
                await on_new_message(UserMessage(text, output, sender, input_channel=self.name(), metadata=metadata))
            except Exception:  # noqa: BLE001 - logged and reported, the server keeps serving
                logger.exception("socket.io message failed for %s", sender)
                await refuse(sid, "the patient could not answer; please try again")

        return hook
