"""Durations as people read them: "1 d 17 h", "3 h 5 min", in the panel's languages.

A minimal stand-in for the shared formatter of the `i18n` branch, with its signature."""

from __future__ import annotations

UNITS = {
    "en": ("d", "h", "min"),
    "ru": ("д", "ч", "мин"),
    "fa": ("روز", "ساعت", "دقیقه"),
}
# In words rather than "< 1": a "<" is mirrored in right-to-left text.
UNDER_A_MINUTE = {"en": "under 1 min", "ru": "меньше 1 мин", "fa": "کمتر از 1 دقیقه"}
_STEPS = (86400, 3600, 60)


def format_duration(seconds: float, language: str) -> str:
    """The two largest units, rounded down to the minute; "under 1 min" below that."""
    names = UNITS.get(language, UNITS["en"])
    left = max(0, int(seconds))
    if left < 60:
        return UNDER_A_MINUTE.get(language, UNDER_A_MINUTE["en"])
    parts: list[str] = []
    for size, name in zip(_STEPS, names, strict=True):
        amount, left = divmod(left, size)
        if amount or parts:
            parts.append(f"{amount} {name}")
        if len(parts) == 2:
            break
    if len(parts) == 2 and parts[1].startswith("0 "):
        parts.pop()
    return " ".join(parts)
