"""Read models for what the bots render (ticket cards, comments, notices): plain dataclasses
filled by a few queries, so no tortoise object leaves storage/."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from core.errors import NotFound
from core.names import Names
from core.people import ActorKind
from core.tickets import Attachment
from storage import models as m
from storage.plain_sql import in_list, select, typed
from storage.related import load_contact, related_contact_ids

SIMILAR_LIMIT = 5
OPENING_LIMIT = 1000  # a longer first message gets a post of its own


@dataclass(frozen=True)
class Opening:
    """The message a client opened the ticket with, shown on the ticket's card."""

    comment_id: int
    body: str


@dataclass(frozen=True)
class SimilarTicket:
    number: int
    subject: str
    status: str
    status_name: str
    status_names: Names = Names()


@dataclass(frozen=True)
class TicketCard:
    """A ticket with the names the card shows, and the client's other tickets (§3.8)."""

    id: int
    subject: str
    channel: str
    status: str
    status_name: str
    status_color: str
    status_open: bool
    priority: str
    priority_name: str
    type_code: str | None
    type_name: str | None
    internal: bool
    line: int
    responsible_id: int | None
    responsible_name: str | None
    group_name: str | None
    contact_id: int
    contact_name: str
    contact_language: str | None
    contact_phone: str | None
    contact_email: str | None
    contact_address: str | None  # the contact's id in the ticket's channel
    created_at: datetime
    planned_reaction_at: datetime | None
    planned_resolution_at: datetime | None
    on_hold_until: datetime | None
    rating: int | None
    rating_comment: str | None
    linked_from_id: int | None
    similar: tuple[SimilarTicket, ...] = ()
    opening: Opening | None = None
    # the names an administrator gave in other languages (core/names.py)
    status_names: Names = Names()
    priority_names: Names = Names()
    type_names: Names = Names()
    group_names: Names = Names()

    @property
    def number(self) -> int:
        return self.id


@dataclass(frozen=True)
class CommentView:
    id: int
    ticket_id: int
    body: str
    public: bool
    channel: str  # where it was written: telegram, vk, viber, panel, api
    author_kind: str
    author_id: int | None
    author_name: str
    attachments: tuple[Attachment, ...]
    delivery: str
    created_at: datetime

    @property
    def by_client(self) -> bool:
        return self.author_kind == ActorKind.CLIENT


@dataclass(frozen=True)
class EmployeeRef:
    id: int
    name: str
    login: str
    telegram_id: int | None


