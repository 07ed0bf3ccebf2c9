"""What users do, turned into updates for the bot: messages in private chats and groups
(forum topics included), inline button presses and message edits.

Every function stores what happened in the state and queues the matching update with the
next ``update_id``.  Messages in a forum topic carry ``message_thread_id``,
``is_topic_message`` and, unless they reply to something else, ``reply_to_message`` set
to the topic's creation message, as real Telegram sends them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .content import MEDIA_KINDS, format_caption, format_text, media_object
from .errors import ApiError, ControlError
from .models import Chat, ForumTopic, StoredMessage, User
from .state import EmulatorState


@dataclass(frozen=True)
class Attachment:
    """A file a user sends (photo, document, voice, video, sticker, audio, animation)."""

    kind: str
    data: bytes
    filename: str | None = None
    mime_type: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    """Optional duration, width, height, emoji."""

    def __post_init__(self) -> None:
        if self.kind not in MEDIA_KINDS:
            raise ControlError(f"unknown attachment kind {self.kind!r}")


@dataclass(frozen=True)
class InjectedUpdate:
    """An update put into the bot's queue."""

    update_id: int | None
    """None when the bot's ``allowed_updates`` excluded it (it is then not queued)."""
    kind: str
    payload: dict[str, Any]
    message: StoredMessage | None = None
    callback_query_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "update_id": self.update_id,
            "kind": self.kind,
            "payload": self.payload,
            "chat_id": self.message.chat.id if self.message else None,
            "message_id": self.message.message_id if self.message else None,
            "callback_query_id": self.callback_query_id,
        }


def _content(
    state: EmulatorState,
    text: str | None,
    entities: list[dict[str, Any]] | None,
    attachment: Attachment | None,
    caption: str | None,
    contact: dict[str, Any] | None,
) -> dict[str, Any]:
    try:
        fields: dict[str, Any] = {}
        if text is not None:
            fields["text"], fields["entities"] = format_text(text, None, entities)
        if attachment is not None:
            stored = state.files.add(
                attachment.kind,
                attachment.data,
                filename=attachment.filename,
                mime_type=attachment.mime_type,
            )
            fields.update(
                media_kind=attachment.kind,
                media=media_object(attachment.kind, stored, dict(attachment.details)),
                file_ids=[stored.file_id],
            )
            fields["caption"], fields["caption_entities"] = format_caption(caption)
        if contact is not None:
            if not contact.get("phone_number"):
                raise ControlError("contact needs a phone_number")
            fields["extra"] = {"contact": contact}
    except ApiError as exc:
        raise ControlError(exc.description) from None
    if not fields:
        raise ControlError("a message needs text, an attachment or a contact")
    if "text" in fields and ("media_kind" in fields or "extra" in fields):
        raise ControlError("text cannot be combined with an attachment or contact; use caption")
    return fields


def _store_and_queue(
    state: EmulatorState, chat: Chat, user: User, fields: dict[str, Any]
) -> InjectedUpdate:
    msg = state.new_message(chat, user, from_bot=False, **fields)
    payload = msg.to_api()
    update = state.push_update("message", payload)
    return InjectedUpdate(update.update_id if update else None, "message", payload, msg)


def inject_private_message(
    state: EmulatorState,
    user: User,
    *,
    text: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    attachment: Attachment | None = None,
    caption: str | None = None,
    contact: dict[str, Any] | None = None,
    reply_to_message_id: int | None = None,
) -> InjectedUpdate:
    """A message from ``user`` in their private chat with the bot."""
    chat = state.private_chat(user)
    state.blocked_by.discard(user.id)  # writing to the bot means it is not blocked
    fields = _content(state, text, entities, attachment, caption, contact)
    if contact is not None:
        fields["extra"]["contact"] = {"first_name": user.first_name, "user_id": user.id, **contact}
    if reply_to_message_id is not None:
        fields["reply_to"] = _existing(state, chat.id, reply_to_message_id)
    return _store_and_queue(state, chat, user, fields)


