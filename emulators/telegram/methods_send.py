"""Bot API methods that post messages: sendMessage, send<Media>, sendMediaGroup,
sendContact, copyMessage, forwardMessage.

Every one of them counts against the flood limits.  A message sent into a forum topic
carries ``message_thread_id`` and ``is_topic_message`` and, unless it replies to
something else, replies to the topic's creation message, as on Telegram.
"""

from __future__ import annotations

from typing import Any

from .content import (
    MEDIA_KINDS,
    check_reply_markup,
    format_caption,
    format_text,
    media_object,
)
from .errors import bad_request
from .models import Chat, ForumTopic, StoredMessage
from .registry import Call, bot_method

_SEND_MEDIA = {f"send{kind}": kind for kind in MEDIA_KINDS}


def _reply_target(call: Call, chat: Chat) -> StoredMessage | None:
    params = call.get("reply_parameters")
    if params is None and "reply_to_message_id" in call.params:
        params = {
            "message_id": call.params["reply_to_message_id"],
            "allow_sending_without_reply": call.get("allow_sending_without_reply", False),
        }
    if not params:
        return None
    target_chat = chat
    if params.get("chat_id") is not None:
        target_chat = call.state.resolve_chat(params["chat_id"])
    msg = call.state.get_message(target_chat.id, int(params["message_id"]))
    if msg is None:
        if params.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    return msg if target_chat is chat else None  # cross-chat replies are not rendered


def prepare_target(call: Call, chat: Chat) -> tuple[ForumTopic | None, StoredMessage | None]:
    """The topic and the replied-to message of a message about to be sent."""
    reply = _reply_target(call, chat)
    thread_id = call.get("message_thread_id")
    if thread_id is None and reply is not None and reply.chat is chat and reply.is_topic_message:
        thread_id = reply.message_thread_id
    topic = call.state.thread_for_send(chat, thread_id)
    return topic, reply


def store_bot_message(
    call: Call,
    chat: Chat,
    topic: ForumTopic | None,
    reply: StoredMessage | None,
    **fields: Any,
) -> StoredMessage:
    """Store a message the bot sent, placed in its topic."""
    state = call.state
    if topic is not None:
        fields.update(message_thread_id=topic.message_thread_id, is_topic_message=True)
        if reply is None:
            reply = state.get_message(chat.id, topic.message_thread_id)
    extra: dict[str, Any] = fields.pop("extra", {})
    if call.get("protect_content"):
        extra["has_protected_content"] = True
    if call.get("link_preview_options"):
        extra["link_preview_options"] = call.get("link_preview_options")
    return state.new_message(chat, state.bot, from_bot=True, reply_to=reply, extra=extra, **fields)


@bot_method("sendMessage")
def send_message(call: Call) -> dict[str, Any]:
    chat = call.chat()
    text, entities = format_text(call.get("text"), call.get("parse_mode"), call.get("entities"))
    markup = check_reply_markup(call.get("reply_markup"))
    topic, reply = prepare_target(call, chat)
    call.rate_limit(chat)
    msg = store_bot_message(
        call,
        chat,
        topic,
        reply,
        text=text,
        entities=entities,
        parse_mode=call.get("parse_mode"),
        reply_markup=markup,
    )
    return msg.to_api()


@bot_method(*_SEND_MEDIA)
def send_media(call: Call) -> dict[str, Any]:
    kind = _SEND_MEDIA[call.method.lower()]
    chat = call.chat()
    caption, caption_entities = format_caption(
        call.get("caption"), call.get("parse_mode"), call.get("caption_entities")
    )
    markup = check_reply_markup(call.get("reply_markup"))
    topic, reply = prepare_target(call, chat)
    stored = call.state.files.resolve(call.params[kind], kind, call.uploads)
    call.rate_limit(chat)
    msg = store_bot_message(
        call,
        chat,
        topic,
        reply,
        media_kind=kind,
        media=media_object(kind, stored, call.params),
        file_ids=[stored.file_id],
        caption=caption,
        caption_entities=caption_entities,
        parse_mode=call.get("parse_mode"),
        reply_markup=markup,
    )
    return msg.to_api()


