"""Texts in the client's language: gettext catalogs (`bots/locales/<lang>/LC_MESSAGES/<domain>.po`)
read with Babel, falling back to the shared words of wording/. English is the source language;
Persian is written right to left."""

from __future__ import annotations

from pathlib import Path

from wording.catalog import Messages, english_plural, load
from wording.numbers import fill, with_count
from wording.words import messages as shared

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("en", "ru", "fa")
RTL = frozenset({"fa"})
DOMAINS = ("client", "notices", "agents")


def pick_language(code: str | None, default: str = "en") -> str:
    """`ru-RU`, `ru` -> `ru`; anything we don't speak -> the default."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else default


def _catalog(language: str, domain: str) -> Messages:
    return load(LOCALES / language / "LC_MESSAGES" / f"{domain}.po", language)


class Translator:
    def __init__(self, language: str, domain: str) -> None:
        self.language = language
        self.domain = domain

    @property
    def rtl(self) -> bool:
        return self.language in RTL

    def lookup(self, message: str) -> str | None:
        """The catalog's text, or None when neither the domain nor the shared words have it."""
        return (_catalog(self.language, self.domain).gettext(message)
                or shared(self.language).gettext(message))

    def gettext(self, message: str, **values: object) -> str:
        text = self.lookup(message) or message
        return fill(text, self.language, **values)

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        """The plural form for `count` by the language's rule ("1 заявка / 2 заявки /
        5 заявок"); `{count}` is the number, in the language's digits."""
        text = (_catalog(self.language, self.domain).ngettext(singular, count)
                or shared(self.language).ngettext(singular, count)
                or english_plural(singular, plural, count))
        return with_count(text, count, self.language, **values)


def translator(language: str | None, domain: str, default: str = "en") -> Translator:
    return Translator(pick_language(language, default), domain)
