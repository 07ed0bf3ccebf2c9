"""Texts in the client's language: gettext catalogs (`bots/locales/<lang>/LC_MESSAGES/<domain>.po`)
read with Babel. English is the source language; Persian is written right to left."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("en", "ru", "fa")
RTL = frozenset({"fa"})
DOMAINS = ("client", "notices", "agents")


def pick_language(code: str | None, default: str = "en") -> str:
    """`ru-RU`, `ru` -> `ru`; anything we don't speak -> the default."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else default


@cache
def _catalog(language: str, domain: str) -> dict[str, str]:
    path = LOCALES / language / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


class Translator:
    def __init__(self, language: str, domain: str) -> None:
        self.language = language
        self.domain = domain

    @property
    def rtl(self) -> bool:
        return self.language in RTL

    def gettext(self, message: str, **values: object) -> str:
        text = _catalog(self.language, self.domain).get(message, message)
        return text.format(**values) if values else text

    __call__ = gettext


def translator(language: str | None, domain: str, default: str = "en") -> Translator:
    return Translator(pick_language(language, default), domain)
