"""Text from outside loses its NUL characters before the desk keeps it: they mean nothing to a
person, and PostgreSQL cannot store them in text or JSON (SQLite can, so without this the two
engines would differ, and one client's stray byte would stop the bot on PostgreSQL). A lone
UTF-16 surrogate (JSON's `"\ud800"`, half of an emoji) cannot be written as UTF-8 by either
engine: it becomes U+FFFD, the replacement character."""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import Any, TypeVar

T = TypeVar("T")
NUL = "\x00"
REPLACEMENT = "\ufffd"


def without_nul(value: T) -> T:
    """`value` with NUL removed (and lone surrogates replaced) in every string in it: in
    dataclasses (commands and what they carry), tuples, lists, sets and dicts. Anything
    without either is returned as it is."""
    return _clean(value)  # type: ignore[no-any-return]


def without_surrogates(text: str) -> str:
    """`text` with each lone UTF-16 surrogate replaced by U+FFFD; a paired one is already a
    single character in Python."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(REPLACEMENT if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return without_surrogates(value.replace(NUL, "") if NUL in value else value)
    if isinstance(value, tuple | list):
        cleaned = [_clean(item) for item in value]
        if all(a is b for a, b in zip(cleaned, value, strict=True)):
            return value
        return type(value)(cleaned) if isinstance(value, list) else tuple(cleaned)
    if isinstance(value, set | frozenset):  # a rule's conditions: frozensets of codes
        cleaned_set = {_clean(item) for item in value}
        return value if cleaned_set == value else type(value)(cleaned_set)
    if isinstance(value, dict):
        pairs = [(_clean(k), _clean(v)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(),
                                                                 strict=True)):
            return value
        return dict(pairs)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if not f.init:
                continue
            old = getattr(value, f.name)
            new = _clean(old)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


def ascii_digits(text: str) -> str:
    """Every decimal digit as its ASCII one: a phone typed with Persian or Arabic digits
    ("۰۹۱۲...") is the same number as one typed with 0-9, and is matched and dialled as one."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


ID_LIMIT = 2**31 - 1  # ids are 32-bit: a larger number names nothing


def as_id(text: str) -> int | None:
    """A ticket, contact or employee number from outside (a command's argument, a button),
    or None when it is none: digits only (any script's, as int() reads them), 1 to ID_LIMIT."""
    text = text.strip()
    if not text.isdecimal() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= ID_LIMIT else None
