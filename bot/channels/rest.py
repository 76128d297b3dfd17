"""The REST channel (``/webhooks/rest/webhook``) with validated input and rate limits.

Same URL and reply format as Rasa's RestInput; bad input gets a JSON error with a clear
message instead of a stack trace, and nothing reaches the tracker. A web-app conversation
(``c-...``, bot/tokens.py) takes messages only with ``Authorization: Bearer <token>`` for
that conversation; other sender ids stay open, as the project contract promises. A message with
``metadata.message_id`` runs once however often it is sent, and each reply carries
``in_reply_to`` and ``reply_index`` (bot/channels/delivery.py, docs/web.md "Message delivery").
"""
from __future__ import annotations

import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Optional, Text, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.delivery import TaggedCollectingOutput, deliver, message_id_of
from bot.channels.guard import (
    RATE_LIMITED,
    InputProblem,
    LearnerMessage,
    RateLimiter,
    address_limiter,
    check_body_size,
    check_payload,
    close_conversation,
    is_closed,
    parse_json,
    refuse_restart,
    sender_limiter,
)
from bot.tokens import (
    ENDED_MESSAGE,
    WEB_ONLY_MESSAGE,
    allowed_origins,
    conversation_in_token,
    conversation_to_close,
    is_web_conversation,
    origin_allowed,
    socket_key,
)

logger = logging.getLogger(__name__)


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def __init__(self) -> None:
        self.limiter: Optional[RateLimiter] = sender_limiter()
        self.address_limiter: Optional[RateLimiter] = address_limiter()
        self.jwt_key: Optional[str] = socket_key()
        self.origins = allowed_origins()

    def check_owner(self, request: Request, sender: str) -> None:
        """Refuse a message into a web-app conversation without that conversation's token."""
        if not self.jwt_key or not is_web_conversation(sender):
            return
        header = request.headers.get("Authorization", "")
        token = header[len("Bearer "):].strip() if header.startswith("Bearer ") else None
        if conversation_in_token(token, self.jwt_key) != sender:
            raise InputProblem(403, WEB_ONLY_MESSAGE)

    async def accept(self, request: Request, agent: Any) -> Tuple[LearnerMessage, Optional[str]]:
        """The message and its id if every check passes, else InputProblem saying why not."""
        if not origin_allowed(request.headers.get("Origin"), request.host, self.origins):
            raise InputProblem(403, "requests from this origin are not accepted; use the SP Trainer web app")
        check_body_size(len(request.body or b""))
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise InputProblem(400, "the body is not valid UTF-8") from None
        message = check_payload(parse_json(text))
        self.check_owner(request, message.sender)
        message_id = message_id_of(message.metadata)
        if self.limiter and not self.limiter.allow(message.sender):
            raise InputProblem(429, RATE_LIMITED)
        if self.address_limiter and not self.address_limiter.allow(request.ip or "?"):
            raise InputProblem(429, RATE_LIMITED)
        if self.jwt_key and is_web_conversation(message.sender) and await is_closed(agent, message.sender):
            raise InputProblem(403, ENDED_MESSAGE)
        if message_id is None:  # with an id, deliver() checks this under the conversation's lock
            await refuse_restart(agent, message.sender, message.text)
        return message, message_id

    @classmethod
    def from_credentials(cls, credentials: Optional[dict]) -> "GuardedRestInput":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("guarded_rest_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/close", methods=["POST"])
        async def close(request: Request) -> HTTPResponse:
            """The web app ends an interview: its conversation takes no more messages, on any
            channel, whatever token a client still holds."""
            header = request.headers.get("Authorization", "")
            token = header[len("Bearer "):].strip() if header.startswith("Bearer ") else None
            cid = conversation_to_close(token, self.jwt_key)
            if not cid or not is_web_conversation(cid):
                return response.json({"error": "a close token from the web app is required"}, status=403)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None:
                return response.json({"error": "the bot is not ready"}, status=503)
            await close_conversation(agent, cid)
            logger.info("conversation %s closed: the interview ended", cid)
            return response.json({"closed": cid})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            try:
                message, message_id = await self.accept(request, agent)
            except InputProblem as problem:
                logger.info("rest message refused (%s): %s", problem.status, problem.message)
                return response.json({"error": problem.message}, status=problem.status)
            collector = TaggedCollectingOutput(message_id)
            try:
                await deliver(agent, UserMessage(message.text, collector, message.sender, input_channel=self.name(),
                                                 metadata=message.metadata), message_id, on_new_message)
            except InputProblem as problem:
                return response.json({"error": problem.message}, status=problem.status)
            except CancelledError:
                logger.error("rest message timed out for sender %s", message.sender)
            except Exception:  # noqa: BLE001 - a failure is logged and answered, never a crash
                logger.exception("rest message failed for sender %s", message.sender)
                return response.json({"error": "the patient could not answer; please try again"}, status=500)
            return response.json(collector.messages)

        return hook
