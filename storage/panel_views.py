"""Read models for the web panel and the API: ticket lists with filters, the ticket page,
reference lists, clients and the rule tables (what is counted is in
`storage.report_views`). Plain dataclasses and core objects leave this module, never
tortoise rows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from tortoise.expressions import Q
from tortoise.functions import Max

from core.canned import CannedAnswer, CannedGroup
from core.catalog import DeskSettings, Priority, TicketType
from core.clean import (
    ID_LIMIT,  # ids are 32-bit columns
    without_nul,
)
from core.people import Company, Contact, Employee, Group, Role
from core.statuses import Workflow
from core.tickets import Channel, Comment, HistoryEntry, Ticket
from core.timers import RECURRING
from storage import mapping as mp
from storage import models as m
from storage import ticket_search as search
from storage.uow import TortoiseUnitOfWork


# --- who sees what (§9.1) -------------------------------------------------------------------
async def visible_ticket_ids(employee: Employee) -> set[int] | None:
    """None: every ticket. A specialist sees tickets they are responsible for, observe,
    authored, or whose group (responsible or observing) they belong to."""
    if employee.role is not Role.SPECIALIST:
        return None
    groups = list(employee.group_ids)
    query = Q(responsible_id=employee.id)
    if groups:
        query |= Q(group_id__in=groups)
    ids: set[int] = set(cast("list[int]", await m.TicketRow.filter(query).values_list(
        "id", flat=True)))
    taken = await m.HistoryRow.filter(field="status", old=None, actor_kind="employee",
                                      actor_id=employee.id).values_list("ticket_id", flat=True)
    ids |= set(cast("list[int]", taken))
    watched = await m.TicketRow.filter(~Q(observer_ids=[]) | ~Q(observer_group_ids=[])
                                       ).values_list("id", "observer_ids", "observer_group_ids")
    for ticket_id, observers, observer_groups in watched:
        if employee.id in (observers or ()) or set(groups) & set(observer_groups or ()):
            ids.add(ticket_id)
    return ids


async def can_see(employee: Employee, ticket_id: int) -> bool:
    visible = await visible_ticket_ids(employee)
    return visible is None or ticket_id in visible


async def visible_contact_ids(employee: Employee) -> set[int] | None:
    """None: every contact. A specialist sees the contacts of the tickets they may see."""
    tickets = await visible_ticket_ids(employee)
    if tickets is None:
        return None
    contacts = await m.TicketRow.filter(id__in=list(tickets) or [0]).values_list(
        "contact_id", flat=True)
    return {c for c in cast("list[int | None]", contacts) if c is not None}


# --- reference data -------------------------------------------------------------------------
@dataclass
class Reference:
    workflow: Workflow
    priorities: list[Priority]
    types: list[TicketType]
    employees: list[Employee]
    groups: list[Group]
    settings: DeskSettings

    def employee_name(self, employee_id: int | None) -> str:
        return next((e.name for e in self.employees if e.id == employee_id), "")

    def group_name(self, group_id: int | None) -> str:
        return next((g.name for g in self.groups if g.id == group_id), "")

    def priority(self, code: str) -> Priority | None:
        return next((p for p in self.priorities if p.code == code), None)

    def type_name(self, code: str | None) -> str:
        return next((t.name for t in self.types if t.code == code), "")

    @property
    def open_codes(self) -> list[str]:
        return [s.code for s in self.workflow.statuses if s.is_open]


async def reference() -> Reference:
    async with TortoiseUnitOfWork() as uow:
        return Reference(await uow.catalog.workflow(), await uow.catalog.priorities(),
                         await uow.catalog.ticket_types(), await uow.employees.list(),
                         await uow.setup.groups(), await uow.catalog.desk_settings())


async def canned() -> tuple[list[CannedGroup], list[CannedAnswer]]:
    async with TortoiseUnitOfWork() as uow:
        return await uow.catalog.canned_groups(), await uow.catalog.canned_answers()


async def employee(employee_id: int) -> Employee | None:
    async with TortoiseUnitOfWork() as uow:
        return await uow.employees.get(employee_id) if await m.EmployeeRow.filter(
            id=employee_id).exists() else None


async def employee_by_login(login: str) -> Employee | None:
    async with TortoiseUnitOfWork() as uow:
        return await uow.employees.by_login(login)


# --- ticket list ----------------------------------------------------------------------------
@dataclass(frozen=True)
class TicketFilter:
    status: str = ""
    line: int | None = None
    responsible: str = ""  # an employee id, "none", or "" for anyone
    group_id: int | None = None
    channel: str = ""
    priority: str = ""
    overdue: bool = False
    due_until: datetime | None = None  # open, not yet late, due before this moment
    text: str = ""
    contact_id: int | None = None
    attribute: str = ""  # a custom attribute's code, already checked against the viewer's role
    attribute_value: str = ""
    attribute_contains: bool = False  # text attributes: a part of the value; others: all of it


@dataclass
class TicketListItem:
    ticket: Ticket
    contact_name: str


@dataclass
class TicketPage:
    items: list[TicketListItem]
    total: int  # with `capped`, at least this many
    page: int
    per_page: int
    capped: bool = False  # more than `total` match: the count stopped there
    more: bool = False  # a page follows this one

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def last_id(self) -> int | None:
        """Where the next page starts in the default order (newest first): a keyset page
        reads from the index there, however deep it is."""
        return self.items[-1].ticket.id if self.items else None


def _filter_query(f: TicketFilter, ref: Reference, now: datetime) -> Q:
    query = Q()
    if f.status == "@open":
        query &= Q(status__in=ref.open_codes)
    elif f.status:
        query &= Q(status=f.status)
    if f.line:
        query &= Q(line=f.line)
    if f.responsible == "none":
        query &= Q(responsible_id=None)
    elif (responsible := _id(f.responsible)) is not None:
        query &= Q(responsible_id=responsible)
    if f.group_id:
        query &= Q(group_id=f.group_id)
    if f.channel:
        query &= Q(channel=f.channel)
    if f.priority:
        query &= Q(priority=f.priority)
    if f.contact_id:
        query &= Q(contact_id=f.contact_id)
    if f.overdue:
        query &= Q(status__in=ref.open_codes, planned_resolution_at__lt=now)
    if f.due_until:
        query &= Q(status__in=ref.open_codes, planned_resolution_at__gte=now,
                   planned_resolution_at__lt=f.due_until)
    return query


def _id(text: str) -> int | None:
    """A record id typed as text: decimal digits (not '²', which int() cannot read) that fit
    the 32-bit id columns, else None."""
    if not text.isdecimal() or int(text) > ID_LIMIT:
        return None
    return int(text)


async def _attribute_matches(f: TicketFilter) -> set[int]:
    """Tickets whose custom attribute matches, compared in Python: the values live in a JSON
    column that SQLite and PostgreSQL query differently."""
    wanted = f.attribute_value.strip().casefold()
    rows = await m.TicketRow.filter(~Q(attributes={})).values_list("id", "attributes")
    found: set[int] = set()
    for ticket_id, values in rows:
        value = (values or {}).get(f.attribute)
        if value is None:
            continue
        text = str(value).casefold()
        if (wanted in text) if f.attribute_contains else text == wanted:
            found.add(ticket_id)
    return found


async def list_tickets(f: TicketFilter, visible: set[int] | None, ref: Reference,
                       now: datetime, page: int = 1, per_page: int = 25,
                       sort: search.Sort = search.DEFAULT, *, before_id: int | None = None,
                       count_limit: int | None = None) -> TicketPage:
    """A page of the list. `before_id` (default order only) starts the page after that
    ticket instead of counting rows to skip; `count_limit` stops the count there (the page
    says "more than" that), so a desk of a million tickets is never counted whole."""
    f = without_nul(f)  # typed filters compared in SQL: PostgreSQL refuses a NUL in text
    query = m.TicketRow.filter(_filter_query(f, ref, now))
    if f.text.strip():
        query = search.text_filter(query, f.text)
    if f.attribute and f.attribute_value.strip():
        query = query.filter(id__in=sorted(await _attribute_matches(f)) or [0])
    if visible is not None:
        query = query.filter(id__in=sorted(visible) or [0])
    page, per_page = max(1, page), max(1, min(100, per_page))
    if count_limit is None:
        total, capped = await query.count(), False
    else:
        total = len(await query.limit(count_limit + 1).values_list("id", flat=True))
        capped, total = total > count_limit, min(total, count_limit)
    employees = [e.id for e in sorted(ref.employees, key=lambda e: (e.name.casefold(), e.id))]
    keyset = before_id is not None and sort == search.DEFAULT
    if keyset:
        query = query.filter(id__lt=before_id)
    query = search.ordered(query, sort, [s.code for s in ref.workflow.statuses],
                           [p.code for p in ref.priorities], employees)
    if not keyset:
        query = query.offset((page - 1) * per_page)
    rows = list(await query.limit(per_page + 1))
    more, rows = len(rows) > per_page, rows[:per_page]
    names = dict(await m.ContactRow.filter(id__in=[r.contact_id for r in rows] or [0]
                                           ).values_list("id", "name"))
    return TicketPage([TicketListItem(mp.ticket_from_row(r), names.get(r.contact_id, ""))
                       for r in rows], total, page, per_page, capped, more)


async def tickets_by_id(ids: list[int]) -> dict[int, Ticket]:
    """The tickets with these ids that exist (bulk actions check each before acting)."""
    rows = await m.TicketRow.filter(id__in=ids or [0])
    return {r.id: mp.ticket_from_row(r) for r in rows}


# --- one ticket -----------------------------------------------------------------------------
@dataclass
class TicketDetail:
    ticket: Ticket
    contact: Contact
    company: Company | None
    comments: list[Comment]
    history: list[HistoryEntry]
    other_tickets: list[Ticket] = field(default_factory=list)


async def ticket_detail(ticket_id: int) -> TicketDetail | None:
    async with TortoiseUnitOfWork() as uow:
        row = await m.TicketRow.filter(id=ticket_id).first()
        if row is None:
            return None
        ticket = mp.ticket_from_row(row)
        contact = await uow.contacts.get(ticket.contact_id)
        company = await uow.contacts.get_company(contact.company_id) \
            if contact.company_id else None
        others = [t for t in await uow.tickets.for_contacts(
            await uow.contacts.related_ids(contact)) if t.id != ticket.id][:10]
        return TicketDetail(ticket, contact, company, await uow.comments.for_ticket(ticket.id),
                            await uow.history.for_ticket(ticket.id), others)


async def attachment(ticket_id: int, comment_id: int, index: int) -> dict[str, Any] | None:
    row = await m.CommentRow.filter(id=comment_id, ticket_id=ticket_id).first()
    if row is None or not 0 <= index < len(row.attachments or []):
        return None
    return dict(row.attachments[index])


# --- clients --------------------------------------------------------------------------------
async def companies() -> list[Company]:
    return [mp.company_from_row(r) for r in await m.CompanyRow.all().order_by("name")]


async def contacts(text: str = "", page: int = 1, per_page: int = 50,
                   within: set[int] | None = None) -> tuple[list[Contact], int]:
    """Contacts by name, e-mail or phone; with `within`, only those ids."""
    query = m.ContactRow.all() if within is None else m.ContactRow.filter(
        id__in=list(within) or [0])
    if text.strip():
        t = without_nul(text.strip())
        query = query.filter(Q(name__icontains=t) | Q(email__icontains=t) | Q(phone__icontains=t))
    total = await query.count()
    page, per_page = max(1, min(page, 10**6)), max(1, min(100, per_page))
    rows = await query.order_by("name").offset((page - 1) * per_page).limit(per_page)
    identities = await m.IdentityRow.filter(contact_id__in=[r.id for r in rows] or [0])
    return [mp.contact_from_row(r, [i for i in identities if i.contact_id == r.id])
            for r in rows], total


async def contact(contact_id: int) -> Contact | None:
    async with TortoiseUnitOfWork() as uow:
        if not await m.ContactRow.filter(id=contact_id).exists():
            return None
        return await uow.contacts.get(contact_id)


# --- rule tables (§4-§6) --------------------------------------------------------------------
async def rule_tables() -> dict[str, list[Any]]:
    """Calendars, SLA, routing and automation rules, macros and recurring schedules, each in
    table order."""
    async with TortoiseUnitOfWork() as uow:
        rules = uow.rules
        return {"calendars": await rules.calendars.all(), "sla": await rules.sla.all(),
                "routing": await rules.routing.all(), "automation": await rules.automation.all(),
                "macros": await rules.macros.all(), "schedules": await rules.schedules.all()}


async def notice_templates() -> dict[str, str]:
    async with TortoiseUnitOfWork() as uow:
        return await uow.rules.notices.all()


async def armed_schedules() -> dict[int, datetime]:
    """Recurring schedule id -> the due time of its pending timer."""
    async with TortoiseUnitOfWork() as uow:
        return {t.ref_id: t.due_at for t in await uow.timers.pending(kind=RECURRING)
                if t.ref_id is not None}


async def ticket_channels() -> set[str]:
    """The channels some ticket came through: one index probe per channel, where a DISTINCT
    reads every ticket."""
    return {ch.value for ch in Channel if await m.TicketRow.filter(channel=ch.value).exists()}


async def last_inbound_at() -> dict[str, datetime]:
    """Channel -> when its latest stored inbound update arrived."""
    rows = await m.InboundRow.all().annotate(last=Max("received_at")).group_by(
        "channel").values_list("channel", "last")
    return {channel: last for channel, last in rows if last is not None}
