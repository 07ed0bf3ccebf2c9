"""The panel ticket list's word search and column sorting, as tortoise query parts for
`storage.panel_views.list_tickets`: every word must match somewhere (subject, client, a
comment, the number), in any order and case, by the word index (storage/ticket_words.py);
a sort is one of a few known keys, always finished by the ticket id so the order is total
(the default one pages by keyset)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tortoise import connections
from tortoise.expressions import Case, Q, RawSQL, When
from tortoise.queryset import QuerySet

from core.clean import ID_LIMIT
from storage import models as m
from storage.ticket_words import pg_tickets, tokens, word_tickets

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


def _word_query(word: str, postgres: bool) -> Q:
    found = word_tickets(word, postgres)
    # an IN (subquery) the planners turn into a semi-join (a CASE around it they cannot)
    query = Q(id__in=RawSQL(found)) if found else Q(id=0)
    if _number(word):
        query |= Q(id=int(word.lstrip("#")))
    return query


def text_filter(query: QuerySet[m.TicketRow], text: str) -> QuerySet[m.TicketRow]:
    """Tickets matching every word of the search by the word index (an empty search matches
    all): each word in a comment, the subject, the client's name, e-mail or phone, or the
    ticket's number."""
    postgres = connections.get("default").capabilities.dialect == "postgres"
    found = words(text)
    if postgres:  # the words that are no number, in one lookup of the tickets' documents
        plain = [w for w in found if not _number(w)]
        if plain:
            together = pg_tickets(plain)
            if together is None or not all(tokens(w) for w in plain):
                return query.filter(id=0)  # a word with nothing to search for finds nothing
            query = query.filter(id__in=RawSQL(together))
        found = [w for w in found if _number(w)]
    for word in found:
        query = query.filter(_word_query(word, postgres))
    return query


def _number(word: str) -> bool:
    number = word.lstrip("#")
    return number.isdecimal() and int(number) <= ID_LIMIT


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
