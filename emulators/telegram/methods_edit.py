"""Bot API methods that change or remove existing messages and answer button presses:
editMessageText, editMessageCaption, editMessageReplyMarkup, deleteMessage(s),
answerCallbackQuery.  None of them counts against the flood limits.

Every applied edit keeps the previous content in ``StoredMessage.history``; an edit
that changes nothing fails with Telegram's "message is not modified" error.
"""

from __future__ import annotations

import time
from typing import Any

from .content import check_reply_markup, format_caption, format_text
from .errors import MESSAGE_NOT_MODIFIED, MESSAGE_TO_EDIT_NOT_FOUND, QUERY_INVALID, bad_request
from .models import CallbackAnswer, StoredMessage
from .registry import Call, bot_method


def _target(call: Call) -> StoredMessage:
    if "chat_id" not in call.params or "message_id" not in call.params:
        if "inline_message_id" in call.params:
            raise bad_request("MESSAGE_ID_INVALID")  # inline messages are not emulated
        raise bad_request(
            "chat_id is empty"
            if "chat_id" not in call.params
            else "message identifier is not specified"
        )
    chat = call.chat()
    msg = call.state.get_message(chat.id, call.params["message_id"])
    if msg is None:
        raise bad_request(MESSAGE_TO_EDIT_NOT_FOUND)
    if not msg.from_bot or msg.sender.id != call.state.bot.id:  # another bot's is not ours
        raise bad_request("message can't be edited")
    return msg


def _apply(call: Call, msg: StoredMessage, **changes: Any) -> dict[str, Any]:
    before = msg.content()
    after = {**before, **changes}
    if after == before:
        raise bad_request(MESSAGE_NOT_MODIFIED)
    msg.history.append(before)
    for name, value in changes.items():
        setattr(msg, name, value)
    if "parse_mode" in call.params:
        msg.parse_mode = call.params["parse_mode"]
    msg.edit_date = int(time.time())
    call.state.changed()
    return msg.to_api()


@bot_method("editMessageText")
def edit_message_text(call: Call) -> dict[str, Any]:
    msg = _target(call)
    if msg.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities = format_text(call.get("text"), call.get("parse_mode"), call.get("entities"))
    markup = check_reply_markup(call.get("reply_markup"))
    return _apply(call, msg, text=text, entities=entities, reply_markup=markup)


@bot_method("editMessageCaption")
def edit_message_caption(call: Call) -> dict[str, Any]:
    msg = _target(call)
    if msg.media_kind is None:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = format_caption(
        call.get("caption"), call.get("parse_mode"), call.get("caption_entities")
    )
    markup = check_reply_markup(call.get("reply_markup"))
    return _apply(call, msg, caption=caption, caption_entities=entities, reply_markup=markup)


@bot_method("editMessageReplyMarkup")
def edit_message_reply_markup(call: Call) -> dict[str, Any]:
    msg = _target(call)
    markup = check_reply_markup(call.get("reply_markup"))
    return _apply(call, msg, reply_markup=markup)


@bot_method("deleteMessage")
def delete_message(call: Call) -> bool:
    chat = call.chat()
    msg = call.state.get_message(chat.id, call.params["message_id"])
    if msg is None:
        raise bad_request("message to delete not found")
    msg.deleted = True
    call.state.changed()
    return True


@bot_method("deleteMessages")
def delete_messages(call: Call) -> bool:
    chat = call.chat()
    ids: list[int] = call.params["message_ids"]
    if not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must contain 1-100 identifiers")
    for message_id in ids:
        msg = call.state.get_message(chat.id, message_id)
        if msg is not None:
            msg.deleted = True
    call.state.changed()
    return True


@bot_method("answerCallbackQuery")
def answer_callback_query(call: Call) -> bool:
    query = call.state.callback_queries.get(call.params["callback_query_id"])
    if query is None or query.answered:
        raise bad_request(QUERY_INVALID)
    text = call.get("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    call.state.callback_answers.append(
        CallbackAnswer(
            callback_query_id=query.id,
            text=text,
            show_alert=bool(call.get("show_alert", False)),
            url=call.get("url"),
            cache_time=call.get("cache_time"),
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
            data=query.data,
        )
    )
    call.state.changed()
    return True