@bot_method("sendMediaGroup")
def send_media_group(call: Call) -> list[dict[str, Any]]:
    chat = call.chat()
    items: list[dict[str, Any]] = call.params["media"]
    if not 2 <= len(items) <= 10:
        raise bad_request("wrong number of media in the media group: must be 2-10")
    prepared = []
    for item in items:
        kind = item.get("type")
        if kind not in ("photo", "video", "document", "audio"):
            raise bad_request(f"unsupported media type {kind!r} in a media group")
        caption, caption_entities = format_caption(
            item.get("caption"), item.get("parse_mode"), item.get("caption_entities")
        )
        prepared.append((kind, item, caption, caption_entities))
    topic, reply = prepare_target(call, chat)
    resolved = [
        (kind, call.state.files.resolve(item["media"], kind, call.uploads), item, cap, ents)
        for kind, item, cap, ents in prepared
    ]
    call.rate_limit(chat)
    group_id = f"{chat.id}{len(call.state.chat_messages(chat.id)) + 1:08d}".lstrip("-")
    messages = [
        store_bot_message(
            call,
            chat,
            topic,
            reply,
            media_kind=kind,
            media=media_object(kind, stored, item),
            file_ids=[stored.file_id],
            caption=caption,
            caption_entities=caption_entities,
            extra={"media_group_id": group_id},
        )
        for kind, stored, item, caption, caption_entities in resolved
    ]
    return [m.to_api() for m in messages]


@bot_method("sendContact")
def send_contact(call: Call) -> dict[str, Any]:
    chat = call.chat()
    markup = check_reply_markup(call.get("reply_markup"))
    topic, reply = prepare_target(call, chat)
    call.rate_limit(chat)
    contact = {
        k: call.params[k]
        for k in ("phone_number", "first_name", "last_name", "vcard")
        if k in call.params
    }
    msg = store_bot_message(
        call, chat, topic, reply, reply_markup=markup, extra={"contact": contact}
    )
    return msg.to_api()


def _source(call: Call, missing: str) -> StoredMessage:
    source_chat = call.chat("from_chat_id")
    src = call.state.get_message(source_chat.id, call.params["message_id"])
    if src is None:
        raise bad_request(missing)
    if src.service:
        raise bad_request("message can't be copied")
    return src


def _copied_content(src: StoredMessage) -> dict[str, Any]:
    return {
        "text": src.text,
        "entities": list(src.entities),
        "media_kind": src.media_kind,
        "media": src.media,
        "file_ids": list(src.file_ids),
        "caption": src.caption,
        "caption_entities": list(src.caption_entities),
        "extra": {k: v for k, v in src.extra.items() if k == "contact"},
    }


@bot_method("copyMessage")
def copy_message(call: Call) -> dict[str, Any]:
    chat = call.chat()
    src = _source(call, "message to copy not found")
    fields = _copied_content(src)
    if "caption" in call.params:
        fields["caption"], fields["caption_entities"] = format_caption(
            call.get("caption"), call.get("parse_mode"), call.get("caption_entities")
        )
    markup = check_reply_markup(call.get("reply_markup"))
    topic, reply = prepare_target(call, chat)
    call.rate_limit(chat)
    msg = store_bot_message(call, chat, topic, reply, reply_markup=markup, **fields)
    return {"message_id": msg.message_id}


@bot_method("forwardMessage")
def forward_message(call: Call) -> dict[str, Any]:
    chat = call.chat()
    src = _source(call, "message to forward not found")
    fields = _copied_content(src)
    fields["extra"]["forward_origin"] = {
        "type": "user",
        "sender_user": src.sender.to_api(),
        "date": src.date,
    }
    topic = call.state.thread_for_send(chat, call.get("message_thread_id"))
    call.rate_limit(chat)
    msg = store_bot_message(call, chat, topic, None, **fields)
    return msg.to_api()
