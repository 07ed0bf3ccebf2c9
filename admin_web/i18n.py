"""Panel texts in English, Russian and Persian: gettext catalogs under
`admin_web/locales/<lang>/LC_MESSAGES/panel.po`, read with Babel like bots/i18n.py."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = {"en": "English", "ru": "Русский", "fa": "فارسی"}
RTL = frozenset({"fa"})


@cache
def _catalog(language: str) -> dict[str, str]:
    path = LOCALES / language / "LC_MESSAGES" / "panel.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


class Translator:
    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else "en"

    @property
    def rtl(self) -> bool:
        return self.language in RTL

    def __call__(self, message: str, **values: object) -> str:
        text = _catalog(self.language).get(message, message)
        return text.format(**values) if values else text


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
