"""Durations, numbers and weekdays as a person reads them in English, Russian or Persian.

`format_duration` is THE duration formatter of the bots, the panel and the reports: use it
wherever a span of time is shown (never decimal minutes)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from babel.dates import get_day_names

__all__ = ["NONE", "digits", "format_duration", "split_duration", "weekday_names"]

from wording.numbers import digits
from wording.words import word

# (seconds in the unit, its short English name: the catalog's message id)
_UNITS = ((86400, "{n} d"), (3600, "{n} h"), (60, "{n} min"))
NONE = "—"


def split_duration(seconds: float) -> list[tuple[int, str]]:
    """Whole days, hours and minutes of a span, largest first (pure arithmetic)."""
    rest = max(0, int(seconds))
    parts = []
    for size, unit in _UNITS:
        count, rest = divmod(rest, size)
        parts.append((count, unit))
    return parts


def format_duration(seconds: float | timedelta | None, language: str, *,
                    units: int = 2) -> str:
    """A span of time in short units, the `units` largest from the first that is not zero,
    zeros left out: `format_duration(147600, "en") -> "1 d 17 h"`, "ru" -> "1 д 17 ч",
    "fa" -> "۱ روز ۱۷ ساعت"; under a minute is "under 1 min" (in words: a "<" would be
    mirrored in right-to-left text), nothing at all "0 min"; None is "—"."""
    if seconds is None:
        return NONE
    if isinstance(seconds, timedelta):
        seconds = seconds.total_seconds()
    if 0 < seconds < 60:
        return word("under {n} min", language, n=digits(1, language))
    parts = split_duration(seconds)
    first = next((i for i, (count, _) in enumerate(parts) if count), len(parts) - 1)
    shown = [(count, unit) for count, unit in parts[first:first + units] if count]
    shown = shown or [(0, _UNITS[-1][1])]
    return " ".join(word(unit, language, n=digits(count, language)) for count, unit in shown)


def weekday_names(language: str,
                  width: Literal["abbreviated", "narrow", "short", "wide"] = "wide") -> list[str]:
    """Monday first, in the language (CLDR's names through Babel)."""
    names = get_day_names(width, locale=language)
    return [str(names[day]) for day in range(7)]
