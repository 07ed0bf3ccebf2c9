"""The core's refusals in a person's language, chosen by the error's code (never by its
English text): the catalogs' message id is the English sentence of core/refusals.py."""

from __future__ import annotations

from collections.abc import Callable

from core.errors import DomainError
from core.refusals import REFUSALS, TERMS
from wording.terms import CHANNELS

Lookup = Callable[[str], str | None]


def _same(value: str) -> str:
    return value


def describe(error: DomainError, lookup: Lookup, term: Callable[[str], str] = _same) -> str:
    """The refusal in the catalog of `lookup` (a lower-case clause, as the core words it;
    English when the catalog lacks it); `term` translates the parameters that are the
    desk's words (status names, channels) with the adapter's own catalog."""
    template = REFUSALS[error.code]
    text = lookup(template) or template
    values = {k: term(CHANNELS.get(str(v), str(v)) if k == "channel" else str(v))
              if k in TERMS else v for k, v in error.params.items()}
    return text.format(**values)


def sentence(text: str) -> str:
    """Capitalised, with a full stop: the core's words are lower-case clauses."""
    text = text.strip()
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]
