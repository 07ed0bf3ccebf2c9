"""Read-side lists the bots show (a client's tickets, the team's queue, an agent's tickets,
canned answers): plain dataclasses from a few queries, so no tortoise object leaves storage/."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q

from core.canned import CannedAnswer, CannedGroup
from core.names import Names
from core.people import Employee
from storage import mapping as mp
from storage import models as m
from storage import rule_models as rm
from storage.related import load_contact, related_contact_ids
from wording.terms import display_name

LIST_LIMIT = 30


@dataclass(frozen=True)
class TicketLine:
    """One row of a ticket list: what a person needs to recognise the ticket."""

    id: int
    subject: str
    status: str
    status_name: str
    is_open: bool
    responsible_name: str | None = None
    overdue: bool = False
    chat_id: int | None = None  # the ticket's forum topic, when it has one
    thread_id: int | None = None
    status_names: Names = Names()  # the status's name in other languages

    @property
    def number(self) -> int:
        return self.id


@dataclass(frozen=True)
class TicketBrief:
    """What a bot needs to word an answer about one ticket (canned variables, prompts)."""

    id: int
    subject: str
    status: str
    contact_id: int
    contact_name: str
    rating: int | None

    @property
    def number(self) -> int:
        return self.id


class TicketLists:
    # --- people ---------------------------------------------------------------------------
    async def contact_id(self, channel: str, external_id: str) -> int | None:
        link = await m.IdentityRow.filter(channel=channel, external_id=external_id).first()
        return link.contact_id if link else None

    async def employee_by_telegram_id(self, telegram_id: int) -> Employee | None:
        return await self._employee(await m.EmployeeRow.filter(telegram_id=telegram_id).first())

    async def employee_by_login(self, login: str) -> Employee | None:
        if "\x00" in login:  # no login has one, and PostgreSQL cannot compare it
            return None
        return await self._employee(await m.EmployeeRow.filter(login=login).first())

    @staticmethod
    async def _employee(row: m.EmployeeRow | None) -> Employee | None:
        if row is None:
            return None
        groups = await m.GroupMemberRow.filter(employee_id=row.id)
        return mp.employee_from_row(row, {g.group_id for g in groups})

    # --- tickets --------------------------------------------------------------------------
    async def brief(self, ticket_id: int) -> TicketBrief | None:
        row = await m.TicketRow.filter(id=ticket_id).first()
        if row is None:
            return None
        contact = await m.ContactRow.filter(id=row.contact_id).first()
        return TicketBrief(row.id, row.subject, row.status, row.contact_id,
                           contact.name if contact else "", row.rating)

    async def client_tickets(self, contact_id: int, limit: int = 10) -> list[TicketLine]:
        """The client's own tickets, newest first, without internal ones (§7.4)."""
        internal = await self._internal_types()
        query = m.TicketRow.filter(contact_id=contact_id)
        if internal:
            query = query.filter(Q(type_code=None) | ~Q(type_code__in=internal))
        return await self._lines(await query.order_by("-id").limit(limit))

    async def current_ticket(self, contact_id: int) -> TicketLine | None:
        """The ticket the client's next message joins, as the core picks it: the chosen one,
        else the latest; None after /new."""
        contact = await m.ContactRow.filter(id=contact_id).first()
        if contact is None or contact.wants_new_ticket:
            return None
        mine = {t.id: t for t in await self.client_tickets(contact_id, limit=1000)}
        if contact.current_ticket_id in mine:
            return mine[contact.current_ticket_id]
        return next(iter(mine.values()), None)

    async def other_tickets_of_client(self, ticket_id: int) -> list[TicketLine]:
        """§3.8: the other tickets of the same person (same contact, e-mail or phone)."""
        row = await m.TicketRow.filter(id=ticket_id).first()
        if row is None:
            return []
        person = await load_contact(row.contact_id)
        contact_ids = await related_contact_ids(person) if person else [row.contact_id]
        rows = await m.TicketRow.filter(contact_id__in=contact_ids).exclude(
            id=ticket_id).order_by("-id").limit(LIST_LIMIT)
        return await self._lines(rows)

    async def queue(self, now: datetime, limit: int = LIST_LIMIT) -> list[TicketLine]:
        """Open tickets nobody is responsible for, and open tickets past their planned
        resolution time, oldest first."""
        open_codes = await self._open_statuses()
        rows = await m.TicketRow.filter(
            Q(responsible_id=None) | Q(planned_resolution_at__lt=now),
            status__in=open_codes).order_by("id").limit(limit)
        return await self._lines(rows, now)

    async def employee_tickets(self, employee_id: int, now: datetime,
                               limit: int = LIST_LIMIT) -> list[TicketLine]:
        rows = await m.TicketRow.filter(
            responsible_id=employee_id, status__in=await self._open_statuses()
        ).order_by("id").limit(limit)
        return await self._lines(rows, now)

    # --- catalog --------------------------------------------------------------------------
    async def priority_names(self, language: str | None = None) -> list[str]:
        """The priorities as a reader in `language` knows them (wording.terms.display_name)."""
        rows = await m.PriorityRow.all().order_by("position")
        return [display_name(r.name, r.names, language) for r in rows]

    async def status_names(self, language: str | None = None) -> list[str]:
        rows = await m.StatusRow.all().order_by("position", "code")
        return [display_name(r.name, r.names, language) for r in rows]

    async def canned_groups(self) -> list[CannedGroup]:
        rows = await m.CannedGroupRow.all().order_by("position", "id")
        return [mp.canned_group_from_row(r) for r in rows]

    async def canned_answers(self, group_id: int) -> list[CannedAnswer]:
        rows = await m.CannedAnswerRow.filter(group_id=group_id).order_by("position", "id")
        return [mp.canned_answer_from_row(r) for r in rows]

    async def canned_answer(self, answer_id: int) -> CannedAnswer | None:
        r = await m.CannedAnswerRow.filter(id=answer_id).first()
        return mp.canned_answer_from_row(r) if r else None

    async def macro_names(self) -> list[str]:
        """The macros an agent can apply (§6.2), in the order the panel shows them."""
        rows = await rm.MacroRow.filter(enabled=True).order_by("position", "id")
        return [r.name for r in rows]

    # --- helpers --------------------------------------------------------------------------
    @staticmethod
    async def _internal_types() -> list[str]:
        return [r.code for r in await m.TicketTypeRow.filter(internal=True)]

    @staticmethod
    async def _open_statuses() -> list[str]:
        return [r.code for r in await m.StatusRow.filter(state="open")]

    @staticmethod
    async def _lines(rows: Iterable[m.TicketRow], now: datetime | None = None
                     ) -> list[TicketLine]:
        rows = list(rows)
        statuses = {r.code: r for r in await m.StatusRow.all()}
        names = {e.id: e.name for e in await m.EmployeeRow.filter(
            id__in=[r.responsible_id for r in rows if r.responsible_id])}
        topics = {t.ticket_id: t for t in await m.TelegramTopicRow.filter(
            ticket_id__in=[r.id for r in rows])}
        lines = []
        for r in rows:
            status = statuses.get(r.status)
            is_open = status.state == "open" if status else True
            topic = topics.get(r.id)
            lines.append(TicketLine(
                r.id, r.subject, r.status, status.name if status else r.status, is_open,
                names.get(r.responsible_id) if r.responsible_id else None,
                bool(now and is_open and r.planned_resolution_at
                     and r.planned_resolution_at < now),
                topic.chat_id if topic else None, topic.thread_id if topic else None,
                Names(status.names) if status else Names()))
        return lines
