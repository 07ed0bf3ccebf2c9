"""Read models for what the bots render (ticket cards, comments, notices): plain dataclasses
filled by a few queries, so no tortoise object leaves storage/."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.errors import NotFound
from core.people import ActorKind
from core.tickets import Attachment
from storage import mapping as mp
from storage import models as m
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
        row = await m.TicketRow.filter(id=ticket_id).first()
        if row is None:
            raise NotFound(f"no ticket #{ticket_id}")
        contact = await m.ContactRow.filter(id=row.contact_id).first()
        status = await m.StatusRow.filter(code=row.status).first()
        priority = await m.PriorityRow.filter(code=row.priority).first()
        kind = await m.TicketTypeRow.filter(code=row.type_code).first() if row.type_code else None
        responsible = (await m.EmployeeRow.filter(id=row.responsible_id).first()
                       if row.responsible_id else None)
        group = await m.GroupRow.filter(id=row.group_id).first() if row.group_id else None
        address = await m.IdentityRow.filter(contact_id=row.contact_id,
                                             channel=row.channel).first()
        return TicketCard(
            id=row.id, subject=row.subject, channel=row.channel, status=row.status,
            status_name=status.name if status else row.status,
            status_color=status.color if status else "#888888",
            status_open=status.state == "open" if status else True,
            priority=row.priority, priority_name=priority.name if priority else row.priority,
            type_code=row.type_code, type_name=kind.name if kind else None,
            internal=bool(kind and kind.internal), line=row.line,
            responsible_id=row.responsible_id,
            responsible_name=responsible.name if responsible else None,
            group_name=group.name if group else None,
            contact_id=row.contact_id,
            contact_name=contact.name if contact else f"contact {row.contact_id}",
            contact_language=contact.language if contact else None,
            contact_phone=contact.phone if contact else None,
            contact_email=contact.email if contact else None,
            contact_address=address.external_id if address else None,
            created_at=row.created_at, planned_reaction_at=row.planned_reaction_at,
            planned_resolution_at=row.planned_resolution_at, on_hold_until=row.on_hold_until,
            rating=row.rating, rating_comment=row.rating_comment,
            linked_from_id=row.linked_from_id,
            similar=await self._similar(row) if similar else (),
            opening=await self.opening(row.id) if similar else None,
        )

    async def opening(self, ticket_id: int) -> Opening | None:
        """The client's opening message when the card can carry it (text only, short): the
        card shows it, so it is not posted in the topic a second time."""
        first = await m.CommentRow.filter(ticket_id=ticket_id).order_by("id").first()
        ticket = await m.TicketRow.filter(id=ticket_id).only("id", "created_at").first()
        if (first is None or ticket is None or not first.public or first.attachments
                or first.author_kind != ActorKind.CLIENT or first.created_at != ticket.created_at
                or not first.body.strip() or len(first.body) > OPENING_LIMIT):
            return None
        return Opening(first.id, first.body)

    async def _similar(self, ticket: m.TicketRow) -> tuple[SimilarTicket, ...]:
        """Other tickets of the same person: contacts sharing a phone or an e-mail (§3.8)."""
        person = await load_contact(ticket.contact_id)
        contact_ids = await related_contact_ids(person) if person else [ticket.contact_id]
        rows = await m.TicketRow.filter(contact_id__in=sorted(contact_ids)).exclude(
            id=ticket.id).order_by("-id").limit(SIMILAR_LIMIT)
        names = await self.status_names()
        return tuple(SimilarTicket(r.id, r.subject, r.status, names.get(r.status, r.status))
                     for r in rows)

    async def status_names(self) -> dict[str, str]:
        return {code: name for code, name in await m.StatusRow.all().values_list("code", "name")}

    async def comment(self, comment_id: int) -> CommentView:
        found = await self.comments([comment_id])
        if not found:
            raise NotFound(f"no comment {comment_id}")
        return found[0]

    async def comments(self, comment_ids: Sequence[int]) -> list[CommentView]:
        """Comments in the order asked, with their authors' display names."""
        rows = {r.id: r for r in await m.CommentRow.filter(id__in=list(comment_ids))}
        contacts = await _names(m.ContactRow, [
            r.author_id for r in rows.values() if r.author_kind == ActorKind.CLIENT])
        employees = await _names(m.EmployeeRow, [
            r.author_id for r in rows.values() if r.author_kind == ActorKind.EMPLOYEE])
        views = []
        for comment_id in comment_ids:
            row = rows.get(comment_id)
            if row is None:
                continue
            names = contacts if row.author_kind == ActorKind.CLIENT else employees
            author = names.get(row.author_id or 0) or (
                "ChatDesk" if row.author_kind == ActorKind.SYSTEM else f"#{row.author_id}")
            comment = mp.comment_from_row(row)
            views.append(CommentView(
                row.id, row.ticket_id, row.body, row.public, row.channel, row.author_kind,
                row.author_id, author, comment.attachments, row.delivery, row.created_at))
        return views

    async def contact_language(self, contact_id: int) -> str | None:
        row = await m.ContactRow.filter(id=contact_id).only("id", "language").first()
        return row.language if row else None

    async def ticket_line(self, ticket_id: int) -> int:
        row = await m.TicketRow.filter(id=ticket_id).only("id", "line").first()
        if row is None:
            raise NotFound(f"no ticket #{ticket_id}")
        return int(row.line)

    async def employees(self, employee_ids: Sequence[int]) -> list[EmployeeRef]:
        rows = await m.EmployeeRow.filter(id__in=list(employee_ids)).order_by("id")
        return [EmployeeRef(r.id, r.name, r.login, r.telegram_id) for r in rows]


async def _names(model: Any, ids: list[int | None]) -> dict[int, str]:
    """Display names by id; no query for no ids."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {r.id: r.name for r in await model.filter(id__in=wanted)}
