"""MarkdownV2 and legacy Markdown parse modes, following the Bot API formatting rules.

MarkdownV2 requires escaping of the reserved characters ``_*[]()~`>#+-=|{}.!`` outside
entities and fails like Telegram ("Character '.' is reserved and must be escaped with the
preceding '\\'") when they are not; unclosed entities fail with "Can't find end of ...".
"""

from __future__ import annotations

from .entities import (
    Entity,
    byte_offset,
    entity_error,
    mentioned_user,
    sort_entities,
    utf16_len,
)

_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")

# -- MarkdownV2 -----------------------------------------------------------------

_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
}


class _MarkdownV2:
    """A small MarkdownV2 parser following the rules of the Bot API documentation."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[str] = []
        self.pos16 = 0
        self.entities: list[Entity] = []
        self.stack: list[tuple[str, int, int]] = []  # (type, start offset, byte offset)

    def emit(self, s: str) -> None:
        self.out.append(s)
        self.pos16 += utf16_len(s)

    def toggle(self, kind: str, index: int) -> None:
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == kind:
                _, start, _ = self.stack.pop(k)
                if self.pos16 > start:
                    self.entities.append(
                        {"type": kind, "offset": start, "length": self.pos16 - start}
                    )
                return
        self.stack.append((kind, self.pos16, byte_offset(self.text, index)))

    def parse(self) -> tuple[str, list[Entity]]:
        text = self.text
        i = 0
        n = len(text)
        while i < n:
            ch = text[i]
            if ch == "\\" and i + 1 < n and 0 < ord(text[i + 1]) < 127:
                self.emit(text[i + 1])
                i += 2
            elif text.startswith("```", i):
                i = self.pre(i)
            elif ch == "`":
                i = self.code(i)
            elif ch == "*":
                self.toggle("bold", i)
                i += 1
            elif text.startswith("__", i):
                self.toggle("underline", i)
                i += 2
            elif ch == "_":
                self.toggle("italic", i)
                i += 1
            elif ch == "~":
                self.toggle("strikethrough", i)
                i += 1
            elif text.startswith("||", i):
                self.toggle("spoiler", i)
                i += 2
            elif ch == "[" or (ch == "!" and text.startswith("![", i)):
                self.stack.append(("text_link", self.pos16, byte_offset(text, i)))
                i += 2 if ch == "!" else 1
            elif ch == "]" and any(s[0] == "text_link" for s in self.stack):
                i = self.link_end(i)
            elif ch == ">" and (i == 0 or text[i - 1] == "\n"):
                i = self.blockquote(i)
            elif ch in _MDV2_RESERVED:
                raise entity_error(
                    f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
                )
            else:
                self.emit(ch)
                i += 1
        if self.stack:
            kind, _, byte = self.stack[-1]
            raise entity_error(
                f"Can't find end of {_MDV2_NAMES[kind]} entity at byte offset {byte}"
            )
        return "".join(self.out), sort_entities(self.entities)

    def _until(self, i: int, closer: str, what: str, start_byte: int) -> tuple[str, int]:
        """Read escaped content up to ``closer``; return it and the index after it."""
        buf: list[str] = []
        n = len(self.text)
        while i < n:
            if self.text[i] == "\\" and i + 1 < n:
                buf.append(self.text[i + 1])
                i += 2
            elif self.text.startswith(closer, i):
                return "".join(buf), i + len(closer)
            else:
                buf.append(self.text[i])
                i += 1
        raise entity_error(f"Can't find end of {what} entity at byte offset {start_byte}")

    def code(self, i: int) -> int:
        content, nxt = self._until(i + 1, "`", "Code", byte_offset(self.text, i))
        start = self.pos16
        self.emit(content)
        if content:
            self.entities.append({"type": "code", "offset": start, "length": self.pos16 - start})
        return nxt

    def pre(self, i: int) -> int:
        content, nxt = self._until(i + 3, "```", "Pre", byte_offset(self.text, i))
        language = ""
        first, sep, rest = content.partition("\n")
        if sep and first and " " not in first:
            language, content = first, rest
        start = self.pos16
        self.emit(content)
        if content:
            ent: Entity = {"type": "pre", "offset": start, "length": self.pos16 - start}
            if language:
                ent["language"] = language
            self.entities.append(ent)
        return nxt

    def link_end(self, i: int) -> int:
        if self.stack[-1][0] != "text_link":
            kind, _, byte = self.stack[-1]
            raise entity_error(
                f"Can't find end of {_MDV2_NAMES[kind]} entity at byte offset {byte}"
            )
        _, start, byte = self.stack.pop()
        if not self.text.startswith("(", i + 1):
            raise entity_error(
                "Character ']' is reserved and must be escaped with the preceding '\\'"
            )
        url, nxt = self._until(i + 2, ")", "TextUrl", byte)
        if self.pos16 > start:
            if url.startswith("tg://emoji?id="):
                ent: Entity = {"type": "custom_emoji", "custom_emoji_id": url.split("=", 1)[1]}
            elif url.startswith("tg://user?id="):
                ent = {"type": "text_mention", "user": mentioned_user(url)}
            else:
                ent = {"type": "text_link", "url": url}
            ent.update(offset=start, length=self.pos16 - start)
            self.entities.append(ent)
        return nxt

    def blockquote(self, i: int) -> int:
        if (
            self.entities
            and self.entities[-1]["type"] == "blockquote"
            and (self.entities[-1]["offset"] + self.entities[-1]["length"] + 1 == self.pos16)
        ):
            quote = self.entities.pop()
            quote["length"] += 1  # the newline joining two quoted lines
        else:
            quote = {"type": "blockquote", "offset": self.pos16, "length": 0}
        line_end = self.text.find("\n", i)
        line_end = len(self.text) if line_end == -1 else line_end
        sub = _MarkdownV2(self.text[i + 1 : line_end])
        plain, inner = sub.parse()
        for ent in inner:
            self.entities.append({**ent, "offset": ent["offset"] + self.pos16})
        start = self.pos16
        self.emit(plain)
        quote["length"] += self.pos16 - start
        self.entities.append(quote)
        return line_end


# -- legacy Markdown --------------------------------------------------------------

_LEGACY = {"*": "bold", "_": "italic"}


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """Plain text and entities of a legacy Markdown text."""
    out: list[str] = []
    pos16 = 0
    entities: list[Entity] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            pos16 += 1
            i += 2
            continue
        if ch in _LEGACY or ch == "`" or ch == "[":
            closer = {"[": "]"}.get(ch, ch)
            if text.startswith("```", i):
                closer, ch = "```", "```"
            end = text.find(closer, i + len(ch))
            if end == -1:
                raise entity_error(
                    f"Can't find end of the entity starting at byte offset {byte_offset(text, i)}"
                )
            inner = text[i + len(ch) : end]
            nxt = end + len(closer)
            ent: Entity = {"type": _LEGACY.get(ch, "pre" if ch == "```" else "code")}
            if ch == "[":
                close_paren = text.find(")", end)
                if not text.startswith("(", end + 1) or close_paren == -1:
                    raise entity_error(
                        "Can't find end of the entity starting at byte offset "
                        f"{byte_offset(text, i)}"
                    )
                ent = {"type": "text_link", "url": text[end + 2 : close_paren]}
                nxt = close_paren + 1
            length = utf16_len(inner)
            if length:
                ent.update(offset=pos16, length=length)
                entities.append(ent)
            out.append(inner)
            pos16 += length
            i = nxt
            continue
        out.append(ch)
        pos16 += utf16_len(ch)
        i += 1
    return "".join(out), sort_entities(entities)


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    """Plain text and entities of a MarkdownV2 text (``400`` on malformed markup)."""
    return _MarkdownV2(text).parse()
