"""Records the emulator keeps: users, chats, members, topics, messages, answers, calls.

Each record renders itself as the Bot API object aiogram parses (``to_api``) and as a
plain JSON-friendly dict for the control API (``to_dict``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

MemberStatus = Literal["creator", "administrator", "member", "left", "kicked"]

ADMIN_RIGHTS: dict[str, bool] = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_post_messages": False,
    "can_edit_messages": False,
    "can_pin_messages": True,
    "can_manage_topics": True,
    "can_send_welcome_messages": False,  # required by aiogram 3.31, newer than the spec
}
ACCEPTED_GIFT_TYPES = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


@dataclass
class User:
    """A Telegram user or bot account."""

    id: int
    first_name: str
    is_bot: bool = False
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_premium: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_api(self) -> dict[str, Any]:
        return _compact(
            {
                "id": self.id,
                "is_bot": self.is_bot,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "username": self.username,
                "language_code": self.language_code,
                "is_premium": self.is_premium,
                **self.extra,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return self.to_api()


@dataclass
class Member:
    """A user's membership in a group."""

    user: User
    status: MemberStatus = "member"
    custom_title: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.status in ("creator", "administrator")

    def to_api(self) -> dict[str, Any]:
        base: dict[str, Any] = {"status": self.status, "user": self.user.to_api()}
        if self.status == "creator":
            base["is_anonymous"] = False
        elif self.status == "administrator":
            base.update(ADMIN_RIGHTS)
            base["can_be_edited"] = not self.user.is_bot
        elif self.status == "kicked":
            base["until_date"] = 0
        if self.custom_title and self.is_admin:
            base["custom_title"] = self.custom_title
        return base

    def to_dict(self) -> dict[str, Any]:
        return {"user": self.user.to_dict(), "status": self.status, "is_admin": self.is_admin}


@dataclass
class Chat:
    """A private chat with a user, or a (super)group."""

    id: int
    type: Literal["private", "group", "supergroup", "channel"]
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False
    members: dict[int, Member] = field(default_factory=dict)

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def to_api(self) -> dict[str, Any]:
        return _compact(
            {
                "id": self.id,
                "type": self.type,
                "title": self.title,
                "username": self.username,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "is_forum": True if self.is_forum else None,
            }
        )

    def to_full_info(self) -> dict[str, Any]:
        """The ``ChatFullInfo`` object getChat returns."""
        info = self.to_api()
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types=dict(ACCEPTED_GIFT_TYPES),
        )
        if self.is_group:
            info["permissions"] = {"can_send_messages": True, "can_manage_topics": False}
        return info

    def to_dict(self) -> dict[str, Any]:
        d = self.to_api()
        d["is_forum"] = self.is_forum
        d["members"] = [m.to_dict() for m in self.members.values()]
        return d


