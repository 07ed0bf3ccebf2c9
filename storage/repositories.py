"""Repositories over tortoise models, bound to one transaction's connection."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, cast

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery

from core.attributes import AttributeDefinition
from core.canned import CannedAnswer, CannedGroup
from core.catalog import DeskSettings, Priority, TicketType
from core.errors import ConcurrentUpdate, NotFound
from core.events import Event
from core.names import Names
from core.outbox import InboundRef, OutboundMessage
from core.people import EMAIL, PHONE, ActorKind, Company, Contact, Employee, Group, Identity
from core.statuses import Workflow
from core.tickets import Comment, HistoryEntry, Ticket
from storage import mapping as mp
from storage import models as m
from storage import rule_models as rm
from storage.attributes import all_definitions
from storage.related import related_contact_ids
from storage.rows import (
    comment_row,
    contact_values,
    event_row,
    history_row,
    inbound_row,
    internal_types,
    outbox_row,
)
from storage.spares import take_spare


class TicketRepository:
    def __init__(self, conn: BaseDBAsyncClient, memo: Any = None) -> None:
        self.conn = conn
        self.memo = memo  # storage.uow.Memo: configuration reads shared by a transaction
        self.seen: list[Ticket] = []

    def _seen(self, ticket_id: int) -> Ticket | None:
        return next((t for t in self.seen if t.id == ticket_id), None)

    async def add(self, ticket: Ticket) -> Ticket:
        # on PostgreSQL, a number a rolled-back batch took is given first (storage.write_behind)
        spare = (take_spare(self.conn, m.TicketRow._meta.db_table)
                 if self.conn.capabilities.dialect == "postgres" else None)
        ids = {"id": spare} if spare is not None else {}
        row = await m.TicketRow.create(using_db=self.conn, **ids, **mp.ticket_values(ticket))
        ticket.id, ticket.version = row.id, row.version
        self.seen.append(ticket)
        return ticket

    async def get(self, ticket_id: int) -> Ticket:
        known = self._seen(ticket_id)
        if known is not None:
            return known
        row = await m.TicketRow.filter(id=ticket_id).using_db(self.conn).first()
        if row is None:
            raise NotFound("ticket.not_found", number=ticket_id)
        ticket = mp.ticket_from_row(row)
        self.seen.append(ticket)
        return ticket

    async def save(self, ticket: Ticket) -> None:
        updated = await m.TicketRow.filter(id=ticket.id, version=ticket.version).using_db(
            self.conn).update(**mp.ticket_values(ticket), version=ticket.version + 1)
        if updated < 1:  # SQLite's count includes the word index's rows its trigger wrote
            raise ConcurrentUpdate(f"ticket {ticket.id} changed since version {ticket.version}")
        ticket.version += 1

    async def _not_internal(self) -> Q:
        internal = await internal_types(self.conn, self.memo)
        return Q(type_code=None) | ~Q(type_code__in=list(internal)) if internal else Q()

    async def latest_for_contact(self, contact_id: int) -> Ticket | None:
        row = await m.TicketRow.filter(await self._not_internal(), contact_id=contact_id
                                       ).using_db(self.conn).order_by("-id").first()
        if row is None:
            return None
        return self._seen(row.id) or await self.get(row.id)

    async def for_contacts(self, contact_ids: Sequence[int]) -> list[Ticket]:
        rows = await m.TicketRow.filter(contact_id__in=list(contact_ids)).using_db(
            self.conn).order_by("-id")
        return [mp.ticket_from_row(r) for r in rows]


class CommentRepository:
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn

    async def add(self, comment: Comment) -> Comment:
        row = comment_row(comment)
        await row.save(using_db=self.conn)
        return dataclasses.replace(comment, id=row.id)

    async def get(self, comment_id: int) -> Comment:
        row = await m.CommentRow.filter(id=comment_id).using_db(self.conn).first()
        if row is None:
            raise NotFound("comment.not_found", id=comment_id)
        return mp.comment_from_row(row)

    async def for_ticket(self, ticket_id: int) -> list[Comment]:
        rows = await m.CommentRow.filter(ticket_id=ticket_id).using_db(self.conn).order_by("id")
        return [mp.comment_from_row(r) for r in rows]


class ContactRepository:
    """Contacts read once per unit of work: a command asks for its client several times."""

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn
        self._known: dict[int, Contact] = {}

    async def _load(self, row: m.ContactRow) -> Contact:
        identities = await m.IdentityRow.filter(contact_id=row.id).using_db(self.conn)
        contact = mp.contact_from_row(row, list(identities))
        self._known[contact.id] = contact
        return contact

    async def get(self, contact_id: int) -> Contact:
        if contact_id in self._known:
            return self._known[contact_id]
        row = await m.ContactRow.filter(id=contact_id).using_db(self.conn).first()
        if row is None:
            raise NotFound("contact.not_found", id=contact_id)
        return await self._load(row)

    async def by_identity(self, identity: Identity) -> Contact | None:
        linked = m.IdentityRow.filter(channel=identity.channel,
                                      external_id=identity.external_id).values("contact_id")
        row = await m.ContactRow.filter(id__in=Subquery(linked)).using_db(self.conn).first()
        if row is None:
            return None
        return self._known.get(row.id) or await self._load(row)

    async def add(self, contact: Contact) -> Contact:
        row = await m.ContactRow.create(using_db=self.conn, **self._values(contact))
        try:
            for identity in contact.identities:
                await m.IdentityRow.create(using_db=self.conn, contact_id=row.id,
                                           channel=identity.channel,
                                           external_id=identity.external_id)
        except IntegrityError as exc:  # the same person registered by a parallel update
            raise ConcurrentUpdate(str(exc)) from exc
        added = dataclasses.replace(contact, id=row.id)
        self._known[added.id] = added
        return added

    @staticmethod
    def _values(contact: Contact) -> dict[str, Any]:
        return contact_values(contact)

    async def save(self, contact: Contact) -> None:
        await m.ContactRow.filter(id=contact.id).using_db(self.conn).update(
            **self._values(contact))
        self._known[contact.id] = contact
        known = {(i.channel, i.external_id) for i in await m.IdentityRow.filter(
            contact_id=contact.id).using_db(self.conn)}
        for identity in contact.identities:
            if (identity.channel, identity.external_id) in known:
                continue
            if identity.channel in (PHONE, EMAIL) and await m.IdentityRow.filter(
                    channel=identity.channel, external_id=identity.external_id).using_db(
                    self.conn).exists():
                continue  # another contact's extra address: the two are related anyway
            await m.IdentityRow.create(using_db=self.conn, contact_id=contact.id,
                                       channel=identity.channel,
                                       external_id=identity.external_id)

    async def related_ids(self, contact: Contact) -> list[int]:
        return await related_contact_ids(contact, self.conn)

    async def merge(self, keeper: Contact, absorbed: Contact) -> None:
        await m.IdentityRow.filter(contact_id=absorbed.id).using_db(self.conn).delete()
        await self.save(keeper)
        client = ActorKind.CLIENT
        await m.CommentRow.filter(author_kind=client, author_id=absorbed.id).using_db(
            self.conn).update(author_id=keeper.id)
        await m.HistoryRow.filter(actor_kind=client, actor_id=absorbed.id).using_db(
            self.conn).update(actor_id=keeper.id)
        await rm.RecurringScheduleRow.filter(contact_id=absorbed.id).using_db(
            self.conn).update(contact_id=keeper.id)
        await m.ContactRow.filter(id=absorbed.id).using_db(self.conn).delete()
        self._known.pop(absorbed.id, None)

    async def get_company(self, company_id: int) -> Company:
        row = await m.CompanyRow.filter(id=company_id).using_db(self.conn).first()
        if row is None:
            raise NotFound("company.not_found", id=company_id)
        return mp.company_from_row(row)

    async def company_by_domain(self, domain: str) -> Company | None:
        row = await m.CompanyRow.filter(email_domain__iexact=domain).using_db(
            self.conn).order_by("id").first()
        return None if row is None else mp.company_from_row(row)


class EmployeeRepository:
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn

    async def _load(self, row: m.EmployeeRow | None) -> Employee | None:
        if row is None:
            return None
        groups = await m.GroupMemberRow.filter(employee_id=row.id).using_db(
            self.conn).values_list("group_id", flat=True)
        return mp.employee_from_row(row, set(cast("list[int]", groups)))

    async def get(self, employee_id: int) -> Employee:
        employee = await self._load(
            await m.EmployeeRow.filter(id=employee_id).using_db(self.conn).first())
        if employee is None:
            raise NotFound("employee.not_found", id=employee_id)
        return employee

    async def by_login(self, login: str) -> Employee | None:
        return await self._load(
            await m.EmployeeRow.filter(login=login).using_db(self.conn).first())

    async def by_logins(self, logins: Sequence[str]) -> list[Employee]:
        rows = await m.EmployeeRow.filter(login__in=list(logins)).using_db(self.conn)
        return [e for r in rows if (e := await self._load(r))]

    async def by_telegram_id(self, telegram_id: int) -> Employee | None:
        return await self._load(
            await m.EmployeeRow.filter(telegram_id=telegram_id).using_db(self.conn).first())

    @staticmethod
    def _values(employee: Employee) -> dict[str, Any]:
        return {"name": employee.name, "login": employee.login, "role": employee.role.value,
                "active": employee.active, "telegram_id": employee.telegram_id,
                "password_hash": employee.password_hash}

    async def add(self, employee: Employee) -> Employee:
        row = await m.EmployeeRow.create(using_db=self.conn, **self._values(employee))
        for group_id in employee.group_ids:
            await m.GroupMemberRow.create(using_db=self.conn, group_id=group_id,
                                          employee_id=row.id)
        return dataclasses.replace(employee, id=row.id)

    async def save(self, employee: Employee) -> None:
        await m.EmployeeRow.filter(id=employee.id).using_db(self.conn).update(
            **self._values(employee))

    async def list(self) -> list[Employee]:
        rows = await m.EmployeeRow.all().using_db(self.conn).order_by("id")
        return [e for r in rows if (e := await self._load(r))]

    async def get_group(self, group_id: int) -> Group:
        row = await m.GroupRow.filter(id=group_id).using_db(self.conn).first()
        if row is None:
            raise NotFound("group.not_found", id=group_id)
        members = await m.GroupMemberRow.filter(group_id=group_id).using_db(self.conn)
        return Group(row.id, row.name, {x.employee_id for x in members},
                     {x.employee_id for x in members if x.notify}, row.assignment,
                     Names(row.names), row.telegram_chat_id)

    async def open_ticket_count(self, employee_id: int, for_load: bool = True) -> int:
        statuses = m.StatusRow.filter(state="open")
        if for_load:
            statuses = statuses.filter(excluded_from_load=False)
        counted = await statuses.using_db(self.conn).values_list("code", flat=True)
        return await m.TicketRow.filter(responsible_id=employee_id,
                                        status__in=list(counted)).using_db(self.conn).count()


class CatalogRepository:
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn

    async def workflow(self) -> Workflow:
        rows = await m.StatusRow.all().using_db(self.conn)
        return Workflow(mp.status_from_row(r) for r in rows)

    async def priorities(self) -> list[Priority]:
        rows = await m.PriorityRow.all().using_db(self.conn).order_by("position")
        return [mp.priority_from_row(r) for r in rows]

    async def ticket_types(self) -> list[TicketType]:
        rows = await m.TicketTypeRow.all().using_db(self.conn).order_by("position")
        return [mp.type_from_row(r) for r in rows]

    async def desk_settings(self) -> DeskSettings:
        values = {r.key: r.value for r in await m.SettingRow.all().using_db(self.conn)}
        default = DeskSettings()
        return DeskSettings(
            reopen_window=timedelta(seconds=values.get(
                "reopen_window_seconds", default.reopen_window.total_seconds())),
            auto_close_after=timedelta(seconds=values.get(
                "auto_close_seconds", default.auto_close_after.total_seconds())),
            default_priority=values.get("default_priority", default.default_priority),
            default_responsible_id=values.get("default_responsible_id"),
            leads_see_reports=bool(values.get("leads_see_reports", default.leads_see_reports)),
            company_categories=tuple(values.get("company_categories",
                                                default.company_categories)),
        )

    async def canned_groups(self) -> list[CannedGroup]:
        rows = await m.CannedGroupRow.all().using_db(self.conn).order_by("position", "id")
        return [mp.canned_group_from_row(r) for r in rows]

    async def canned_answers(self, group_id: int | None = None) -> list[CannedAnswer]:
        query = m.CannedAnswerRow.all().using_db(self.conn)
        if group_id is not None:
            query = query.filter(group_id=group_id)
        rows = await query.order_by("position", "id")
        return [mp.canned_answer_from_row(r) for r in rows]

    async def attributes(self) -> list[AttributeDefinition]:
        return await all_definitions(self.conn)


class HistoryRepository:
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn

    async def add_many(self, entries: Sequence[HistoryEntry]) -> None:
        await m.HistoryRow.bulk_create([history_row(h) for h in entries], using_db=self.conn)

    async def for_ticket(self, ticket_id: int) -> list[HistoryEntry]:
        rows = await m.HistoryRow.filter(ticket_id=ticket_id).using_db(self.conn).order_by("id")
        return [mp.history_from_row(r) for r in rows]


class EventLog:
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn

    async def add_many(self, events: Sequence[Event]) -> None:
        await m.EventRow.bulk_create([event_row(e) for e in events], using_db=self.conn)


class Outbox:
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn

    async def add_many(self, messages: Sequence[OutboundMessage]) -> None:
        await m.OutboxRow.bulk_create([outbox_row(x) for x in messages], using_db=self.conn)


class InboundLog:
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn

    async def record(self, ref: InboundRef) -> bool:
        """Note the update as handled; False when it was already (a re-delivery, or a
        parallel delivery that committed first: PostgreSQL makes this insert wait for it).
        The caller then rolls back, as the failed insert leaves PostgreSQL's transaction
        unusable until it does."""
        try:
            await inbound_row(ref).save(using_db=self.conn)
        except IntegrityError:
            return False
        return True
