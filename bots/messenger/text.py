"""Cutting a long text into messages a platform accepts (VK: 9,000 characters, Viber:
7,000), at line or word boundaries when there is one in the second half of a piece."""

from __future__ import annotations


def split_text(text: str, limit: int) -> list[str]:
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut(rest, limit)
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if piece:
            pieces.append(piece)
    if rest:
        pieces.append(rest)
    return pieces


def _cut(text: str, limit: int) -> int:
    for separator in ("\n", " "):
        at = text.rfind(separator, 0, limit + 1)
        if at > limit // 2:
            return at
    return limit
