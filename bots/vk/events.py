"""VK events (Callback API or Bots Long Poll, the same JSON) for the client conversation: a
new message becomes a `ClientMessage` (text, photos and documents as links, the button's
payload, a reply to our rating prompt); `message_allow` / `message_deny` say whether we may
write to the client. Each event runs once, by its `event_id`."""

from __future__ import annotations

import json
import logging
from typing import Any

from bots.messenger.conversation import ClientConversation, rating_prompt_number
from bots.messenger.incoming import ClientMessage
from bots.messenger.intake import EventIntake
from bots.vk.api import VkClient
from core.outbox import InboundRef
from core.tickets import Attachment
from storage.messenger_state import MessengerState

log = logging.getLogger(__name__)

CHANNEL = "vk"
# VK's language ids (client_info.lang_id) for the languages a person may read.
LANGUAGE_IDS = {0: "ru", 1: "uk", 2: "be", 3: "en", 4: "es", 5: "fi", 6: "de", 7: "it"}


class VkEvents:
    def __init__(self, conversation: ClientConversation, client: VkClient,
                 intake: EventIntake | None = None, state: MessengerState | None = None) -> None:
        self.conversation = conversation
        self.client = client
        self.intake = intake or EventIntake()
        self.state = state or MessengerState()
        self._names: dict[int, str] = {}

    async def process(self, event: dict[str, Any]) -> bool:
        """Handle one event; False when it crashed (parked) and VK should send it again."""
        kind = event.get("type")
        obj = event.get("object") if isinstance(event.get("object"), dict) else {}
        assert isinstance(obj, dict)
        if kind == "message_new" and isinstance(obj.get("message"), dict):
            message = obj["message"]
            source = InboundRef(CHANNEL, _event_id(event, message))

            async def work(ref: InboundRef) -> None:
                incoming = await self._client_message(obj)
                await self.state.mark_reachable(CHANNEL, incoming.user_id)  # they wrote to us
                await self.conversation.handle(incoming, ref)

            return await self.intake.run(source, event, work)
        if kind in ("message_allow", "message_deny") and obj.get("user_id"):
            user = str(obj["user_id"])
            if kind == "message_deny":
                await self.state.mark_unreachable(CHANNEL, user, "denied messages")
            else:
                await self.state.mark_reachable(CHANNEL, user)
            return True
        log.debug("vk event %s ignored", kind)
        return True

    async def _client_message(self, obj: dict[str, Any]) -> ClientMessage:
        message = obj["message"]
        user_id = int(message["from_id"])
        info = obj.get("client_info") if isinstance(obj.get("client_info"), dict) else {}
        assert isinstance(info, dict)
        reply = message.get("reply_message")
        comment_for = None
        if isinstance(reply, dict) and int(reply.get("from_id", 0)) < 0:
            comment_for = rating_prompt_number(str(reply.get("text") or ""))
        return ClientMessage(
            CHANNEL, str(user_id), await self._name(user_id),
            LANGUAGE_IDS.get(int(info.get("lang_id", -1))), str(message.get("text") or ""),
            _attachments(message.get("attachments") or []),
            action=_action(message.get("payload")), comment_for=comment_for)

    async def _name(self, user_id: int) -> str:
        """The client's name as VK shows it (asked of VK once per process)."""
        name = self._names.get(user_id)
        if name is None:
            name = await self.client.user_name(user_id) or f"VK user {user_id}"
            self._names[user_id] = name
        return name


def _event_id(event: dict[str, Any], message: dict[str, Any]) -> str:
    if event.get("event_id"):
        return str(event["event_id"])
    return f"message:{message.get('peer_id')}:{message.get('id')}"  # older API versions


def _action(payload: Any) -> str | None:
    """The action of our buttons' payload; VK's own Start button sends {"command":"start"}."""
    if not payload:
        return None
    try:
        data = json.loads(payload) if isinstance(payload, str) else payload
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    action = data.get("a") or data.get("command")
    return str(action) if action else None


def _attachments(items: list[Any]) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        body = item.get(kind) if isinstance(kind, str) else None
        if not isinstance(body, dict):
            continue
        if kind == "photo":
            sizes = [s for s in body.get("sizes", []) if isinstance(s, dict) and s.get("url")]
            largest = max(sizes, key=lambda s: s.get("width", 0) * s.get("height", 0),
                          default=None)
            ref = largest["url"] if largest else _vk_ref(kind, body)
            found.append(Attachment("photo", ref, None, "image/jpeg"))
        elif kind == "doc":
            found.append(Attachment("document", str(body.get("url") or _vk_ref(kind, body)),
                                    body.get("title"), None, body.get("size")))
        elif kind in ("audio_message", "video", "audio", "sticker"):
            url = body.get("link_ogg") or body.get("link_mp3") or body.get("url")
            found.append(Attachment("voice" if kind == "audio_message" else kind,
                                    str(url or _vk_ref(kind, body))))
    return tuple(found)


def _vk_ref(kind: str, body: dict[str, Any]) -> str:
    """VK's own attachment reference, e.g. photo100_200."""
    return f"{kind}{body.get('owner_id', '')}_{body.get('id', '')}"