@dataclass
class ForumTopic:
    """A topic of a forum supergroup; its id is the id of its creation message."""

    chat_id: int
    message_thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False
    archived: bool = False
    """Telegram no longer finds it ("message thread not found"), as in a forum past its
    ceiling of about a million messages."""
    created_by: int | None = None

    def to_api(self) -> dict[str, Any]:
        return _compact(
            {
                "message_thread_id": self.message_thread_id,
                "name": self.name,
                "icon_color": self.icon_color,
                "icon_custom_emoji_id": self.icon_custom_emoji_id,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.to_api(),
            "chat_id": self.chat_id,
            "closed": self.closed,
            "deleted": self.deleted,
            "archived": self.archived,
            "created_by": self.created_by,
        }


CONTENT_FIELDS = ("text", "entities", "caption", "caption_entities", "reply_markup")


@dataclass
class StoredMessage:
    """A message in a chat, sent by the bot or injected as coming from a user."""

    chat: Chat
    message_id: int
    date: int
    sender: User
    from_bot: bool
    message_thread_id: int | None = None
    is_topic_message: bool = False
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    parse_mode: str | None = None
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    media_kind: str | None = None
    media: Any = None
    """The Bot API media object (a PhotoSize list for photos)."""
    file_ids: list[str] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    reply_to: StoredMessage | None = None
    service: dict[str, Any] = field(default_factory=dict)
    """Service payload, e.g. ``{"forum_topic_created": {...}}``."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Other Message fields (contact, forward_origin, media_group_id, ...)."""
    edit_date: int | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    """Previous versions (content fields), oldest first."""
    deleted: bool = False
    reactions: list[dict[str, Any]] = field(default_factory=list)
    """The bot's chosen reactions (ReactionType objects), as setMessageReaction left them."""

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def edited(self) -> bool:
        return bool(self.history)

    @property
    def reaction_emojis(self) -> list[str]:
        """The emojis of the bot's reactions on this message."""
        return [r["emoji"] for r in self.reactions if r.get("type") == "emoji"]

    @property
    def callback_data(self) -> list[str]:
        """callback_data of every inline button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [b["callback_data"] for row in rows for b in row if "callback_data" in b]

    def content(self) -> dict[str, Any]:
        """The editable part of the message, for comparing and history."""
        return {name: copy.deepcopy(getattr(self, name)) for name in CONTENT_FIELDS}

    def to_api(self, *, with_reply: bool = True) -> dict[str, Any]:
        """The Bot API ``Message`` object."""
        msg: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender.to_api(),
            "date": self.date,
            "chat": self.chat.to_api(),
        }
        if self.message_thread_id is not None:
            msg["message_thread_id"] = self.message_thread_id
        if self.is_topic_message:
            msg["is_topic_message"] = True
        if self.reply_to is not None and with_reply:
            msg["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.edit_date is not None:
            msg["edit_date"] = self.edit_date
        msg.update(copy.deepcopy(self.extra))
        if self.text is not None:
            msg["text"] = self.text
            if self.entities:
                msg["entities"] = copy.deepcopy(self.entities)
        if self.media_kind is not None:
            msg[self.media_kind] = copy.deepcopy(self.media)
            if self.media_kind == "animation":
                msg["document"] = copy.deepcopy(self.media)
        if self.caption is not None:
            msg["caption"] = self.caption
            if self.caption_entities:
                msg["caption_entities"] = copy.deepcopy(self.caption_entities)
        msg.update(copy.deepcopy(self.service))
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            msg["reply_markup"] = copy.deepcopy(self.reply_markup)
        return msg

    def to_dict(self) -> dict[str, Any]:
        """Everything known about the message, for the control API."""
        return {
            "chat_id": self.chat.id,
            "message_id": self.message_id,
            "date": self.date,
            "from": self.sender.to_api(),
            "from_bot": self.from_bot,
            "message_thread_id": self.message_thread_id,
            "is_topic_message": self.is_topic_message,
            "text": self.text,
            "entities": self.entities,
            "parse_mode": self.parse_mode,
            "caption": self.caption,
            "caption_entities": self.caption_entities,
            "media_kind": self.media_kind,
            "media": self.media,
            "file_ids": self.file_ids,
            "reply_markup": self.reply_markup,
            "reply_to_message_id": self.reply_to.message_id if self.reply_to else None,
            "service": self.service,
            "extra": self.extra,
            "edit_date": self.edit_date,
            "history": self.history,
            "deleted": self.deleted,
            "reactions": self.reactions,
        }


@dataclass
class CallbackQuery:
    """A button press injected by a test, waiting for answerCallbackQuery."""

    id: str
    user: User
    message: StoredMessage
    data: str
    answered: bool = False

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "from": self.user.to_api(),
            "message": self.message.to_api(),
            "chat_instance": str(abs(self.message.chat.id) * 31 + 7),
            "data": self.data,
        }


@dataclass
class CallbackAnswer:
    """What the bot answered to a callback query."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    chat_id: int | None
    message_id: int | None
    data: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class CallRecord:
    """One Bot API call as the emulator saw it."""

    seq: int
    method: str
    params: dict[str, Any]
    status: int
    ok: bool
    description: str | None
    at: float
    bot_id: int = 0
    """The bot that made the call (a helper bot's id, or the main bot's)."""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)
