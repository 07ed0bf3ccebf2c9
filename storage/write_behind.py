"""The batch's write-behind state: a getUpdates batch handled set-based instead of row by row.

The per-command unit of work writes each change as it is made: eleven statements for one
client message. In a write-behind batch (`storage.uow.batch(write_behind=True)`) the same core
handlers run against repositories (`storage.buffered`) that read from an identity map filled
for the whole batch in a few queries, and keep what they write in the buffers below; `flush`
writes everything with one multi-row statement per table at the end, before the batch
commits. Ids are allocated ahead, so a handler knows its new ticket's number at once.

Correctness first, speed where it is safe:
- A read the identity map cannot answer flushes the buffers first (as an ORM's autoflush),
  then asks the database, so no handler ever sees anything but the truth.
- A repository call the buffers do not model goes straight to the database, after a flush;
  if it writes, the identity map is forgotten, since the database may differ from it now.
- A ticket's version is checked for the whole batch at flush (PostgreSQL locks the rows), and
  a conflict, or any error, fails the batch: the caller then runs it again the per-command
  way, where every update has its savepoint and a failing one is parked alone."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from core.errors import ConcurrentUpdate
from core.outbox import InboundRef
from core.people import Contact, Identity
from core.tickets import Ticket
from core.timers import Timer
from storage import mapping as mp
from storage import models as m
from storage import rows as rw
from storage import rule_models as rm
from storage.inserts import insert_many
from storage.journal import Journal, TimerKey, clone, merge_timers, timer_matches
from storage.rule_repositories import LIVE
from storage.spares import give_back, take_spare

log = logging.getLogger(__name__)

class WriteBehind:
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn
        self.postgres = conn.capabilities.dialect == "postgres"
        # identity map: the state as committed units left it
        self.tickets: dict[int, Ticket] = {}
        self.db_versions: dict[int, int] = {}  # each ticket's version in the database
        self.contacts: dict[int, Contact] = {}
        self.db_identities: dict[int, frozenset[Identity]] = {}  # for new ones: as added
        self.by_identity: dict[Identity, int | None] = {}  # None: nobody has it
        # buffers: what committed units wrote and the database has not yet seen
        self.buffer = Journal()
        self.checked: set[InboundRef] = set()  # updates known not to be handled before
        self.consumed: set[InboundRef] = set()  # ... and recorded by a command since
        self._next_ids: dict[str, list[int]] = {}
        self._taken: dict[str, list[int]] = {}  # ids handed out (PostgreSQL: given back if
        # the batch rolls back)
        self.block = 100  # ids PostgreSQL is asked for at once: about what the batch needs
        self.db_contact_values: dict[int, dict[str, Any]] = {}  # as in the database
        self.flushes = 0
        self.poisoned = False  # a unit rolled back what had reached the database
        self._own = 0  # > 0 while this layer itself talks to the database
        self.unit: Any = None  # the unit of work running now (storage.uow.TortoiseUnitOfWork)
        self.shared: dict[str, Any] = {}  # repositories all the batch's units use
        for name in ("execute_query", "execute_query_dict", "execute_insert", "execute_many",
                     "execute_script"):
            setattr(conn, name, self._guarded(getattr(conn, name)))

    # --- everybody else's queries ---------------------------------------------------------------
    @contextmanager
    def own(self) -> Iterator[None]:
        """Queries of the write-behind layer itself, which knows what it buffered."""
        self._own += 1
        try:
            yield
        finally:
            self._own -= 1

    def _guarded(self, execute: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        """Any other query in the batch's transaction (a handler reading a list of tickets,
        the bot noting a topic) first gets the buffers written, so it sees what the batch
        did; any other write makes the batch read everything again afterwards."""
        async def guarded(query: str, *args: Any, **kwargs: Any) -> Any:
            if self._own:
                return await execute(query, *args, **kwargs)
            await self.flush()
            if query.lstrip()[:6].upper() != "SELECT":
                self.forget()
            return await execute(query, *args, **kwargs)
        return guarded

    # --- the identity map --------------------------------------------------------------------
    def new_unflushed(self, ticket_id: int | None, journal: Journal) -> bool:
        """Whether all of the ticket's rows (its history, its timers) are still in memory."""
        return ticket_id is not None and (ticket_id in self.buffer.new_tickets
                                          or ticket_id in journal.new_tickets)

    def new_contact(self, contact_id: int, journal: Journal) -> bool:
        return contact_id in self.buffer.new_contacts or contact_id in journal.new_contacts

    def forget(self) -> None:
        """After a write that went straight to the database: read everything again. (The
        buffers are empty then: a flush comes first.)"""
        self.tickets.clear()
        self.contacts.clear()
        self.by_identity.clear()
        self._drop_pools()

    def _drop_pools(self) -> None:
        """SQLite's pools are a guess at the next ids, PostgreSQL's are ids it reserved for
        us: those are kept for later."""
        if self.postgres:
            for table, pool in self._next_ids.items():
                give_back(self.conn, table, pool)
        self._next_ids.clear()

    def release(self, committed: bool) -> None:
        """The batch is over: PostgreSQL ids it did not use are kept for the next ones."""
        self._drop_pools()
        if self.postgres and not committed:
            for table, taken in self._taken.items():
                give_back(self.conn, table, taken)
        self._taken.clear()

    def give_back(self, table: str, ids: Iterable[int]) -> None:
        """Ids of a unit of work that rolled back: the next unit takes them."""
        pool = self._next_ids.setdefault(table, [])
        pool.extend(ids)
        pool.sort()
        taken = self._taken.get(table, [])
        for returned in ids:
            if returned in taken:
                taken.remove(returned)

    def remember_ticket(self, row: m.TicketRow | SimpleNamespace) -> Ticket:
        ticket = mp.ticket_from_row(row)
        self.tickets[ticket.id] = ticket
        self.db_versions[ticket.id] = ticket.version
        return ticket

    def remember_contact(self, row: m.ContactRow | SimpleNamespace,
                         identities: Iterable[m.IdentityRow | SimpleNamespace]) -> Contact:
        contact = mp.contact_from_row(row, list(identities))
        self.contacts[contact.id] = contact
        self.db_contact_values[contact.id] = rw.contact_values(contact)
        self.db_identities[contact.id] = frozenset(contact.identities)
        for identity in contact.identities:
            self.by_identity[identity] = contact.id
        return contact

    async def preload(self, identities: Sequence[Identity]) -> None:
        """The senders of a batch, with their current tickets, in four queries."""
        with self.own():
            await self._preload(identities)

    async def _preload(self, identities: Sequence[Identity]) -> None:
        wanted = [i for i in identities if i not in self.by_identity]
        if not wanted:
            return
        # plain rows, as attributes: no model instance per row (a tenth of the batch's time)
        rows = await m.IdentityRow.filter(
            channel__in=sorted({i.channel for i in wanted}),
            external_id__in=sorted({i.external_id for i in wanted})).using_db(self.conn).values(
            "contact_id")
        contact_ids = sorted({row["contact_id"] for row in rows})
        if contact_ids:
            contacts = [SimpleNamespace(**row) for row in await m.ContactRow.filter(
                id__in=contact_ids).using_db(self.conn).values()]
            of_contact: dict[int, list[SimpleNamespace]] = {}
            for row in await m.IdentityRow.filter(contact_id__in=contact_ids).using_db(
                    self.conn).order_by("id").values("contact_id", "channel", "external_id"):
                of_contact.setdefault(row["contact_id"], []).append(SimpleNamespace(**row))
            for contact in contacts:
                self.remember_contact(contact, of_contact.get(contact.id, []))
            current = [c.current_ticket_id for c in contacts if c.current_ticket_id]
            if current:
                for ticket in await m.TicketRow.filter(id__in=current).using_db(
                        self.conn).values():
                    self.remember_ticket(SimpleNamespace(**ticket))
        for identity in wanted:
            self.by_identity.setdefault(identity, None)

    # --- ids allocated ahead ------------------------------------------------------------------
    async def next_id(self, model: type[Any], *, gapless: bool = False) -> int:
        """The id the next row of `model` gets. On SQLite, the ids after the table's largest
        (this process is the one writer; should another process insert meanwhile, the flush
        fails on the duplicate and the batch goes the careful way). On PostgreSQL, ids from
        the table's sequence, as an INSERT takes them: about as many as the batch has
        updates, or one by one where a gap would show (ticket numbers); what is not used is
        handed out first later (`storage.spares`)."""
        table = model._meta.db_table
        pool = self._next_ids.setdefault(table, [])
        if not pool and self.postgres and (spare := take_spare(self.conn, table)) is not None:
            pool.append(spare)
        if not pool:
            with self.own():
                await self._allocate(table, pool, gapless)
        taken = pool.pop(0)
        self._taken.setdefault(table, []).append(taken)
        if self.unit is not None:
            self.unit.journal.allocated.setdefault(table, []).append(taken)
        return taken

    async def _allocate(self, table: str, pool: list[int], gapless: bool) -> None:
        if self.postgres:
            rows = await self.conn.execute_query_dict(
                f"SELECT nextval(pg_get_serial_sequence('\"{table}\"', 'id')) AS id "
                f"FROM generate_series(1, {1 if gapless else max(1, self.block)})")
            pool.extend(int(row["id"]) for row in rows)
            return
        rows = await self.conn.execute_query_dict(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0),"
            f" coalesce((SELECT max(id) FROM \"{table}\"), 0)) AS id", [table])
        first = int(rows[0]["id"]) + 1
        pool.extend(range(first, first + 1000))

    # --- units of work -------------------------------------------------------------------------
    def absorb(self, journal: Journal) -> None:
        """A unit commits: its objects become the batch's, its rows join the buffers. A
        ticket changed since the unit read it is a ConcurrentUpdate (the unit runs again)."""
        for ticket_id, base in journal.base_versions.items():
            current = (self.tickets[ticket_id].version if ticket_id in self.tickets
                       else self.db_versions.get(ticket_id, base))
            if current != base:
                raise ConcurrentUpdate(f"ticket {ticket_id} changed since version {base}")
        buffer = self.buffer
        for ticket_id, ticket in journal.tickets.items():  # copies: the unit may go on
            kept = clone(ticket)
            kept.events.clear()  # a unit flushed before its end plans these itself
            kept.history.clear()
            self.tickets[ticket_id] = buffer.tickets[ticket_id] = kept
        buffer.new_tickets |= journal.new_tickets
        for contact_id, contact in journal.contacts.items():
            self.contacts[contact_id] = buffer.contacts[contact_id] = clone(contact)
            for identity in contact.identities:
                self.by_identity[identity] = contact_id
        buffer.new_contacts |= journal.new_contacts
        buffer.comments += journal.comments
        buffer.history += journal.history
        buffer.events += journal.events
        buffer.outbox += journal.outbox
        buffer.inbound += journal.inbound
        self.consumed.update(journal.inbound)
        for op, value in journal.timer_ops:
            if op == "arm":
                buffer.timers = merge_timers(buffer.timers, [value])
                continue
            buffer.timers = [t for t in buffer.timers if not timer_matches(value, t)]
            if not self.new_unflushed(value[0], journal) and value not in buffer.cancelled:
                buffer.cancelled.append(value)
        flushed = journal.flushed_through
        for f in dataclasses.fields(Journal):
            setattr(journal, f.name, getattr(Journal(), f.name))
        journal.flushed_through = flushed

    def timers_of(self, ticket_id: int, journal: Journal) -> list[Timer]:
        """The live timers of a ticket new in the batch, as the unit sees them."""
        timers = [t for t in self.buffer.timers if t.ticket_id == ticket_id]
        for op, value in journal.timer_ops:
            if op == "arm":
                timers = merge_timers(timers, [value])
            else:
                timers = [t for t in timers if not timer_matches(value, t)]
        return timers

    async def flush(self, journal: Journal | None = None) -> None:
        """Write the buffers (and the running unit's journal) with one statement per table."""
        if journal is not None:
            journal.flushed_through = True
            self.absorb(journal)
        try:
            with self.own():
                await self._flush()
        except BaseException:
            # the buffers are gone, part of them may be written: whoever catches this (a
            # handler's refusal, a command's retry), the batch must not commit
            self.poisoned = True
            raise

    async def _flush(self) -> None:
        b = self.buffer
        if not any((b.tickets, b.contacts, b.comments, b.history, b.events, b.outbox,
                    b.inbound, b.timers, b.cancelled)):
            return
        self.flushes += 1
        self.buffer = Journal()
        await self._check_versions([t for t in b.tickets if t not in b.new_tickets])
        conn = self.conn
        if b.contacts:
            await self._write_contacts(b)
            await insert_many(conn, m.IdentityRow, [
                {"contact_id": cid, "channel": i.channel, "external_id": i.external_id}
                for cid, c in b.contacts.items() if cid in b.new_contacts
                for i in c.identities])
            for cid, c in b.contacts.items():
                self.db_identities[cid] = frozenset(c.identities)
        if b.tickets:
            some = next(iter(b.tickets.values()))
            await insert_many(conn, m.TicketRow, [
                {"id": t.id, "version": t.version, **mp.ticket_values(t)}
                for t in b.tickets.values()],
                conflict=["id"], update=[*mp.ticket_values(some), "version"])
            for t in b.tickets.values():
                self.db_versions[t.id] = t.version
        await insert_many(conn, m.CommentRow, [rw.comment_values(c) for c in b.comments])
        await insert_many(conn, m.HistoryRow, [rw.history_values(h) for h in b.history])
        await insert_many(conn, m.EventRow, [rw.event_values(e) for e in b.events])
        await self._delete_timers(b.cancelled)
        await insert_many(conn, rm.DeskTimerRow, [
            {"kind": t.kind, "due_at": t.due_at, "ticket_id": t.ticket_id, "ref_id": t.ref_id}
            for t in b.timers])
        await insert_many(conn, m.OutboxRow, [rw.outbox_values(x) for x in b.outbox])
        await insert_many(conn, m.InboundRow, [rw.inbound_values(x) for x in b.inbound])

    async def _write_contacts(self, b: Journal) -> None:
        """New contacts in one INSERT; changed ones with only the columns this batch changed,
        one statement per set of columns, so that an edit made meanwhile elsewhere (the
        panel) to another column stays."""
        await insert_many(self.conn, m.ContactRow, [
            {"id": c.id, **rw.contact_values(c)} for cid, c in b.contacts.items()
            if cid in b.new_contacts])
        changed: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for cid, contact in b.contacts.items():
            values = rw.contact_values(contact)
            if cid not in b.new_contacts:
                before = self.db_contact_values.get(cid, {})
                columns = tuple(k for k, v in values.items() if before.get(k, v) != v
                                or k not in before)
                if columns:
                    changed.setdefault(columns, []).append({"id": cid, **values})
            self.db_contact_values[cid] = values
        for columns, group in changed.items():
            await insert_many(self.conn, m.ContactRow, group, conflict=["id"],
                              update=list(columns))

    async def _check_versions(self, ticket_ids: list[int]) -> None:
        if not ticket_ids:
            return
        query = m.TicketRow.filter(id__in=ticket_ids).using_db(self.conn)
        if self.postgres:
            query = query.select_for_update()
        found = dict(await query.values_list("id", "version"))
        for ticket_id in ticket_ids:
            if found.get(ticket_id) != self.db_versions.get(ticket_id):
                raise ConcurrentUpdate(f"ticket {ticket_id} changed during the batch")

    async def _delete_timers(self, keys: list[TimerKey]) -> None:
        """One DELETE per kind of key (the same kinds and rule), for all its tickets."""
        groups: dict[tuple[tuple[str, ...], int | None], list[int | None]] = {}
        for ticket_id, kinds, ref_id in keys:
            groups.setdefault((kinds, ref_id), []).append(ticket_id)
        for (kinds, ref_id), tickets in groups.items():
            query = rm.DeskTimerRow.filter(kind__in=list(kinds), state__in=list(LIVE))
            if ref_id is not None:
                query = query.filter(ref_id=ref_id)
            with_id = [t for t in tickets if t is not None]
            if with_id:
                await query.filter(ticket_id__in=with_id).using_db(self.conn).delete()
            if len(with_id) < len(tickets):
                await query.filter(ticket_id__isnull=True).using_db(self.conn).delete()

    async def handled_before(self, refs: Sequence[InboundRef]) -> set[InboundRef]:
        """Which of the batch's updates were handled before (a re-delivery), in one query per
        channel. The others are recorded by their commands, with the rest of the batch."""
        known: set[InboundRef] = set()
        with self.own():
            for channel in sorted({x.channel for x in refs}):
                ids = [x.external_id for x in refs if x.channel == channel]
                known |= {InboundRef(channel, str(e)) for e in await m.InboundRow.filter(
                    channel=channel, external_id__in=ids).using_db(self.conn).values_list(
                    "external_id", flat=True)}
        self.checked |= set(refs) - known
        return known
