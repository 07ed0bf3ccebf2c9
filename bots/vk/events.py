"""VK events (Callback API or Bots Long Poll, the same JSON) for the client conversation: a
new message becomes a `ClientMessage` (text, photos and documents as links, the button's
payload, a reply to our rating prompt); `message_allow` / `message_deny` say whether we may
write to the client. Each event runs once, by its `event_id`. An attachment we do not keep
(a poll, a wall post) is named in the text; a message VK could not have sent (no sender, a
wrong type) is parked and acknowledged, since VK stops calling a server that keeps failing."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

from bots.messenger.conversation import ClientConversation
from bots.messenger.incoming import ClientMessage
from bots.messenger.intake import EventIntake, usable_id
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
            source = InboundRef(CHANNEL, _event_id(event, obj["message"]))
            try:
                incoming = _client_message(obj)
            except Exception as exc:  # noqa: BLE001 - whatever VK could not have sent
                return await self.intake.malformed(source, event, exc)

            async def work(ref: InboundRef) -> None:
                named = replace(incoming, name=await self._name(int(incoming.user_id)))
                await self.state.mark_reachable(CHANNEL, incoming.user_id)  # they wrote to us
                await self.conversation.handle(named, ref)

            return await self.intake.run(source, event, work)
        user = usable_id(obj.get("user_id"))
        if kind in ("message_allow", "message_deny") and user:
            if kind == "message_deny":
                await self.state.mark_unreachable(CHANNEL, user, "denied messages")
            else:
                await self.state.mark_reachable(CHANNEL, user)
            return True
        log.debug("vk event %s ignored", kind)
        return True

    async def _name(self, user_id: int) -> str:
        """The client's name as VK shows it (asked of VK once per process)."""
        name = self._names.get(user_id)
        if name is None:
            name = await self.client.user_name(user_id) or f"VK user {user_id}"
            self._names[user_id] = name
        return name


def _client_message(obj: dict[str, Any]) -> ClientMessage:
    """The client's message (without their name, asked of VK later); KeyError, TypeError or
    ValueError when the event is not what VK sends."""
    message = obj["message"]
    user_id = int(message["from_id"])
    if user_id <= 0:
        raise ValueError(f"from_id {user_id} is not a user")
    info = obj.get("client_info") if isinstance(obj.get("client_info"), dict) else {}
    assert isinstance(info, dict)
    text = message.get("text") or ""
    if not isinstance(text, str):
        raise TypeError(f"text is a {type(text).__name__}")
    attachments, others = _attachments(message.get("attachments") or [])
    text = " ".join(p for p in (text, *(f"[{kind}]" for kind in others)) if p)
    return ClientMessage(
        CHANNEL, str(user_id), "", LANGUAGE_IDS.get(int(info.get("lang_id", -1))), text,
        attachments, action=_action(message.get("payload")))


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


def _attachments(items: list[Any]) -> tuple[tuple[Attachment, ...], list[str]]:
    """The files we keep, and the kinds of the other attachments (a poll, a wall post, a
    gift: named in the text, so the message is not lost or refused as empty)."""
    if not isinstance(items, list):
        raise TypeError(f"attachments is a {type(items).__name__}")
    found: list[Attachment] = []
    others: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        body = item.get(kind) if isinstance(kind, str) else None
        if not isinstance(body, dict):
            if isinstance(kind, str) and kind.isidentifier():
                others.append(kind)
            continue
        if kind == "photo":
            sizes = [s for s in body.get("sizes", []) if isinstance(s, dict)
                     and isinstance(s.get("url"), str) and s["url"]]
            largest = max(sizes, key=lambda s: s.get("width", 0) * s.get("height", 0),
                          default=None)
            ref = largest["url"] if largest else _vk_ref(kind, body)
            found.append(Attachment("photo", ref, None, "image/jpeg"))
        elif kind == "doc":
            title, size = body.get("title"), body.get("size")
            found.append(Attachment("document", str(body.get("url") or _vk_ref(kind, body)),
                                    title if isinstance(title, str) else None, None,
                                    size if type(size) is int else None))
        elif kind in ("audio_message", "video", "audio", "sticker"):
            url = body.get("link_ogg") or body.get("link_mp3") or body.get("url")
            found.append(Attachment("voice" if kind == "audio_message" else kind,
                                    str(url or _vk_ref(kind, body))))
        elif isinstance(kind, str) and kind.isidentifier():
            others.append(kind)
    return tuple(found), others


def _vk_ref(kind: str, body: dict[str, Any]) -> str:
    """VK's own attachment reference, e.g. photo100_200."""
    return f"{kind}{body.get('owner_id', '')}_{body.get('id', '')}"