class TicketViews:
    async def ticket_card(self, ticket_id: int, *, similar: bool = True) -> TicketCard:
        """The ticket with its names resolved; `similar=False` skips the client's other
        tickets and the opening message (a notice to the client shows neither)."""
        row = await _card_row(ticket_id)
        return TicketCard(
            id=row["id"], subject=row["subject"], channel=row["channel"], status=row["status"],
            status_name=row["status_name"] or row["status"],
            status_color=row["status_color"] or "#888888",
            status_open=row["status_state"] in ("open", None),
            priority=row["priority"], priority_name=row["priority_name"] or row["priority"],
            type_code=row["type_code"], type_name=row["type_name"],
            internal=bool(row["type_internal"]), line=row["line"],
            responsible_id=row["responsible_id"], responsible_name=row["responsible_name"],
            group_name=row["group_name"], contact_id=row["contact_id"],
            contact_name=(row["contact_name"] if row["contact_known"] is not None
                          else f"contact {row['contact_id']}"),
            contact_language=row["contact_language"], contact_phone=row["contact_phone"],
            contact_email=row["contact_email"], contact_address=row["address"],
            created_at=row["created_at"], planned_reaction_at=row["planned_reaction_at"],
            planned_resolution_at=row["planned_resolution_at"],
            on_hold_until=row["on_hold_until"], rating=row["rating"],
            rating_comment=row["rating_comment"], linked_from_id=row["linked_from_id"],
            similar=await self._similar(row["id"], row["contact_id"]) if similar else (),
            opening=await self.opening(row["id"]) if similar else None,
            status_names=_names(row["status_names"]),
            priority_names=_names(row["priority_names"]),
            type_names=_names(row["type_names"]), group_names=_names(row["group_names"]),
        )

    async def opening(self, ticket_id: int) -> Opening | None:
        """The client's opening message when the card can carry it (text only, short): the
        card shows it, so it is not posted in the topic a second time."""
        rows = await select(_OPENING, [ticket_id])
        first = typed(m.CommentRow, rows[0], ("public", "attachments")) if rows else None
        if (first is None or not first["public"] or first["attachments"]
                or first["author_kind"] != ActorKind.CLIENT or not first["at_opening"]
                or not first["body"].strip() or len(first["body"]) > OPENING_LIMIT):
            return None
        return Opening(first["id"], first["body"])

    async def _similar(self, ticket_id: int, contact_id: int) -> tuple[SimilarTicket, ...]:
        """Other tickets of the same person: contacts sharing a phone or an e-mail (§3.8)."""
        person = await load_contact(contact_id)
        contact_ids = await related_contact_ids(person) if person else [contact_id]
        ids = sorted(contact_ids)
        rows = await select(
            "SELECT t.id, t.subject, t.status, s.name AS status_name, s.names AS status_names"
            " FROM tickets t"
            " LEFT JOIN statuses s ON s.code = t.status"
            f" WHERE t.contact_id IN {in_list(len(ids))} AND t.id <> {{}}"
            f" ORDER BY t.id DESC LIMIT {SIMILAR_LIMIT}", [*ids, ticket_id])
        return tuple(SimilarTicket(r["id"], r["subject"], r["status"],
                                   r["status_name"] or r["status"], _names(r["status_names"]))
                     for r in rows)

    async def statuses(self) -> dict[str, tuple[str, Names]]:
        """Each status's default name and its names in other languages, by code (the
        bots show them with `wording.terms.display_name`)."""
        rows = await m.StatusRow.all().values_list("code", "name", "names")
        return {code: (name, Names(names)) for code, name, names in rows}

    async def comment(self, comment_id: int) -> CommentView:
        found = await self.comments([comment_id])
        if not found:
            raise NotFound("comment.not_found", id=comment_id)
        return found[0]

    async def comments(self, comment_ids: Sequence[int]) -> list[CommentView]:
        """Comments in the order asked, with their authors' display names."""
        rows = {r["id"]: r for r in await _comment_rows(comment_ids)}
        views = []
        for comment_id in comment_ids:
            row = rows.get(comment_id)
            if row is None:
                continue
            kind, author_id = row["author_kind"], row["author_id"]
            author = row["author_name"] or (
                "ChatDesk" if kind == ActorKind.SYSTEM else f"#{author_id}")
            views.append(CommentView(
                row["id"], row["ticket_id"], row["body"], row["public"], row["channel"], kind,
                author_id, author, tuple(Attachment(**a) for a in row["attachments"] or ()),
                row["delivery"], row["created_at"]))
        return views

    async def last_comments(self, ticket_id: int, limit: int,
                            before_id: int | None = None) -> list[CommentView]:
        """The ticket's newest comments (before comment `before_id`), oldest first."""
        query = m.CommentRow.filter(ticket_id=ticket_id)
        if before_id is not None:
            query = query.filter(id__lt=before_id)
        ids = await query.order_by("-id").limit(limit).values_list("id", flat=True)
        return await self.comments(sorted(cast("list[int]", ids)))

    async def contact_language(self, contact_id: int) -> str | None:
        row = await m.ContactRow.filter(id=contact_id).only("id", "language").first()
        return row.language if row else None

    async def ticket_line(self, ticket_id: int) -> int:
        row = await m.TicketRow.filter(id=ticket_id).only("id", "line").first()
        if row is None:
            raise NotFound("ticket.not_found", number=ticket_id)
        return int(row.line)

    async def employees(self, employee_ids: Sequence[int]) -> list[EmployeeRef]:
        rows = await m.EmployeeRow.filter(id__in=list(employee_ids)).order_by("id")
        return [EmployeeRef(r.id, r.name, r.login, r.telegram_id) for r in rows]


