"""Message entities: UTF-16 offsets, ordering, whitespace stripping and the entities
Telegram detects by itself (bot commands, mentions, hashtags, URLs, e-mails).

Shared by the parse-mode parsers in :mod:`.formatting` and :mod:`.markdown`.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ApiError, bad_request

Entity = dict[str, Any]

_AUTO = re.compile(
    r"(?P<bot_command>(?<![\w/])/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{3,32})?(?![\w/]))"
    r"|(?P<email>\b[\w.+-]+@[\w-]+\.[\w.-]+\b)"
    r"|(?P<url>\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]])"
    r"|(?P<mention>(?<![\w@])@[a-zA-Z][a-zA-Z0-9_]{3,31}\b)"
    r"|(?P<hashtag>(?<![\w#])#[^\W\d]\w*)"
)
_AUTO_COMPATIBLE = {"bold", "italic", "underline", "strikethrough", "spoiler", "blockquote"}


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (the unit of entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def entity_error(text: str) -> ApiError:
    return bad_request(f"can't parse entities: {text}")


def byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip surrounding whitespace as Telegram does, keeping entities aligned."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    end = utf16_len(stripped)
    out: list[Entity] = []
    for ent in entities:
        start = max(ent["offset"] - lead, 0)
        stop = min(ent["offset"] + ent["length"] - lead, end)
        if stop > start:
            out.append({**ent, "offset": start, "length": stop - start})
    return stripped, out


def detect_entities(text: str, entities: list[Entity]) -> list[Entity]:
    """Add auto-detected entities (commands, mentions, hashtags, URLs, e-mails)."""
    found: list[Entity] = []
    for match in _AUTO.finditer(text):
        kind = match.lastgroup or "url"
        offset = utf16_len(text[: match.start()])
        length = utf16_len(match.group(0))
        overlaps = any(
            e["offset"] < offset + length
            and offset < e["offset"] + e["length"]
            and e["type"] not in _AUTO_COMPATIBLE
            for e in entities
        )
        if not overlaps:
            found.append({"type": kind, "offset": offset, "length": length})
    return sort_entities(entities + found)


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Order entities as Telegram does: by offset, outer before inner."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def mentioned_user(link: str) -> dict[str, object]:
    """The User object of a `tg://user?id=N` mention: Telegram answers with the whole user;
    without the chat's member list at hand, a minimal valid one (aiogram requires
    is_bot and first_name)."""
    raw = link.split("=", 1)[1] if "=" in link else "0"
    user_id = int(raw) if raw.isdigit() else 0
    return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
