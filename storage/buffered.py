"""The repositories of a unit of work inside a write-behind batch (`storage.write_behind`):
the same ports as `storage.repositories`, answered from the batch's identity map and written
to the unit's journal. What they do not model goes to the per-command repositories after a
flush (`Through`), so every read sees the truth."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Protocol, cast

from core.errors import NotFound
from core.events import Event
from core.outbox import InboundRef, OutboundMessage
from core.people import Contact, Identity
from core.tickets import Comment, HistoryEntry, Ticket
from core.timers import Timer
from storage import models as m
from storage import repositories as r
from storage.journal import Journal, TimerKey, clone
from storage.rows import internal_types
from storage.write_behind import WriteBehind


class Unit(Protocol):
    """What the buffered repositories need of their unit of work."""

    wb: WriteBehind
    journal: Journal

    async def autoflush(self) -> None: ...
    def wrote_through(self, forget: bool = True) -> None: ...


class _OfTheUnit:
    wb: WriteBehind

    @property
    def unit(self) -> Unit:
        """The unit of work running now (a batch runs one at a time)."""
        return cast(Unit, self.wb.unit)


class Through:
    """A per-command repository behind a flush: `pure` reads touch nothing the batch buffers
    and go straight on; other reads flush first; anything else is a write, which flushes
    first, reaches the database at once, and makes the batch forget its identity map."""

    def __init__(self, inner: Any, wb: WriteBehind, pure: frozenset[str] = frozenset(),
                 reads: frozenset[str] = frozenset(),
                 keeps_map: frozenset[str] = frozenset()) -> None:
        self._inner, self._wb = inner, wb
        self._pure, self._reads, self._keeps_map = pure, reads, keeps_map

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr
        if name in self._pure:  # reads of what the batch never buffers
            async def read(*args: Any, **kwargs: Any) -> Any:
                with self._wb.own():
                    return await attr(*args, **kwargs)
            return read

        async def call(*args: Any, **kwargs: Any) -> Any:
            unit = self._wb.unit
            await unit.autoflush()
            with self._wb.own():
                result = await attr(*args, **kwargs)
            if name not in self._reads:
                unit.wrote_through(forget=name not in self._keeps_map)
            return result
        return call


class BufferedTickets(_OfTheUnit):
    def __init__(self, wb: WriteBehind, inner: r.TicketRepository) -> None:
        self.wb, self.inner = wb, inner
        self.seen: list[Ticket] = []
        self.bases: dict[int, int] = {}  # the version each ticket had when this unit got it

    def _seen(self, ticket_id: int) -> Ticket | None:
        return next((t for t in self.seen if t.id == ticket_id), None)

    async def add(self, ticket: Ticket) -> Ticket:
        ticket.id = await self.wb.next_id(m.TicketRow, gapless=True)
        ticket.version = 0
        self.unit.journal.tickets[ticket.id] = ticket
        self.unit.journal.new_tickets.add(ticket.id)
        self.seen.append(ticket)
        return ticket

    async def get(self, ticket_id: int) -> Ticket:
        known = self._seen(ticket_id)
        if known is not None:
            return known
        wb = self.wb
        batch_copy = wb.tickets.get(ticket_id)
        if batch_copy is None:
            with wb.own():
                row = await m.TicketRow.filter(id=ticket_id).using_db(wb.conn).first()
            if row is None:
                raise NotFound("ticket.not_found", number=ticket_id)
            batch_copy = wb.remember_ticket(row)
        ticket: Ticket = clone(batch_copy)
        self.bases[ticket.id] = ticket.version
        self.seen.append(ticket)
        return ticket

    async def save(self, ticket: Ticket) -> None:
        journal = self.unit.journal
        if ticket.id not in journal.new_tickets:
            journal.base_versions.setdefault(ticket.id, self.bases.get(ticket.id, ticket.version))
        ticket.version += 1
        journal.tickets[ticket.id] = ticket

    def rebase(self) -> None:
        """After a flush took this unit's changes: they are what the database holds now."""
        for ticket in self.seen:
            self.bases[ticket.id] = ticket.version

    async def latest_for_contact(self, contact_id: int) -> Ticket | None:
        wb, journal = self.wb, self.unit.journal
        if wb.new_contact(contact_id, journal):  # all its tickets are in memory
            with wb.own():
                internal = set(await internal_types(wb.conn, self.inner.memo))
            candidates = {t.id for t in [*wb.tickets.values(), *self.seen]
                          if t.contact_id == contact_id and t.type_code not in internal}
            return await self.get(max(candidates)) if candidates else None
        await self.unit.autoflush()
        with wb.own():
            row = await m.TicketRow.filter(await self.inner._not_internal(),
                                           contact_id=contact_id
                                           ).using_db(wb.conn).order_by("-id").first()
        return None if row is None else await self.get(row.id)

    async def for_contacts(self, contact_ids: Sequence[int]) -> list[Ticket]:
        await self.unit.autoflush()
        with self.wb.own():
            return await self.inner.for_contacts(contact_ids)


