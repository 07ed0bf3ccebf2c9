"""A gettext catalog read with Babel, with the plural rule of its language (Russian has three
forms, Persian two): `Messages.gettext` and `Messages.ngettext` like the stdlib's."""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po


class Messages:
    """One language's messages of one catalog file; a missing file is an empty catalog."""

    def __init__(self, language: str, catalog: Catalog | None) -> None:
        self.language = language
        self.singular: dict[str, str] = {}
        self.plural: dict[str, tuple[str, ...]] = {}
        expression = "(n != 1)"
        if catalog is not None:
            expression = catalog.plural_expr
            for m in catalog:
                if not m.id or m.fuzzy:
                    continue
                if isinstance(m.id, tuple | list):
                    forms = tuple(str(s) for s in m.string or ())
                    if all(forms):
                        self.plural[str(m.id[0])] = forms
                elif m.string:
                    self.singular[str(m.id)] = str(m.string)
        self.plural_index: Callable[[int], int] = gettext.c2py(expression)

    def gettext(self, message: str) -> str | None:
        return self.singular.get(message)

    def ngettext(self, singular: str, count: int) -> str | None:
        """The form for `count`, or None when the catalog lacks the message."""
        forms = self.plural.get(singular)
        if not forms:
            return None
        return forms[min(self.plural_index(abs(count)), len(forms) - 1)]


@cache
def load(path: Path, language: str) -> Messages:
    if not path.exists():
        return Messages(language, None)
    with path.open("rb") as handle:
        return Messages(language, read_po(handle, locale=language))


def english_plural(singular: str, plural: str, count: int) -> str:
    """The source language's rule, for a message no catalog has."""
    return singular if abs(count) == 1 else plural
