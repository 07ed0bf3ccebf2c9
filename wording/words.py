"""The shared catalog (wording/locales/<lang>/LC_MESSAGES/wording.po): units of time,
weekdays, roles, channels and the core's refusals, used by the bots and the panel alike."""

from __future__ import annotations

from pathlib import Path

from wording.catalog import Messages, english_plural, load
from wording.numbers import fill, with_count

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("en", "ru", "fa")


def messages(language: str) -> Messages:
    return load(LOCALES / language / "LC_MESSAGES" / "wording.po", language)


def word(message: str, language: str, **values: object) -> str:
    text = messages(language).gettext(message) or message
    return fill(text, language, **values)


def words(singular: str, plural: str, count: int, language: str, **values: object) -> str:
    """The plural form for `count` in `language`; `{count}` is filled in with the number."""
    text = messages(language).ngettext(singular, count) or english_plural(singular, plural,
                                                                          count)
    return with_count(text, count, language, **values)
