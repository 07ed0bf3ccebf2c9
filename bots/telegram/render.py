"""Shared pieces of what the Telegram bot writes: HTML escaping, Telegram's length limits
and cutting long texts at line or word boundaries, status emojis and topic titles.
Client notices live in `render_client`, the team chat's card and posts in `render_agents`."""

from __future__ import annotations

import html
import re
from datetime import datetime
from html.parser import HTMLParser

from bots.moments import local_time
from core.statuses import AWAITING_REPLY, CLOSED, ON_HOLD, OPEN, RESOLVED
from storage.views import TicketCard

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_TOPIC_TITLE = 128
PARSE_MODE = "HTML"

STATUS_EMOJI = {OPEN: "", ON_HOLD: "⏸", AWAITING_REPLY: "⏳", RESOLVED: "✅", CLOSED: "🏁"}
CUSTOM_OPEN_EMOJI = "🔵"
CUSTOM_CLOSED_EMOJI = "⚪"

_TAG = re.compile(r"<[^>]*>")


def esc(text: object) -> str:
    """Escape user-supplied text for parse mode HTML."""
    return html.escape(str(text), quote=False)


def utf16_len(text: str) -> int:
    """Telegram counts lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def visible_len(markup: str) -> int:
    """The length Telegram counts for an HTML text: after its tags are parsed."""
    return utf16_len(html.unescape(_TAG.sub("", markup)))


def _fit(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _cut(text: str, limit: int) -> int:
    """Where to cut: the last line break, else the last space, in the second half of what
    fits; a hard cut only when a single word is that long."""
    end = _fit(text, limit)
    if end >= len(text):
        return end
    for separator in ("\n", " "):
        at = text.rfind(separator, 0, end + 1)
        if at > end // 2:
            return at + 1 if at < end else at
    return end


def split_text(text: str, limit: int = MAX_TEXT, first_limit: int | None = None) -> list[str]:
    """Cut plain text into pieces of at most `limit` UTF-16 units (`first_limit` for the
    first one). Only whitespace at the cuts is dropped."""
    pieces: list[str] = []
    rest = text.strip()
    room = limit if first_limit is None else max(first_limit, 1)
    while rest and utf16_len(rest) > room:
        cut = max(_cut(rest, room), 1)
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if piece:
            pieces.append(piece)
        room = limit
    if rest:
        pieces.append(rest)
    return pieces


def split_markup(markup: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a ready HTML text at line breaks (tags are expected not to span lines)."""
    if visible_len(markup) <= limit:
        return [markup]
    pieces: list[str] = []
    current = ""
    for line in markup.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if current and visible_len(candidate) > limit:
            pieces.append(current)
            candidate = line
        while visible_len(candidate) > limit:  # one huge line: cut it as plain text
            head = split_text(html.unescape(_TAG.sub("", candidate)), limit)
            pieces.extend(esc(p) for p in head[:-1])
            candidate = esc(head[-1])
        current = candidate
    if current.strip():
        pieces.append(current)
    return pieces


TELEGRAM_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
                           "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji"})


class _TagCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.ok = True

    def handle_data(self, data: str) -> None:
        self.ok &= "<" not in data and ">" not in data

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ok &= tag in TELEGRAM_TAGS
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.ok &= bool(self.open) and self.open.pop() == tag


def telegram_markup(text: str) -> str:
    """Text an administrator wrote as HTML, as Telegram will take it: kept when its tags are
    the ones Telegram knows and balanced, otherwise shown as plain text (never refused)."""
    check = _TagCheck()
    try:
        check.feed(text)
        check.close()
    except Exception:  # noqa: BLE001 - anything unreadable is shown as plain text
        check.ok = False
    bare_ampersand = re.search(r"&(?!#?\w+;)", text)
    if check.ok and not check.open and not bare_ampersand:
        return text
    return esc(html.unescape(text))


def status_emoji(status: str, is_open: bool) -> str:
    if status in STATUS_EMOJI:
        return STATUS_EMOJI[status]
    return CUSTOM_OPEN_EMOJI if is_open else CUSTOM_CLOSED_EMOJI


def topic_title(card: TicketCard) -> str:
    """"#N · subject", prefixed with an emoji for every status but Open (at a glance)."""
    emoji = status_emoji(card.status, card.status_open)
    prefix = f"{emoji} #{card.number} · " if emoji else f"#{card.number} · "
    room = MAX_TOPIC_TITLE - len(prefix)
    subject = " ".join(card.subject.split()) or "…"
    if len(subject) > room:
        subject = subject[: room - 1].rstrip() + "…"
    return prefix + subject


def when(moment: datetime | None, timezone: str = "UTC") -> str:
    return local_time(moment, timezone)


def topic_link(chat_id: int, thread_id: int) -> str:
    """A t.me link to a forum topic of a supergroup (-100xxxxxxxxxx ids)."""
    internal = str(chat_id).removeprefix("-100")
    return f"https://t.me/c/{internal}/{thread_id}"
