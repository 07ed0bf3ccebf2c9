"""Viber webhook events, parsed with viberbot: a `message` becomes a `ClientMessage` for the
conversation (pictures, files and videos as links, a reply button's action, a shared own
phone number, the comment our rating prompt asked for); `conversation_started` gets the
welcome with the main menu; `subscribed` / `unsubscribed` say whether we may write;
`delivered`, `seen` and `failed` are recorded on the comment the message carried (a
failure also notes it in the ticket's topic); `webhook` and unknown events are only
acknowledged. A message of a type viberbot does not know is kept as "[type]"; one Viber
could not have sent (no sender, a bad location) is parked and acknowledged, not retried."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from viberbot.api.messages import (
    MESSAGE_TYPE_TO_CLASS,
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

from bots.messenger.conversation import ClientConversation
from bots.messenger.incoming import ClientMessage
from bots.messenger.intake import EventIntake, usable_id
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
        if not isinstance(kind, str) or kind not in EVENT_TYPE_TO_CLASS:
            log.warning("unknown viber event %r acknowledged and ignored", kind)
            return True
        token = usable_id(body.get("message_token")) or ""
        if kind == "message":
            return await self._message(body, token)
        try:
            request = create_request(body)
        except Exception as exc:  # a known event without the fields viberbot needs
            log.warning("malformed viber %s event ignored: %s", kind, exc)
            return True
        if kind == "conversation_started":
            return self._welcome(request)
        if kind == "subscribed" and (user := usable_id(getattr(request.user, "id", None))):
            await self.state.mark_reachable(CHANNEL, user)
        elif kind == "unsubscribed" and (user := usable_id(request.user_id)):
            await self.state.mark_unreachable(CHANNEL, user, "unsubscribed")
        elif kind in ("delivered", "seen") and token:
            await self._report(kind, token)
        elif kind == "failed":
            return await self._failed(token, str(request.desc or ""), body)
        return True

    async def _message(self, body: dict[str, Any], token: str) -> bool:
        source = InboundRef(CHANNEL, f"message:{token}")
        try:
            incoming = _client_message(body)
        except Exception as exc:  # viberbot raises bare Exception for what it cannot read
            return await self.intake.malformed(source, body, exc)

        async def work(ref: InboundRef) -> None:
            await self.state.mark_reachable(CHANNEL, incoming.user_id)  # they wrote to us
            await self.conversation.handle(incoming, ref)

        return await self.intake.run(source, body, work)

    def _welcome(self, request: Any) -> bool | Welcome:
        if request.subscribed:
            return True  # they know us already
        user = request.user
        name = user.name if isinstance(user.name, str) else ""
        language = user.language if isinstance(user.language, str) else None
        text = self.conversation.welcome(name, language)
        return Welcome(text, self.conversation.texts(language).language)

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


def _client_message(body: dict[str, Any]) -> ClientMessage:
    """The client's message; an exception when the event is not what Viber sends. A
    message of a type viberbot does not know is kept as its type's name."""
    sender = body["sender"]
    user_id = usable_id(sender.get("id"))
    if user_id is None:
        raise ValueError(f"sender id {sender.get('id')!r} is not a Viber user id")
    name = sender.get("name") if isinstance(sender.get("name"), str) else ""
    raw = body["message"]
    if raw["type"] in MESSAGE_TYPE_TO_CLASS:
        text, attachments, phone = _content(create_request(body).message, name)
    else:
        text, attachments, phone = f"[{raw['type']}]", (), None
    return ClientMessage(CHANNEL, user_id, name or f"Viber user {user_id[:8]}",
                         _language(sender.get("language")), text, attachments, phone)


def _language(code: object) -> str | None:
    """The phone's language as the contact keeps it (16 characters at most)."""
    if not isinstance(code, str) or not code.isprintable():
        return None
    return code if len(code) <= 16 else code.split("-")[0][:16] or None


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
        if not isinstance(contact.phone_number, str | None):
            raise TypeError(f"the contact's phone is a {type(contact.phone_number).__name__}")
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
