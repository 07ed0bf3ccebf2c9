"""Names per language: a status, priority, type, group, canned answer or automation rule has
its default (English) name and, beside it, the names an administrator gave in other languages.
Adapters show `localized(...)` in the reader's language and fall back to the default."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

LANGUAGES = ("en", "ru", "fa")  # the languages a name can be given in (§ panel, bots)
NAME_LIMIT = 100


class Names(Mapping[str, str]):
    """Language code → name, other than the default name; immutable and hashable, so the
    frozen core objects that carry it stay hashable. Blank names are left out."""

    __slots__ = ("_items",)

    def __init__(self, names: Mapping[str, object] | None = None) -> None:
        items = {str(k): str(v).strip()[:NAME_LIMIT] for k, v in (names or {}).items()
                 if str(k) in LANGUAGES and v is not None and str(v).strip()}
        self._items: tuple[tuple[str, str], ...] = tuple(sorted(items.items()))

    def __getitem__(self, language: str) -> str:
        for key, value in self._items:
            if key == language:
                return value
        raise KeyError(language)

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other)

    def __repr__(self) -> str:
        return f"Names({dict(self._items)!r})"


def localized(name: str, names: Mapping[str, str] | None, language: str | None) -> str:
    """The name in `language` when one was given, else the default name."""
    if language and names:
        given = names.get(language.split("-")[0].lower(), "")
        if given and given.strip():
            return given.strip()
    return name


def answers_to(wanted: str, code: str, name: str, names: Mapping[str, str] | None) -> bool:
    """Whether what someone typed names this entry: its code, its default name or its name
    in any language, in any case ("/status решена" on a Russian desk)."""
    typed = wanted.strip().casefold()
    return typed in {code.casefold(), name.casefold(),
                     *(given.casefold() for given in (names or {}).values())}
