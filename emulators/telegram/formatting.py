"""Parse modes as Telegram applies them: ``parse_text`` turns text with ``parse_mode``
HTML, MarkdownV2 or Markdown into plain text plus ``MessageEntity`` dicts (offsets in
UTF-16 code units) and fails with Telegram's "can't parse entities" errors on malformed
markup.  The HTML parser lives here; Markdown flavours are in :mod:`.markdown`.
"""

from __future__ import annotations

import re

from .entities import (
    Entity,
    byte_offset,
    detect_entities,
    entity_error,
    mentioned_user,
    sort_entities,
    strip_text,
    utf16_len,
)
from .errors import bad_request
from .markdown import parse_markdown, parse_markdown_v2

__all__ = ["Entity", "detect_entities", "parse_text", "strip_text", "utf16_len"]

_HTML_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_HTML_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR = re.compile(r"\s*([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Apply ``parse_mode`` to ``text``; return the plain text and its entities."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return _parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


# -- HTML ---------------------------------------------------------------------


def _parse_html(text: str) -> tuple[str, list[Entity]]:
    out: list[str] = []
    pos16 = 0
    stack: list[tuple[str, Entity, int]] = []  # (tag, entity, start offset)
    entities: list[Entity] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "&":
            match = _HTML_ENTITY.match(text, i)
            if match:
                code = match.group(1)
                if code.startswith("#x"):
                    rep = chr(int(code[2:], 16))
                elif code.startswith("#"):
                    rep = chr(int(code[1:]))
                else:
                    rep = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}[code]
                out.append(rep)
                pos16 += utf16_len(rep)
                i = match.end()
                continue
        if ch != "<":
            out.append(ch)
            pos16 += utf16_len(ch)
            i += 1
            continue
        end = text.find(">", i)
        if end == -1:
            raise entity_error(f"Unclosed start tag at byte offset {byte_offset(text, i)}")
        body = text[i + 1 : end]
        if body.startswith("/"):
            name = body[1:].strip().lower()
            if not stack:
                raise entity_error(f"Unexpected end tag at byte offset {byte_offset(text, i)}")
            tag, entity, start = stack.pop()
            if name and name != tag:
                raise entity_error(
                    f"Unmatched end tag at byte offset {byte_offset(text, i)}, "
                    f'expected "</{tag}>", found "</{name}>"'
                )
            entity["offset"], entity["length"] = start, pos16 - start
            if entity["type"] and entity["length"] > 0:
                entities.append(entity)
        else:
            entity = _html_start_tag(body, text, i, stack)
            stack.append((entity.pop("_tag"), entity, pos16))
        i = end + 1
    if stack:
        raise entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), sort_entities(entities)


def _html_start_tag(
    body: str, text: str, index: int, stack: list[tuple[str, Entity, int]]
) -> Entity:
    name_match = _TAG_NAME.match(body)
    if not name_match:
        raise entity_error(f"Unsupported start tag at byte offset {byte_offset(text, index)}")
    name = name_match.group(0).lower()
    attrs = {
        m.group(1).lower(): (m.group(2) or "").strip("\"'")
        for m in _ATTR.finditer(body, name_match.end())
        if m.group(1)
    }
    entity: Entity = {"_tag": name}
    if name in _HTML_SIMPLE:
        entity["type"] = _HTML_SIMPLE[name]
        if name == "blockquote" and "expandable" in attrs:
            entity["type"] = "expandable_blockquote"
        if name == "code" and stack and stack[-1][0] == "pre" and "class" in attrs:
            language = attrs["class"].removeprefix("language-")
            stack[-1][1]["language"] = language
            entity["type"] = ""  # merged into the enclosing pre
    elif name == "span" and attrs.get("class") == "tg-spoiler":
        entity["type"] = "spoiler"
    elif name == "a":
        href = attrs.get("href", "")
        if href.startswith("tg://user?id="):
            entity.update(type="text_mention", user=mentioned_user(href))
        else:
            entity.update(type="text_link", url=href)
    elif name == "tg-emoji":
        entity.update(type="custom_emoji", custom_emoji_id=attrs.get("emoji-id", ""))
    else:
        raise entity_error(
            f'Unsupported start tag "{name}" at byte offset {byte_offset(text, index)}'
        )
    return entity
