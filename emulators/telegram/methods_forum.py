"""Bot API methods for forum topics: create, edit, close, reopen, delete.

A topic's ``message_thread_id`` is the id of the ``forum_topic_created`` service message
posted when it is created (which therefore counts against the flood limits); edits,
closing and reopening post ``forum_topic_edited/closed/reopened`` service messages in the
topic.  Deleting a topic deletes all of its messages.
"""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .models import Chat, ForumTopic, User
from .registry import Call, bot_method
from .state import EmulatorState

TOPIC_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
"""The icon colors Telegram allows (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, ...)."""


def check_topic(chat: Chat, name: str, icon_color: int | None) -> int:
    """Validate a new topic; returns its icon color."""
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    if not name or not name.strip():
        raise bad_request("TOPIC_TITLE_EMPTY")
    if len(name) > 128:
        raise bad_request("TOPIC_TITLE_TOO_LONG")
    color = TOPIC_COLORS[0] if icon_color is None else icon_color
    if color not in TOPIC_COLORS:
        raise bad_request("TOPIC_ICON_COLOR_INVALID")
    return color


def create_topic(
    state: EmulatorState,
    chat: Chat,
    creator: User,
    name: str,
    icon_color: int | None = None,
    icon_custom_emoji_id: str | None = None,
) -> ForumTopic:
    """Create a topic and its service message (shared with the control API)."""
    color = check_topic(chat, name, icon_color)
    created: dict[str, Any] = {"name": name, "icon_color": color}
    if icon_custom_emoji_id:
        created["icon_custom_emoji_id"] = icon_custom_emoji_id
    msg = state.new_message(
        chat,
        creator,
        from_bot=creator.id == state.bot.id,
        is_topic_message=True,
        service={"forum_topic_created": created},
    )
    msg.message_thread_id = msg.message_id
    topic = ForumTopic(
        chat_id=chat.id,
        message_thread_id=msg.message_id,
        name=name,
        icon_color=color,
        icon_custom_emoji_id=icon_custom_emoji_id,
        created_by=creator.id,
    )
    state.add_topic(topic)
    return topic


def _topic(call: Call) -> tuple[Chat, ForumTopic]:
    chat = call.chat()
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    thread_id = call.params["message_thread_id"]
    topic = call.state.topic(chat.id, thread_id)
    if topic is None:
        known = call.state.topics.get(chat.id, {}).get(thread_id)
        raise bad_request("message thread not found" if known and known.archived
                          else "TOPIC_ID_INVALID")
    return chat, topic


def _service(call: Call, chat: Chat, topic: ForumTopic, payload: dict[str, Any]) -> None:
    call.state.new_message(
        chat,
        call.state.bot,
        from_bot=True,
        message_thread_id=topic.message_thread_id,
        is_topic_message=True,
        reply_to=call.state.get_message(chat.id, topic.message_thread_id),
        service=payload,
    )


@bot_method("createForumTopic")
def create_forum_topic(call: Call) -> dict[str, Any]:
    chat = call.chat()
    check_topic(chat, call.params["name"], call.get("icon_color"))
    call.rate_limit(chat)
    topic = create_topic(
        call.state,
        chat,
        call.state.bot,
        call.params["name"],
        call.get("icon_color"),
        call.get("icon_custom_emoji_id"),
    )
    return topic.to_api()


@bot_method("editForumTopic")
def edit_forum_topic(call: Call) -> bool:
    chat, topic = _topic(call)
    changes: dict[str, Any] = {}
    name = call.get("name")
    if name is not None and name != topic.name:
        if not name.strip() or len(name) > 128:
            raise bad_request("TOPIC_TITLE_EMPTY" if not name.strip() else "TOPIC_TITLE_TOO_LONG")
        changes["name"] = name
    emoji = call.get("icon_custom_emoji_id")
    if emoji is not None and (emoji or None) != topic.icon_custom_emoji_id:
        changes["icon_custom_emoji_id"] = emoji
    if not changes:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.name = changes.get("name", topic.name)
    if "icon_custom_emoji_id" in changes:
        topic.icon_custom_emoji_id = changes["icon_custom_emoji_id"] or None
    _service(call, chat, topic, {"forum_topic_edited": changes})
    return True


@bot_method("closeForumTopic", "reopenForumTopic")
def close_or_reopen_forum_topic(call: Call) -> bool:
    chat, topic = _topic(call)
    closing = call.method.lower() == "closeforumtopic"
    if topic.closed == closing:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.closed = closing
    _service(call, chat, topic, {"forum_topic_closed" if closing else "forum_topic_reopened": {}})
    return True


@bot_method("deleteForumTopic")
def delete_forum_topic(call: Call) -> bool:
    chat, topic = _topic(call)
    topic.deleted = True
    for msg in call.state.chat_messages(chat.id):
        if msg.message_thread_id == topic.message_thread_id:
            msg.deleted = True
    call.state.changed()
    return True


@bot_method("getForumTopicIconStickers")
def get_forum_topic_icon_stickers(call: Call) -> list[dict[str, Any]]:
    return []