class BufferedContacts(_OfTheUnit):
    def __init__(self, wb: WriteBehind, inner: r.ContactRepository) -> None:
        self.wb, self.inner = wb, inner
        self._known: dict[int, Contact] = {}
        self._through = Through(inner, wb,
                                pure=frozenset({"get_company", "company_by_domain"}),
                                reads=frozenset({"related_ids", "get_company",
                                                 "company_by_domain"}))

    async def get(self, contact_id: int) -> Contact:
        if contact_id in self._known:
            return self._known[contact_id]
        wb = self.wb
        batch_copy = wb.contacts.get(contact_id)
        if batch_copy is None:
            with wb.own():
                row = await m.ContactRow.filter(id=contact_id).using_db(wb.conn).first()
                if row is None:
                    raise NotFound("contact.not_found", id=contact_id)
                identities = await m.IdentityRow.filter(contact_id=row.id).using_db(
                    wb.conn).order_by("id")
            batch_copy = wb.remember_contact(row, identities)
        contact: Contact = clone(batch_copy)
        self._known[contact_id] = contact
        return contact

    async def by_identity(self, identity: Identity) -> Contact | None:
        for contact in self._known.values():
            if identity in contact.identities:
                return contact
        wb = self.wb
        if identity not in wb.by_identity:
            with wb.own():
                row = await m.IdentityRow.filter(channel=identity.channel,
                                                 external_id=identity.external_id).using_db(
                    wb.conn).first()
            wb.by_identity[identity] = row.contact_id if row else None
        contact_id = wb.by_identity[identity]
        return None if contact_id is None else await self.get(contact_id)

    async def add(self, contact: Contact) -> Contact:
        wb, journal = self.wb, self.unit.journal
        added = dataclasses.replace(contact, id=await wb.next_id(m.ContactRow),
                                    identities=list(contact.identities))
        journal.contacts[added.id] = self._known[added.id] = added
        journal.new_contacts.add(added.id)
        wb.db_identities[added.id] = frozenset(added.identities)  # what the flush inserts
        return added

    async def save(self, contact: Contact) -> None:
        """A contact whose addresses did not change is written with the batch; a new address
        goes to the database at once, with the per-command rules for it."""
        self._known[contact.id] = contact
        if set(contact.identities) <= self.wb.db_identities.get(contact.id, frozenset()):
            self.unit.journal.contacts[contact.id] = contact
            return
        await self._through.save(contact)

    def __getattr__(self, name: str) -> Any:  # related_ids, merge, the companies
        return getattr(self._through, name)


class BufferedComments(_OfTheUnit):
    def __init__(self, wb: WriteBehind, inner: r.CommentRepository) -> None:
        self.wb = wb
        self._through = Through(inner, wb, reads=frozenset({"get", "for_ticket"}))

    async def add(self, comment: Comment) -> Comment:
        added = dataclasses.replace(comment, id=await self.wb.next_id(m.CommentRow))
        self.unit.journal.comments.append(added)
        return added

    def __getattr__(self, name: str) -> Any:
        return getattr(self._through, name)


class BufferedHistory(_OfTheUnit):
    def __init__(self, wb: WriteBehind, inner: r.HistoryRepository) -> None:
        self.wb, self.inner = wb, inner

    async def add_many(self, entries: Sequence[HistoryEntry]) -> None:
        self.unit.journal.history += entries

    async def for_ticket(self, ticket_id: int) -> list[HistoryEntry]:
        wb, journal = self.wb, self.unit.journal
        if wb.new_unflushed(ticket_id, journal):
            return [h for h in [*wb.buffer.history, *journal.history]
                    if h.ticket_id == ticket_id]
        await self.unit.autoflush()
        with wb.own():
            return await self.inner.for_ticket(ticket_id)


class BufferedList(_OfTheUnit):
    """Events or outbox messages: only ever added."""

    def __init__(self, wb: WriteBehind, name: str) -> None:
        self.wb, self.name = wb, name

    async def add_many(self, items: Sequence[Event] | Sequence[OutboundMessage]) -> None:
        getattr(self.unit.journal, self.name).extend(items)


class BufferedInbound(_OfTheUnit):
    def __init__(self, wb: WriteBehind) -> None:
        self.wb = wb

    async def record(self, ref: InboundRef) -> bool:
        wb, journal = self.wb, self.unit.journal
        if ref in journal.inbound or ref in wb.consumed:
            return False  # the update's command ran already
        if ref not in wb.checked and await wb.handled_before([ref]):
            return False  # a re-delivery
        journal.inbound.append(ref)  # written with the batch; its unique key still holds
        return True


class BufferedTimers(_OfTheUnit):
    """Timers of tickets new in the batch live in memory until the flush; a cancellation for
    a ticket in the database is one DELETE at the flush; arming one of those, or anything
    else, goes to the database at once."""

    def __init__(self, wb: WriteBehind, inner: Any) -> None:
        self.wb = wb
        self._through = Through(inner, wb, reads=frozenset({"pending"}),
                                keeps_map=frozenset({"schedule", "complete"}))

    async def schedule(self, timer: Timer) -> None:
        wb, journal = self.wb, self.unit.journal
        if not wb.new_unflushed(timer.ticket_id, journal):
            await self._through.schedule(timer)
            return
        live = [t for t in wb.timers_of(timer.ticket_id or 0, journal)
                if (t.kind, t.ref_id) == (timer.kind, timer.ref_id)]
        if len(live) == 1 and live[0].due_at == timer.due_at:
            return  # armed already
        journal.timer_ops.append(("arm", timer))

    async def cancel(self, ticket_id: int | None, kinds: Sequence[str],
                     ref_id: int | None = None) -> None:
        key: TimerKey = (ticket_id, tuple(kinds), ref_id)
        self.unit.journal.timer_ops.append(("cancel", key))

    def __getattr__(self, name: str) -> Any:  # complete, pending
        return getattr(self._through, name)

