"""Panel texts in English, Russian and Persian: gettext catalogs under
`admin_web/locales/<lang>/LC_MESSAGES/panel.po`, read with Babel like bots/i18n.py."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from core.errors import DomainError
from wording.catalog import Messages, english_plural, load
from wording.numbers import fill, with_count
from wording.refusals import describe
from wording.words import messages as shared

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = {"en": "English", "ru": "Русский", "fa": "فارسی"}
RTL = frozenset({"fa"})


def _catalog(language: str) -> Messages:
    return load(LOCALES / language / "LC_MESSAGES" / "panel.po", language)


class Translator:
    """The panel's words in one language, then the shared words of wording/."""

    # When a set, every message no catalog had in a language other than English is added
    # to it (the test that renders every page in ru and fa fails on any).
    missed: ClassVar[set[str] | None] = None

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else "en"

    @property
    def rtl(self) -> bool:
        return self.language in RTL

    def term(self, name: str) -> str:
        """A name from data: translated when it is one of the desk's own words (a seeded
        status, priority, type, category), else as typed; never a miss."""
        return (_catalog(self.language).gettext(name) or shared(self.language).gettext(name)
                or name)

    def lookup(self, message: str) -> str | None:
        """The catalogs' text, or None (noted as a miss) when neither has it."""
        text = (_catalog(self.language).gettext(message)
                or shared(self.language).gettext(message))
        if text is None:
            self._miss(message)
        return text

    def __call__(self, message: str, **values: object) -> str:
        text = self.lookup(message) or message
        return fill(text, self.language, **values)

    def refusal(self, error: DomainError) -> str:
        """A refusal of the core in this language, worded by its code."""
        return describe(error, self.lookup, self.term)

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        """The plural form for `count` by the language's rule ("1 заявка / 2 заявки /
        5 заявок"); `{count}` is the number, in the language's digits."""
        text = (_catalog(self.language).ngettext(singular, count)
                or shared(self.language).ngettext(singular, count))
        if text is None:
            self._miss(singular)
            text = english_plural(singular, plural, count)
        return with_count(text, count, self.language, **values)

    def _miss(self, message: str) -> None:
        if Translator.missed is not None and self.language != "en" and message:
            Translator.missed.add(message)


def best_language(accept_language: str | None, default: str) -> str:
    """The first language of an Accept-Language header we speak, by its q weights."""
    choices = []
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        base = tag.split("-")[0].lower()
        if base in LANGUAGES and weight > 0:
            choices.append((weight, base))
    return max(choices, key=lambda c: c[0])[1] if choices else default
