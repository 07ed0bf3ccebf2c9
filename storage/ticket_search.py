"""The panel ticket list's word search and column sorting, as tortoise query parts for
`storage.panel_views.list_tickets`: every word must match somewhere (subject, client, a
comment, the number), in any order and case; a sort is one of a few known keys, always
finished by the ticket id so the order is total (ready for keyset pages)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Case, Q, RawSQL, Subquery, When
from tortoise.queryset import QuerySet

from core.clean import ID_LIMIT
from storage import models as m

MAX_WORDS = 8
_WORD = re.compile(r"[^\s,;]+")


def words(text: str) -> list[str]:
    """The distinct words of a search, at most eight of at most 100 characters."""
    found: list[str] = []
    for word in _WORD.findall(text.strip()[:200]):
        word = word.strip(".!?\"'()«»")[:100]
        if word and word.casefold() not in {w.casefold() for w in found}:
            found.append(word)
    return found[:MAX_WORDS]


def _spellings(word: str) -> set[str]:
    """The ways a word is written in text. PostgreSQL compares any script without case, but
    SQLite's LIKE folds ASCII only: searching each spelling finds "Заказ", "заказ" and
    "ЗАКАЗ" on both."""
    lower = word.lower()
    return {lower, word.upper(), lower.capitalize(), word}


def _any_spelling(field: str, word: str) -> Q:
    return Q(*(Q(**{f"{field}__icontains": s}) for s in _spellings(word)), join_type="OR")


def _word_query(word: str) -> Q:
    contacts = m.ContactRow.filter(_any_spelling("name", word) | _any_spelling("email", word)
                                   | _any_spelling("phone", word)).values("id")
    comments = m.CommentRow.filter(_any_spelling("body", word)).values("ticket_id")
    query = (_any_spelling("subject", word) | Q(contact_id__in=Subquery(contacts))
             | Q(id__in=Subquery(comments)))
    number = word.lstrip("#")
    if number.isdecimal() and int(number) <= ID_LIMIT:
        query |= Q(id=int(number))
    return query


def text_query(text: str) -> Q:
    """Tickets matching every word of the search (an empty search matches all)."""
    return Q(*(_word_query(w) for w in words(text)), join_type="AND")


# --- sorting --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sort:
    key: str = "id"
    descending: bool = True

    @property
    def param(self) -> str:
        """How the sort is written in a query string: `due`, `-created`."""
        return ("-" if self.descending else "") + self.key

    def toggled(self, key: str) -> Sort:
        """The sort a column header links to: this column, reversed if already chosen."""
        if key == self.key:
            return Sort(key, not self.descending)
        return Sort(key, key in DESCENDING_FIRST)


# Columns a list can be sorted by (anything else is the default, newest first).
KEYS = ("id", "subject", "client", "status", "priority", "responsible", "channel", "due",
        "created")
DESCENDING_FIRST = frozenset({"id", "created"})
DEFAULT = Sort()
# tortoise has no OuterRef: the client's name for each row, written out (the same on SQLite
# and PostgreSQL).
CLIENT_NAME = '(SELECT "name" FROM "contacts" WHERE "contacts"."id" = "tickets"."contact_id")'


def parse_sort(value: str) -> Sort:
    key = value.removeprefix("-")
    if key not in KEYS:
        return DEFAULT
    return Sort(key, value.startswith("-"))


def _rank(field: str, ordered: list[Any]) -> Case:
    """A column's values ranked as the desk orders them (statuses by workflow, priorities by
    position, employees by name); unknown and empty values last."""
    # Ranks are zero-padded text: PostgreSQL types a CASE's parameters as text.
    return Case(*(When(**{field: value}, then=f"{i:06d}") for i, value in enumerate(ordered)),
                default=f"{len(ordered):06d}")


def ordered(query: QuerySet[m.TicketRow], sort: Sort, statuses: list[str],
            priorities: list[str], employees: list[int]) -> QuerySet[m.TicketRow]:
    """The query in the chosen order, ties broken by the ticket id (in the same direction)."""
    sign = "-" if sort.descending else ""
    column = {"id": None, "subject": "subject", "channel": "channel",
              "created": "created_at"}.get(sort.key, "sort_value")
    if sort.key == "due":
        query = query.annotate(sort_missing=Case(When(planned_resolution_at=None, then="1"),
                                                 default="0"))
        query = query.order_by("sort_missing", f"{sign}planned_resolution_at", f"{sign}id")
        return query
    if column == "sort_value":
        query = query.annotate(sort_value=_annotation(sort.key, statuses, priorities,
                                                      employees))
    return query.order_by(*([f"{sign}{column}"] if column else []), f"{sign}id")


def _annotation(key: str, statuses: list[str], priorities: list[str],
                employees: list[int]) -> Any:
    if key == "client":
        return RawSQL(CLIENT_NAME)
    if key == "status":
        return _rank("status", statuses)
    if key == "priority":
        return _rank("priority", priorities)
    return _rank("responsible_id", employees)
