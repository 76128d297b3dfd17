"""Message delivery on both channels (docs/web.md, "Message delivery"): a student message carries
an id (``metadata.message_id``); a message whose id the conversation already holds is not run
again, its replies are sent again instead; every reply names the message it answers
(``in_reply_to``) and its place among that message's replies (``reply_index``).

The duplicate check and the run happen under the conversation's lock (Rasa's lock store, shared
by every Rasa server of the scaled profile), so a re-send that arrives while the first attempt is
being answered waits for it and then gets its replies.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOOutput
from socketio import AsyncServer

from bot.channels.guard import InputProblem, check_restart

MESSAGE_ID_KEY = "message_id"
MAX_MESSAGE_ID = 64
_MESSAGE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,%d}$" % MAX_MESSAGE_ID)
RECEIVED_EVENT = "sp_received"
#: What a stored reply may carry besides its text (BotUttered.data), as OutputChannel.send_response takes it.
REPLY_PARTS = ("quick_replies", "buttons", "custom", "image", "attachment", "elements")


def message_id_of(metadata: Optional[Dict[str, Any]]) -> Optional[str]:
    """The message's id from its metadata; None when it has none; a 400 when it is malformed."""
    if not metadata or MESSAGE_ID_KEY not in metadata:
        return None
    value = metadata[MESSAGE_ID_KEY]
    if not isinstance(value, str) or not _MESSAGE_ID_RE.match(value):
        raise InputProblem(400, f"'metadata.{MESSAGE_ID_KEY}' must be 1-{MAX_MESSAGE_ID} characters of "
                                "A-Z, a-z, 0-9, '-' and '_' (a UUID fits)")
    return value


def valid_message_id(data: Any, metadata_key: str = "metadata") -> Optional[str]:
    """The id a raw payload carries, if it is a valid one (to name it in an error), else None."""
    metadata = data.get(metadata_key) if isinstance(data, dict) else None
    try:
        return message_id_of(metadata) if isinstance(metadata, dict) else None
    except InputProblem:
        return None


def replies_to(events: Any, message_id: str) -> Optional[List[Dict[str, Any]]]:
    """The replies that followed the user message with this id (up to the next user message),
    as OutputChannel.send_response takes them; None when no user message has this id."""
    from rasa.shared.core.events import BotUttered, UserUttered

    replies: Optional[List[Dict[str, Any]]] = None
    for event in events or ():
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            metadata = event.metadata if isinstance(event.metadata, dict) else {}
            if metadata.get(MESSAGE_ID_KEY) == message_id:
                replies = []
        elif replies is not None and isinstance(event, BotUttered):
            data = event.data or {}
            reply: Dict[str, Any] = {"text": event.text} if event.text else {}
            reply.update({k: data[k] for k in REPLY_PARTS if data.get(k)})
            replies.append(reply)
    return replies


class _Numbering:
    """Numbers the replies to one message: 0, 1, 2, ... in the order they are sent."""

    def __init__(self, message_id: Optional[str]) -> None:
        self.message_id = message_id
        self.sent = 0

    def tag(self, reply: Dict[str, Any]) -> Dict[str, Any]:
        if self.message_id is None:
            return reply
        tagged = dict(reply, in_reply_to=self.message_id, reply_index=self.sent)
        self.sent += 1
        return tagged


class TaggedSocketIOOutput(SocketIOOutput):
    """Rasa's Socket.IO output with each ``bot_uttered`` naming the message it answers."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text, message_id: Optional[str]) -> None:
        super().__init__(sio, bot_message_evt)
        self.numbering = _Numbering(message_id)

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        await super()._send_message(socket_id, self.numbering.tag(response))


class TaggedCollectingOutput(CollectingOutputChannel):
    """Rasa's REST collector with each reply naming the message it answers."""

    def __init__(self, message_id: Optional[str]) -> None:
        super().__init__()
        self.numbering = _Numbering(message_id)

    async def _persist_message(self, message: Dict[str, Any]) -> None:
        await super()._persist_message(self.numbering.tag(message))


async def resend(output: OutputChannel, recipient_id: str, replies: List[Dict[str, Any]]) -> None:
    for reply in replies:
        await output.send_response(recipient_id, dict(reply))


async def deliver(agent: Any, message: UserMessage, message_id: Optional[str], run: Any) -> bool:
    """Answer ``message`` once. With an id and a ready agent: under the conversation's lock, a
    message the tracker already holds gets its replies re-sent (returns False: not run again);
    otherwise a restart is refused (InputProblem 409) or the message runs (True). Without an id
    the channel's usual ``run`` (Rasa's on_new_message) handles it."""
    if message_id is None or agent is None or not agent.is_ready():
        await run(message)
        return True
    async with agent.lock_store.lock(message.sender_id):
        tracker = await agent.tracker_store.retrieve_full_tracker(message.sender_id)
        events = tracker.events if tracker is not None else []
        replies = replies_to(events, message_id)
        if replies is not None:
            await resend(message.output_channel, message.sender_id, replies)
            return False
        check_restart(events, message.text or "")
        await agent.processor.handle_message(message)
    return True
