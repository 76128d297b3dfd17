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
  A token that is present but invalid or expired is always refused;
- message delivery (bot/channels/delivery.py, docs/web.md "Message delivery"): a message with
  ``metadata.message_id`` is acknowledged with ``sp_received``, run once however often it is
  sent, and answered with replies that carry ``in_reply_to`` and ``reply_index``.
"""
from __future__ import annotations

import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.delivery import (
    RECEIVED_EVENT,
    TaggedSocketIOOutput,
    deliver,
    message_id_of,
    valid_message_id,
)
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
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def agent_from(environ: Any) -> Any:
    """Rasa's agent (its tracker store), through the Sanic request of a connection."""
    try:
        request = (environ or {}).get("sanic.request")
        return getattr(request.app.ctx, "agent", None) if request is not None else None
    except Exception:  # noqa: BLE001 - no agent: nothing to check against
        return None


class GuardedSocketServer:
    """The channel's event handlers and what they remember per connection: its client address
    and the conversation its token opens."""

    def __init__(self, channel: "GuardedSocketIOInput", sio: AsyncServer, on_new_message: OnNewMessage) -> None:
        self.channel = channel
        self.sio = sio
        self.namespace = channel.namespace
        self.jwt_key = channel.jwt_key
        self.on_new_message = on_new_message
        self.limiter = sender_limiter()
        self.per_address = address_limiter()
        self.addresses: Dict[str, str] = {}  # sid -> the client's address at connection
        self.allowed_session: Dict[str, Optional[str]] = {}  # sid -> conversation its token opens
        self.every_connection_needs_a_token = tokens_required_for_every_connection()

    def register(self) -> None:
        for event, handler in (("connect", self.connect), (SafeJSON.INVALID_PACKET, self.invalid_packet),
                               ("disconnect", self.disconnect), ("session_request", self.session_request),
                               (self.channel.user_message_evt, self.handle_message)):
            self.sio.on(event, handler, namespace=self.namespace)

    async def refuse(self, sid: str, message: str, message_id: Optional[str] = None) -> None:
        logger.info("socket.io message refused for %s: %s", sid, message)
        body: Dict[str, Any] = {"error": message}
        if message_id is not None:
            body["message_id"] = message_id
        await self.sio.emit(ERROR_EVENT, body, room=sid, namespace=self.namespace)

    def agent_of(self, sid: str) -> Any:
        try:
            return agent_from(self.sio.get_environ(sid, namespace=self.namespace))
        except Exception:  # noqa: BLE001
            return None

    async def ended(self, sid: str, conversation: str) -> bool:
        return (bool(self.jwt_key) and is_web_conversation(conversation)
                and await is_closed(self.agent_of(sid), conversation))

    def problem_with(self, sid: Text, conversation: str) -> Optional[str]:
        """Why this connection may not use this conversation, or None."""
        bound = self.allowed_session.get(sid)
        if bound:
            return None if conversation == bound else "this token is for another conversation"
        if self.jwt_key and is_web_conversation(conversation):
            return WEB_ONLY_MESSAGE
        return None

    async def connect(self, sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
        request = (environ or {}).get("sanic.request")
        self.addresses[sid] = getattr(request, "ip", None) or "?"
        token = auth.get("token") if isinstance(auth, dict) else None
        if not self.jwt_key:
            self.allowed_session[sid] = None
            return True
        if token:
            conversation = conversation_in_token(token, self.jwt_key)
            if not conversation:
                logger.info("socket.io connection %s refused: invalid or expired token", sid)
                return False
            if await is_closed(agent_from(environ), conversation):
                logger.info("socket.io connection %s refused: its interview has ended", sid)
                return False
            self.allowed_session[sid] = conversation
            return True
        if self.every_connection_needs_a_token:
            logger.info("socket.io connection %s refused: no token", sid)
            return False
        self.allowed_session[sid] = None
        return True

    async def invalid_packet(self, sid: Text, reason: Any = None) -> None:
        await self.refuse(sid, str(reason or "the message could not be read"))

    async def disconnect(self, sid: Text) -> None:
        self.allowed_session.pop(sid, None)
        self.addresses.pop(sid, None)

    async def session_request(self, sid: Text, data: Any = None) -> None:
        if data is not None and not isinstance(data, dict):
            await self.refuse(sid, "session_request needs an object like {\"session_id\": ...}")
            return
        data = dict(data or {})
        wanted = data.get("session_id") or self.allowed_session.get(sid) or uuid.uuid4().hex
        try:
            wanted = check_sender(wanted)
        except InputProblem as problem:
            await self.refuse(sid, f"invalid session_id: {problem.message}")
            return
        refused = self.problem_with(sid, wanted)
        if not refused and await self.ended(sid, wanted):
            refused = ENDED_MESSAGE
        if refused:
            await self.refuse(sid, refused)
            return
        if self.channel.session_persistence:
            joined = self.sio.enter_room(sid, wanted, namespace=self.namespace)
            if inspect.isawaitable(joined):
                await joined
        await self.sio.emit("session_confirm", wanted, room=sid, namespace=self.namespace)

    async def sender_of(self, sid: Text, data: Dict[str, Any]) -> str:
        """The conversation a message goes to, if this connection may write to it."""
        if not self.channel.session_persistence:
            return sid
        if not data.get("session_id"):
            raise InputProblem(400, "missing session_id: send session_request first")
        sender = check_sender(data["session_id"])
        refused = self.problem_with(sid, sender)
        if refused:
            raise InputProblem(403, refused)
        if await self.ended(sid, sender):
            raise InputProblem(403, ENDED_MESSAGE)
        return sender

    def metadata_of(self, data: Dict[str, Any]) -> Dict[str, Any]:
        key = self.channel.metadata_key
        metadata = data.get(key) or {}
        if isinstance(metadata, str):
            metadata = parse_json(metadata, f"'{key}'")
        if not isinstance(metadata, dict):
            raise InputProblem(400, f"'{key}' must be an object")
        return check_metadata(metadata) or {}

    async def accept(self, sid: Text, data: Any) -> Tuple[UserMessage, Optional[str]]:
        """The message as Rasa takes it and its id, or InputProblem saying why it is refused."""
        if not isinstance(data, dict):
            raise InputProblem(400, "a message must be an object like {\"message\": ..., \"session_id\": ...}")
        sender = await self.sender_of(sid, data)
        text = check_text(data.get("message"))
        metadata = self.metadata_of(data)
        message_id = message_id_of(metadata)
        if self.limiter and not self.limiter.allow(sender):
            raise InputProblem(429, RATE_LIMITED)
        if self.per_address and not self.per_address.allow(self.addresses.get(sid, "?")):
            raise InputProblem(429, RATE_LIMITED)
        if message_id is None:  # with an id, deliver() checks this under the conversation's lock
            await refuse_restart(self.agent_of(sid), sender, text)
        output = TaggedSocketIOOutput(self.sio, self.channel.bot_message_evt, message_id)
        return UserMessage(text, output, sender, input_channel=self.channel.name(), metadata=metadata), message_id

    async def handle_message(self, sid: Text, data: Any = None) -> None:
        try:
            message, message_id = await self.accept(sid, data)
        except InputProblem as problem:
            await self.refuse(sid, problem.message, valid_message_id(data, self.channel.metadata_key))
            return
        if message_id is not None:
            await self.sio.emit(RECEIVED_EVENT, {"message_id": message_id}, room=sid, namespace=self.namespace)
        try:
            await deliver(self.agent_of(sid), message, message_id, self.on_new_message)
        except InputProblem as problem:
            await self.refuse(sid, problem.message, message_id)
        except Exception:  # noqa: BLE001 - logged and reported, the server keeps serving
            logger.exception("socket.io message failed for %s", message.sender_id)
            await self.refuse(sid, "the patient could not answer; please try again", message_id)


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

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        # Browsers may connect only from the web app's origins (SPTRAINER_ALLOWED_ORIGINS; unset:
        # the channel's own origin only); clients that send no Origin are not browsers.
        origins = allowed_origins()
        sio = AsyncServer(async_mode="sanic", json=SafeJSON,
                          cors_allowed_origins="*" if origins and "*" in origins else origins)
        hook = SocketBlueprint(sio, self.socketio_path, "guarded_socketio_webhook", __name__)
        self.sio = sio
        GuardedSocketServer(self, sio, on_new_message).register()

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        return hook
