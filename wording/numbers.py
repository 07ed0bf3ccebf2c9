"""Numbers as a language writes them: the one place the wording puts a figure into a text (a
count, a duration's days, hours and minutes, a score, a page). Persian writes them with its
own digits (۰-۹). Ids, ticket numbers (#123), phones and codes are not figures: they stay
as typed, and the pages isolate them (`<bdi>`)."""

from __future__ import annotations

_PERSIAN_DIGITS = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")  # and the decimal separator
# The placeholders of the catalogs that hold a figure ("{count} tickets", "{n} h", "rated
# {score}★", "page {page} of {pages}"); any other value ({number}, {id}, {phone}, {code},
# a name) is put in as it is.
FIGURES = frozenset({"count", "n", "days", "hours", "limit", "score", "page", "pages", "low",
                     "high", "line"})


def digits(value: int | float | str, language: str) -> str:
    """A number written with the language's digits: `digits(17, "fa") -> "۱۷"`,
    `digits("4.5", "fa") -> "۴٫۵"`."""
    text = str(value)
    return text.translate(_PERSIAN_DIGITS) if language == "fa" else text


def fill(text: str, language: str, **values: object) -> str:
    """A catalog's text with its values: the figures in the language's digits."""
    if not values:
        return text
    return text.format(**{key: digits(value, language) if key in FIGURES and isinstance(
        value, int) and not isinstance(value, bool) else value for key, value in values.items()})


def with_count(text: str, count: int, language: str, **values: object) -> str:
    """A plural message's text with `{count}` in the language's digits."""
    return fill(text, language, count=count, **values)
