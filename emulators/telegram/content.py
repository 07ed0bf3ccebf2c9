"""Building message content the way Telegram does: texts, captions, keyboards, media.

Shared by the Bot API handlers (what the bot sends) and by injection (what users send):
``format_text`` applies the parse mode and the length limits, ``check_reply_markup``
enforces inline keyboard rules such as the 64-byte ``callback_data`` limit, and
``media_object`` renders a stored file as a PhotoSize list, Document, Voice, ...
"""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .files import StoredFile, image_size
from .formatting import Entity, detect_entities, parse_text, strip_text

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MEDIA_KINDS = ("photo", "document", "voice", "video", "sticker", "audio", "animation")
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def format_text(
    text: str | None,
    parse_mode: str | None = None,
    entities: list[Entity] | None = None,
) -> tuple[str, list[Entity]]:
    """A message text after entity parsing, or ``400`` when empty or too long."""
    if text is None:
        raise bad_request("message text is empty")
    plain, ents = _apply(text, parse_mode, entities)
    if not plain:
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT:  # counted in code points (entity offsets use UTF-16)
        raise bad_request("message is too long")
    return plain, ents


def format_caption(
    caption: str | None,
    parse_mode: str | None = None,
    entities: list[Entity] | None = None,
) -> tuple[str | None, list[Entity]]:
    """A media caption after entity parsing (None when empty), or ``400`` when too long."""
    if caption is None:
        return None, []
    plain, ents = _apply(caption, parse_mode, entities)
    if len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return (plain or None), ents


def _apply(
    text: str, parse_mode: str | None, entities: list[Entity] | None
) -> tuple[str, list[Entity]]:
    if entities is not None:  # explicit entities win over parse_mode
        plain, ents = text, [dict(e) for e in entities]
    else:
        plain, ents = parse_text(text, parse_mode)
    plain, ents = strip_text(plain, ents)
    return plain, detect_entities(plain, ents)


def check_reply_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Enforce the inline keyboard rules the spec alone does not express."""
    if not markup or "inline_keyboard" not in markup:
        return markup
    for row in markup["inline_keyboard"]:
        for button in row:
            actions = [a for a in _INLINE_ACTIONS if a in button]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode("utf-8"))
                if size < 1 or size > MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not str(button["url"]).strip():
                raise bad_request("BUTTON_URL_INVALID")
    return markup


def media_object(kind: str, stored: StoredFile, params: dict[str, Any]) -> Any:
    """The Bot API object for a file sent as ``kind``; ``params`` may give
    duration, width, height, performer, title, emoji."""
    base: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    dims = image_size(stored.data)
    width = int(params.get("width") or (dims[0] if dims else 320))
    height = int(params.get("height") or (dims[1] if dims else 240))
    duration = int(params.get("duration") or 1)
    if kind == "photo":
        sizes = []
        if max(width, height) > 90:
            scale = 90 / max(width, height)
            thumb_w, thumb_h = max(1, round(width * scale)), max(1, round(height * scale))
            sizes.append(
                {
                    **base,
                    "file_unique_id": base["file_unique_id"] + "t",
                    "width": thumb_w,
                    "height": thumb_h,
                }
            )
        sizes.append({**base, "width": width, "height": height})
        return sizes
    named = {"file_name": stored.filename, "mime_type": stored.mime_type}
    if kind == "document":
        return _compact({**base, **named})
    if kind == "voice":
        return _compact({**base, "duration": duration, "mime_type": stored.mime_type})
    if kind in ("video", "animation"):
        return _compact({**base, **named, "width": width, "height": height, "duration": duration})
    if kind == "audio":
        return _compact(
            {
                **base,
                **named,
                "duration": duration,
                "performer": params.get("performer"),
                "title": params.get("title"),
            }
        )
    if kind == "sticker":
        return _compact(
            {
                **base,
                "type": "regular",
                "width": int(params.get("width") or 512),
                "height": int(params.get("height") or 512),
                "is_animated": False,
                "is_video": False,
                "emoji": params.get("emoji"),
            }
        )
    raise ValueError(f"unknown media kind {kind}")


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}
