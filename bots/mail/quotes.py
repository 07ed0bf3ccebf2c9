"""What the client wrote this time, without the history their mail program quoted below it
or their signature: the text is cut at the first separator the usual programs write (Gmail,
Outlook, Thunderbird, Apple Mail, Yandex and Mail.ru, in English and Russian), at a "-- "
signature line or a "Sent from my phone" line, and trailing ">" lines go. A text that would
be left empty is kept whole (a forwarded mail, say)."""

from __future__ import annotations

import re

_ADDRESS = r"<?[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?"
_SEPARATORS = [re.compile(p, re.I) for p in (
    # Gmail, Thunderbird, Apple Mail: "On Mon, 7 Dec 2026 at 10:00, Anna <a@b.c> wrote:"
    r"^\s*On\b.{0,200}\bwrote:\s*$",
    # Gmail ru "пн, 7 дек. 2026 г. в 10:00, Anna <a@b.c>:", Thunderbird ru "... пишет:",
    # Yandex '07.12.2026, 10:00, "Anna" <a@b.c>:', Mail.ru "... от Anna <a@b.c>:"
    r"^.{0,200}\b(пишет|написал|написала|писал|писала)\s*:\s*$",
    rf"^.{{0,200}}{_ADDRESS}\s*\)?\s*:\s*$",
    r"^\s*\d{1,2}[./]\d{1,2}[./]\d{2,4},?\s+(в\s+)?\d{1,2}:\d{2}.{0,150}:\s*$",
    # Outlook
    r"^\s*-{2,}\s*(Original Message|Исходное сообщение|Reply message|Ответное сообщение)"
    r"\s*-{2,}\s*$",
    r"^\s*_{10,}\s*$",
    # Yandex and Mail.ru mobile headers of a quote
    r"^\s*-{3,}\s*(Пересылаемое сообщение|Forwarded message)\s*-{3,}\s*$",
)]
_SIGNATURES = [re.compile(p, re.I) for p in (
    r"^--\s?$",
    r"^\s*(Sent from|Sent with|Get Outlook for)\b.{0,60}$",
    r"^\s*(Отправлено|Отправлено с|Отправлено из|Послано с)\b.{0,80}$",
    r"^\s*(С уважением|Best regards|Kind regards|Regards),?\s*$",
)]


def fresh_text(text: str) -> str:
    """The new part of a reply: before the quoted history and the signature."""
    lines = text.replace("\r\n", "\n").split("\n")
    cut = len(lines)
    for index in range(len(lines)):
        if _separator_at(lines, index):
            cut = index
            break
    kept = lines[:cut]
    for index, line in enumerate(kept):
        if any(p.match(line) for p in _SIGNATURES):
            kept = kept[:index]
            break
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()
    fresh = "\n".join(kept).strip()
    return fresh or text.strip()


def _separator_at(lines: list[str], index: int) -> bool:
    line = lines[index]
    if any(pattern.match(line) for pattern in _SEPARATORS):
        return True
    # Outlook's header block: "From: ..." then "Sent: ..." (or "Date:", "To:")
    if _FROM.match(line) and any(_SENT.match(n) for n in lines[index + 1:index + 4]):
        return True
    # Gmail wraps a long "On ... wrote:" line in two
    if index + 1 >= len(lines) or not _WRAPPED_START.match(line):
        return False
    joined = f"{line} {lines[index + 1]}"
    return bool(_SEPARATORS[0].match(joined) or _SEPARATORS[2].match(joined))


_FROM = re.compile(r"^\s*\*?(From|От|Від)\s*:\*?\s*\S", re.I)
_SENT = re.compile(r"^\s*\*?(Sent|Date|To|Отправлено|Дата|Кому)\s*:", re.I)
_WRAPPED_START = re.compile(r"^\s*(On\b|\w{2,3},\s+\d{1,2}\s|\d{1,2}[./]\d{1,2}[./])", re.I)