def inject_group_message(
    state: EmulatorState,
    chat_id: int,
    user: User,
    *,
    text: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    attachment: Attachment | None = None,
    caption: str | None = None,
    message_thread_id: int | None = None,
    reply_to_message_id: int | None = None,
) -> InjectedUpdate:
    """A message from ``user`` in a group, optionally in a forum topic."""
    chat = state.chat_or_control_error(chat_id)
    if not chat.is_group:
        raise ControlError(f"chat {chat_id} is not a group")
    if user.id not in chat.members or chat.members[user.id].status in ("left", "kicked"):
        state.add_member(chat, user)
    fields = _content(state, text, entities, attachment, caption, None)
    reply = _existing(state, chat.id, reply_to_message_id) if reply_to_message_id else None
    if message_thread_id is None and reply is not None and reply.is_topic_message:
        message_thread_id = reply.message_thread_id
    if message_thread_id is not None:
        topic = _topic(state, chat, message_thread_id)
        fields.update(message_thread_id=topic.message_thread_id, is_topic_message=True)
        reply = reply or state.get_message(chat.id, topic.message_thread_id)
    fields["reply_to"] = reply
    return _store_and_queue(state, chat, user, fields)


def inject_callback_query(
    state: EmulatorState,
    chat_id: int,
    message_id: int,
    data: str,
    *,
    user: User | None = None,
    forge: bool = False,
) -> InjectedUpdate:
    """A press on an inline button of a message (``forge`` skips the button check)."""
    msg = _existing(state, chat_id, message_id)
    if not forge and data not in msg.callback_data:
        raise ControlError(
            f"message {message_id} in chat {chat_id} has no inline button with "
            f"callback_data {data!r} (buttons: {msg.callback_data})"
        )
    if user is None:
        if msg.chat.type != "private":
            raise ControlError("user_id is required for a button press in a group")
        user = state.users.get(msg.chat.id) or state.ensure_user(msg.chat.id)
    query = state.new_callback_query(user, msg, data)
    payload = query.to_api()
    if msg.sender.id in {h.id for h in state.helpers.values()}:  # the posting bot's update
        state.helper_updates.setdefault(msg.sender.id, []).append(
            {"callback_query": payload})
        return InjectedUpdate(None, "callback_query", payload, msg, query.id)
    update = state.push_update("callback_query", payload)
    return InjectedUpdate(
        update.update_id if update else None, "callback_query", payload, msg, query.id
    )


def inject_edited_message(
    state: EmulatorState,
    chat_id: int,
    message_id: int,
    *,
    text: str | None = None,
    caption: str | None = None,
) -> InjectedUpdate:
    """A user editing one of their messages (text, or caption of a media message)."""
    msg = _existing(state, chat_id, message_id)
    if msg.from_bot:
        raise ControlError("only messages sent by users can be edited by users")
    before = msg.content()
    try:
        if msg.text is not None:
            msg.text, msg.entities = format_text(text)
        elif msg.media_kind is not None:
            msg.caption, msg.caption_entities = format_caption(caption)
        else:
            raise ControlError("this message has neither text nor caption")
    except ApiError as exc:
        raise ControlError(exc.description) from None
    msg.history.append(before)
    msg.edit_date = int(time.time())
    payload = msg.to_api()
    update = state.push_update("edited_message", payload)
    return InjectedUpdate(update.update_id if update else None, "edited_message", payload, msg)


def inject_raw_update(state: EmulatorState, kind: str, payload: dict[str, Any]) -> InjectedUpdate:
    """Any update object, queued verbatim (e.g. ``my_chat_member``)."""
    update = state.push_update(kind, payload)
    return InjectedUpdate(update.update_id if update else None, kind, payload)


def _existing(state: EmulatorState, chat_id: int, message_id: int) -> StoredMessage:
    msg = state.get_message(chat_id, message_id)
    if msg is None:
        raise ControlError(f"message {message_id} not found in chat {chat_id}")
    return msg


def _topic(state: EmulatorState, chat: Chat, thread_id: int) -> ForumTopic:
    topic = state.topic(chat.id, thread_id)
    if topic is None:
        raise ControlError(f"topic {thread_id} not found in chat {chat.id}")
    return topic
