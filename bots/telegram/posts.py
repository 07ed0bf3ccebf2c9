"""A text with files, as the Bot API calls that post it: the header (HTML) tops the first
piece, the plain body is escaped and cut at Telegram's limits, a short enough text rides as
the first file's caption, and files are re-sent by their Telegram file id."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from aiogram.methods import (
    EditMessageText,
    SendAnimation,
    SendAudio,
    SendDocument,
    SendMessage,
    SendPhoto,
    SendSticker,
    SendVideo,
    SendVideoNote,
    SendVoice,
    TelegramMethod,
)
from aiogram.types import ForceReply, InlineKeyboardMarkup

from bots.telegram.render import (
    MAX_CAPTION,
    MAX_TEXT,
    PARSE_MODE,
    esc,
    split_markup,
    split_text,
    visible_len,
)
from core.tickets import Attachment

_SENDERS: dict[str, tuple[type[TelegramMethod[Any]], str]] = {
    "photo": (SendPhoto, "photo"), "document": (SendDocument, "document"),
    "voice": (SendVoice, "voice"), "video": (SendVideo, "video"), "audio": (SendAudio, "audio"),
    "animation": (SendAnimation, "animation"), "sticker": (SendSticker, "sticker"),
    "video_note": (SendVideoNote, "video_note"),
}
_NO_CAPTION = frozenset({"sticker", "video_note"})


@dataclass(frozen=True)
class Post:
    chat_id: int
    thread_id: int | None
    header: str  # HTML, shown first
    body: str = ""  # plain text, escaped here
    reply_markup: InlineKeyboardMarkup | None = None

    def with_header(self, header: str) -> Post:
        return replace(self, header=header)

    def with_body(self, body: str) -> Post:
        return replace(self, body=body)


def _texts(post: Post) -> list[str]:
    if not post.body.strip():
        return split_markup(post.header) if post.header else []
    if not post.header:
        return [esc(piece) for piece in split_text(post.body)]
    room = MAX_TEXT - visible_len(post.header) - 1
    if room < MAX_TEXT // 4:  # a huge header: give it posts of its own
        return split_markup(post.header) + [esc(p) for p in split_text(post.body)]
    pieces = split_text(post.body, MAX_TEXT, first_limit=room)
    return [f"{post.header}\n{esc(pieces[0])}", *(esc(p) for p in pieces[1:])]


def text_methods(post: Post) -> list[TelegramMethod[Any]]:
    texts = _texts(post)
    return [SendMessage(chat_id=post.chat_id, message_thread_id=post.thread_id, text=text,
                        parse_mode=PARSE_MODE,
                        reply_markup=post.reply_markup if index == len(texts) - 1 else None)
            for index, text in enumerate(texts)]


def file_method(post: Post, attachment: Attachment,
                caption: str | None = None) -> TelegramMethod[Any]:
    method, field = _SENDERS.get(attachment.kind, _SENDERS["document"])
    values: dict[str, Any] = {"chat_id": post.chat_id, "message_thread_id": post.thread_id,
                              field: attachment.ref}
    if caption and attachment.kind not in _NO_CAPTION:
        values.update(caption=caption, parse_mode=PARSE_MODE)
    return method(**values)


def file_methods(post: Post, files: list[Attachment]) -> list[TelegramMethod[Any]]:
    """The text (as the first file's caption when it fits), then the files."""
    if not files:
        return text_methods(post)
    first, rest = files[0], files[1:]
    caption = "\n".join(x for x in (post.header, esc(post.body.strip())) if x)
    if first.kind not in _NO_CAPTION and visible_len(caption) <= MAX_CAPTION:
        return [file_method(post, first, caption), *(file_method(post, f) for f in rest)]
    return [*text_methods(post), *(file_method(post, f) for f in files)]


def answer_methods(payload: dict[str, Any]) -> list[TelegramMethod[Any]]:
    """A ready "text" answer (`bots.telegram.handlers.common.answer`): its pieces, the buttons
    under the last; or the edit of a message of ours (`message_id`), e.g. an answered
    question; a prompt the client asked to answer forces the reply."""
    markup = payload.get("reply_markup")
    keyboard: InlineKeyboardMarkup | ForceReply | None = (
        InlineKeyboardMarkup.model_validate(markup) if markup else None)
    if payload.get("force_reply"):
        keyboard = ForceReply.model_validate(payload["force_reply"])
    parse_mode = payload.get("parse_mode")
    text = str(payload.get("text") or "")
    pieces = split_markup(text) if parse_mode else split_text(text)
    if payload.get("message_id"):
        return [EditMessageText(chat_id=payload["chat_id"], message_id=payload["message_id"],
                                text=pieces[0], parse_mode=parse_mode, reply_markup=keyboard)]
    last = len(pieces) - 1
    return [SendMessage(chat_id=payload["chat_id"], message_thread_id=payload.get("thread_id"),
                        text=piece, parse_mode=parse_mode,
                        reply_markup=keyboard if index == last else None)
            for index, piece in enumerate(pieces)]