_COMMENT_FIELDS = ("id", "ticket_id", "body", "public", "channel", "author_kind", "author_id",
                   "attachments", "delivery", "created_at")
# with the author's display name: a client's or an employee's, by the kind of author
_COMMENTS = (
    f"SELECT {', '.join(f'c.{name}' for name in _COMMENT_FIELDS)},"
    f" CASE c.author_kind WHEN '{ActorKind.CLIENT.value}' THEN ct.name"
    f" WHEN '{ActorKind.EMPLOYEE.value}' THEN e.name END AS author_name"
    " FROM comments c"
    f" LEFT JOIN contacts ct ON c.author_kind = '{ActorKind.CLIENT.value}'"
    " AND ct.id = c.author_id"
    f" LEFT JOIN employees e ON c.author_kind = '{ActorKind.EMPLOYEE.value}'"
    " AND e.id = c.author_id"
    " WHERE c.id IN ")


async def _comment_rows(comment_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Comments as plain rows with their authors' names, in one statement, typed as tortoise
    reads them: the sender reads these for every post, and building the query took longer
    than running it."""
    ids = sorted(set(comment_ids))
    if not ids:
        return []
    rows = await select(_COMMENTS + in_list(len(ids)), ids)
    return [typed(m.CommentRow, row, ("public", "attachments", "created_at")) for row in rows]


# The ticket and what the card shows of the rows it refers to, in one statement, not eight.
_CARD_DATES = ("created_at", "planned_reaction_at", "planned_resolution_at", "on_hold_until")
_CARD = f"""
SELECT t.id, t.subject, t.channel, t.status, t.priority, t.type_code, t.line,
       t.responsible_id, t.contact_id, t.rating, t.rating_comment, t.linked_from_id,
       {", ".join(f"t.{name}" for name in _CARD_DATES)},
       c.id AS contact_known, c.name AS contact_name, c.language AS contact_language,
       c.phone AS contact_phone, c.email AS contact_email,
       s.name AS status_name, s.color AS status_color, s.state AS status_state,
       p.name AS priority_name, ty.name AS type_name, ty.internal AS type_internal,
       e.name AS responsible_name, g.name AS group_name,
       s.names AS status_names, p.names AS priority_names, ty.names AS type_names,
       g.names AS group_names,
       (SELECT i.external_id FROM contact_identities i
         WHERE i.contact_id = t.contact_id AND i.channel = t.channel
         ORDER BY i.id LIMIT 1) AS address
FROM tickets t
LEFT JOIN contacts c ON c.id = t.contact_id
LEFT JOIN statuses s ON s.code = t.status
LEFT JOIN priorities p ON p.code = t.priority
LEFT JOIN ticket_types ty ON ty.code = t.type_code
LEFT JOIN employees e ON e.id = t.responsible_id
LEFT JOIN employee_groups g ON g.id = t.group_id
WHERE t.id = {{}}"""


# The ticket's first comment, and whether it came with the ticket (a reopening's does not).
_OPENING = """
SELECT c.id, c.body, c.public, c.attachments, c.author_kind,
       c.created_at = t.created_at AS at_opening
FROM comments c JOIN tickets t ON t.id = c.ticket_id
WHERE c.ticket_id = {} ORDER BY c.id LIMIT 1"""


def _names(value: Any) -> Names:
    """A `names` JSON column as read by plain SQL (text on SQLite, text or a dict on
    PostgreSQL)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return Names()
    return Names(value) if isinstance(value, dict) else Names()


async def _card_row(ticket_id: int) -> dict[str, Any]:
    rows = await select(_CARD, [ticket_id])
    if not rows:
        raise NotFound("ticket.not_found", number=ticket_id)
    return typed(m.TicketRow, rows[0], _CARD_DATES)
