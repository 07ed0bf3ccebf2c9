"""Viber webhook events, parsed with viberbot: a `message` becomes a `ClientMessage` for the
conversation (pictures, files and videos as links, a reply button's action, a shared own
phone number, the comment our rating prompt asked for); `conversation_started` gets the
welcome with the main menu; `subscribed` / `unsubscribed` say whether we may write;
`delivered`, `seen` and `failed` are recorded on the comment the message carried (a
failure also notes it in the ticket's topic); `webhook` and unknown events are only
acknowledged."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from viberbot.api.messages import (
    ContactMessage,
    FileMessage,
    LocationMessage,
    PictureMessage,
    StickerMessage,
    TextMessage,
    URLMessage,
    VideoMessage,
)
from viberbot.api.messages.message import Message
from viberbot.api.viber_requests import EVENT_TYPE_TO_CLASS, create_request

from bots.messenger.conversation import RATING_TRACKING, ClientConversation
from bots.messenger.incoming import ClientMessage
from bots.messenger.intake import EventIntake
from core.outbox import Audience, InboundRef, OutboundMessage
from core.tickets import Attachment
from storage.messenger_state import MessengerState

log = logging.getLogger(__name__)

CHANNEL = "viber"


@dataclass(frozen=True)
class Welcome:
    """The answer to conversation_started: Viber shows it to a not yet subscribed user."""

    text: str
    language: str
    menu: bool = True


class ViberEvents:
    def __init__(self, conversation: ClientConversation, intake: EventIntake | None = None,
                 state: MessengerState | None = None) -> None:
        self.conversation = conversation
        self.intake = intake or EventIntake()
        self.state = state or MessengerState()

    async def process(self, body: dict[str, Any]) -> bool | Welcome:
        """Handle one event: True when done, False when it crashed (parked) and Viber
        should send it again, a Welcome to answer conversation_started with."""
        kind = body.get("event")
        if kind not in EVENT_TYPE_TO_CLASS:
            log.warning("unknown viber event %r acknowledged and ignored", kind)
            return True
        try:
            request = create_request(body)
        except Exception as exc:  # a known event without the fields viberbot needs
            log.warning("malformed viber %s event ignored: %s", kind, exc)
            return True
        token = str(body.get("message_token", ""))
        if kind == "message":
            return await self._message(request, body, token)
        if kind == "conversation_started":
            return self._welcome(request)
        if kind == "subscribed":
            await self.state.mark_reachable(CHANNEL, str(request.user.id))
        elif kind == "unsubscribed":
            await self.state.mark_unreachable(CHANNEL, str(request.user_id), "unsubscribed")
        elif kind in ("delivered", "seen"):
            await self._report(kind, token)
        elif kind == "failed":
            return await self._failed(token, str(request.desc or ""), body)
        return True

    async def _message(self, request: Any, body: dict[str, Any], token: str) -> bool:
        sender = request.sender
        incoming = _client_message(str(sender.id), sender.name or "", sender.language,
                                   request.message)

        async def work(ref: InboundRef) -> None:
            await self.state.mark_reachable(CHANNEL, incoming.user_id)  # they wrote to us
            await self.conversation.handle(incoming, ref)

        return await self.intake.run(InboundRef(CHANNEL, f"message:{token}"), body, work)

    def _welcome(self, request: Any) -> bool | Welcome:
        if request.subscribed:
            return True  # they know us already
        user = request.user
        text = self.conversation.welcome(user.name or "", user.language)
        return Welcome(text, self.conversation.texts(user.language).language)

    async def _report(self, kind: str, token: str) -> None:
        sent = await self.state.sent_comment(CHANNEL, token)
        if sent is not None:
            await self.state.advance_delivery(sent[0], kind)

    async def _failed(self, token: str, desc: str, body: dict[str, Any]) -> bool:
        sent = await self.state.sent_comment(CHANNEL, token)
        if sent is None:
            return True
        comment_id, ticket_id = sent
        await self.state.advance_delivery(comment_id, "failed")
        agents = self.conversation.desk.routing.agent_channel
        if agents is None:
            return True
        note = OutboundMessage(agents, Audience.AGENTS, "delivery_failed", ticket_id,
                               self.conversation.clock.now(), comment_id=comment_id,
                               payload={"error": f"Viber: {desc}"[:500], "kind": "agent_reply"})

        async def work(ref: InboundRef) -> None:
            await self.conversation.desk.reply([note], source=ref)

        return await self.intake.run(InboundRef(CHANNEL, f"failed:{token}"), body, work)


def _client_message(user_id: str, name: str, language: str | None,
                    message: Message) -> ClientMessage:
    tracking = str(message.tracking_data or "")
    text, attachments, phone = _content(message, name)
    comment_for = None
    prefix = RATING_TRACKING.split("{")[0]
    if tracking.startswith(prefix) and tracking[len(prefix):].isdigit():
        comment_for = int(tracking[len(prefix):])
    return ClientMessage(CHANNEL, user_id, name or f"Viber user {user_id[:8]}", language,
                         text, attachments, phone, comment_for=comment_for)


def _content(message: Message, sender_name: str
             ) -> tuple[str, tuple[Attachment, ...], str | None]:
    if isinstance(message, TextMessage):
        return str(message.text or ""), (), None
    if isinstance(message, PictureMessage):
        return str(message.text or ""), (Attachment("photo", str(message.media), None,
                                                    "image/jpeg"),), None
    if isinstance(message, VideoMessage):
        return "", (Attachment("video", str(message.media), None, None, message.size),), None
    if isinstance(message, FileMessage):
        return "", (Attachment("document", str(message.media), message.file_name, None,
                               message.size),), None
    if isinstance(message, ContactMessage):
        contact = message.contact
        text = f"[contact {contact.name or ''}, {contact.phone_number}]".replace(" ,", ",")
        # The share-phone button sends the client's own card (their name); a friend's card
        # is just a message.
        own = (contact.name or "") in ("", sender_name)
        return text, (), contact.phone_number if own else None
    if isinstance(message, LocationMessage):
        loc = message.location
        return f"[location {loc.latitude:.6f}, {loc.longitude:.6f}]", (), None
    if isinstance(message, URLMessage):
        return str(message.media or ""), (), None
    if isinstance(message, StickerMessage):
        return "[sticker]", (), None
    return f"[{type(message).__name__}]", (), None
