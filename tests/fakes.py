"""In-memory implementations of the ports in core/ports.py. They behave like the database where
it matters to the core: reads hand out copies, only `commit()` makes changes stick, a ticket
saved over a newer version raises `ConcurrentUpdate`."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from core import ports, rule_ports
from core.attributes import AttributeDefinition, in_order
from core.canned import CannedAnswer, CannedGroup
from core.catalog import DeskSettings, Priority, TicketType, default_priorities, default_types
from core.errors import ConcurrentUpdate, NotFound
from core.events import Event
from core.outbox import InboundRef, OutboundMessage, Routing
from core.people import Company, Contact, Employee, Group, Identity, Role
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from core.services import Desk
from core.statuses import Status, Workflow, default_statuses
from core.tickets import Comment, HistoryEntry, Ticket
from tests.fake_callbacks import CallbackStore, InMemoryCallbacks
from tests.fake_rules import InMemoryRules, InMemoryTimers, RuleStore

T = TypeVar("T")

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday morning


class FakeClock:
    def __init__(self, now: datetime = START) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now


@dataclass
class InMemoryStore:
    """The committed rows, shared by every unit of work of one test: the "database"."""

    statuses: list[Status] = field(default_factory=default_statuses)
    priorities: list[Priority] = field(default_factory=default_priorities)
    ticket_types: list[TicketType] = field(default_factory=default_types)
    settings: DeskSettings = field(default_factory=DeskSettings)
    canned_groups: list[CannedGroup] = field(default_factory=list)
    canned_answers: list[CannedAnswer] = field(default_factory=list)
    tickets: dict[int, Ticket] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    companies: dict[int, Company] = field(default_factory=dict)
    employees: dict[int, Employee] = field(default_factory=dict)
    groups: dict[int, Group] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    outbox: list[OutboundMessage] = field(default_factory=list)
    inbound: set[InboundRef] = field(default_factory=set)
    commits: int = 0
    # A test hook awaited after a ticket is read and after a contact is looked up by identity,
    # with the table's name and what was read: lets a test interleave two transactions.
    after_read: Callable[[str, object], Awaitable[None]] | None = None
    sequences: dict[str, int] = field(default_factory=dict)
    rules: RuleStore = field(default_factory=RuleStore)  # rule tables and timers
    attributes: list[AttributeDefinition] = field(default_factory=list)  # §9.5
    callbacks: CallbackStore = field(default_factory=CallbackStore)  # §10

    def next_id(self, table: str) -> int:
        """Like a database sequence: ids are never reused, even after a rollback."""
        self.sequences[table] = self.sequences.get(table, 0) + 1
        return self.sequences[table]

    def snapshot(self) -> tuple[Any, ...]:
        """Every row, copied: equal snapshots mean nothing was written in between. The
        append-only tables only ever grow, so their length stands for them."""
        rows = copy.deepcopy((self.tickets, self.comments, self.contacts, self.employees))
        return rows, len(self.history), len(self.events), len(self.outbox), len(self.inbound)

    def internal_type_codes(self) -> set[str]:
        return {t.code for t in self.ticket_types if t.internal}

    # --- reading for assertions --------------------------------------------------------------
    def ticket(self, ticket_id: int) -> Ticket:
        return self.tickets[ticket_id]

    def history_of(self, ticket_id: int, field_name: str | None = None) -> list[HistoryEntry]:
        return [h for h in self.history if h.ticket_id == ticket_id
                and (field_name is None or h.field == field_name)]

    def comments_of(self, ticket_id: int) -> list[Comment]:
        return [c for c in self.comments.values() if c.ticket_id == ticket_id]

    def messages_of(self, ticket_id: int) -> list[OutboundMessage]:
        return [m for m in self.outbox if m.ticket_id == ticket_id]


class _Rows(Generic[T]):
    """One table as a transaction sees it: committed rows, this transaction's writes, and the
    copies it handed out (an identity map, so two reads of a row give the same object)."""

    def __init__(
        self, committed: dict[int, T], to_row: Callable[[T], T] = lambda obj: obj
    ) -> None:
        self.committed = committed
        self.to_row = to_row
        self.pending: dict[int, T] = {}
        self.loaded: dict[int, T] = {}

    def current(self, row_id: int) -> T | None:
        return self.pending.get(row_id, self.committed.get(row_id))

    def ids(self) -> Iterator[int]:
        yield from sorted(self.committed.keys() | self.pending.keys())

    def rows(self) -> Iterator[T]:
        for row_id in self.ids():
            row = self.current(row_id)
            assert row is not None
            yield row

    def load(self, row_id: int) -> T | None:
        if row_id not in self.loaded:
            row = self.current(row_id)
            if row is None:
                return None
            self.loaded[row_id] = copy.deepcopy(row)
        return self.loaded[row_id]

    def write(self, row_id: int, obj: T) -> None:
        self.pending[row_id] = copy.deepcopy(self.to_row(obj))
        self.loaded[row_id] = obj

    def flush(self) -> None:
        self.committed.update(self.pending)
        self.discard()

    def discard(self) -> None:
        self.pending.clear()
        self.loaded.clear()


class _Log(Generic[T]):
    """An append-only table: rows become visible to others on commit."""

    def __init__(self, committed: list[T]) -> None:
        self.committed = committed
        self.pending: list[T] = []

    def rows(self) -> list[T]:
        return self.committed + self.pending

    def flush(self) -> None:
        self.committed.extend(self.pending)
        self.pending.clear()

    def discard(self) -> None:
        self.pending.clear()


def _ticket_row(ticket: Ticket) -> Ticket:
    """What the tickets table holds: history and events have tables of their own."""
    row = copy.copy(ticket)
    row.history, row.events = [], []
    return row


class InMemoryTicketRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self.seen: list[Ticket] = []
        self._rows = _Rows(store.tickets, _ticket_row)
        self._read_versions: dict[int, int] = {}

    def _track(self, ticket: Ticket) -> Ticket:
        if not any(t is ticket for t in self.seen):
            self.seen.append(ticket)
        return ticket

    async def _load(self, ticket_id: int) -> Ticket:
        fresh = ticket_id not in self._rows.loaded
        ticket = self._rows.load(ticket_id)
        if ticket is None:
            raise NotFound("ticket.not_found", number=ticket_id)
        self._read_versions.setdefault(ticket_id, ticket.version)
        self._track(ticket)
        if fresh and self.store.after_read is not None:
            await self.store.after_read("tickets", ticket)
        return ticket

    async def add(self, ticket: Ticket) -> Ticket:
        ticket.id = self.store.next_id("tickets")
        self._rows.write(ticket.id, ticket)
        return self._track(ticket)

    async def get(self, ticket_id: int) -> Ticket:
        return await self._load(ticket_id)

    async def save(self, ticket: Ticket) -> None:
        current = self._rows.current(ticket.id)
        if current is None:
            raise NotFound("ticket.not_found", number=ticket.id)
        if current.version != ticket.version:
            raise ConcurrentUpdate(f"ticket {ticket.id} changed since version {ticket.version}")
        ticket.version += 1
        self._rows.write(ticket.id, ticket)

    async def latest_for_contact(self, contact_id: int) -> Ticket | None:
        internal = self.store.internal_type_codes()
        ids = [t.id for t in self._rows.rows()
               if t.contact_id == contact_id and t.type_code not in internal]
        return await self._load(max(ids)) if ids else None

    async def for_contacts(self, contact_ids: Sequence[int]) -> list[Ticket]:
        ids = [t.id for t in self._rows.rows() if t.contact_id in contact_ids]
        return [await self._load(i) for i in sorted(ids, reverse=True)]

    def check_versions(self) -> None:
        """At commit: a row another transaction committed since we read it is a conflict."""
        for ticket_id in self._rows.pending:
            stored = self._rows.committed.get(ticket_id)
            read = self._read_versions.get(ticket_id)
            if stored is not None and read is not None and stored.version != read:
                raise ConcurrentUpdate(f"ticket {ticket_id} changed since version {read}")

    def flush(self) -> None:
        self._rows.flush()
        self._read_versions.clear()
        self.seen.clear()

    def discard(self) -> None:
        self._rows.discard()
        self._read_versions.clear()
        self.seen.clear()


class InMemoryCommentRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self._rows = _Rows(store.comments)

    async def add(self, comment: Comment) -> Comment:
        comment.id = self.store.next_id("comments")
        self._rows.write(comment.id, comment)
        return comment

    async def get(self, comment_id: int) -> Comment:
        comment = self._rows.load(comment_id)
        if comment is None:
            raise NotFound("comment.not_found", id=comment_id)
        return comment

    async def for_ticket(self, ticket_id: int) -> list[Comment]:
        ids = [c.id for c in self._rows.rows() if c.ticket_id == ticket_id]
        return [await self.get(i) for i in ids]


class InMemoryContactRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self._rows = _Rows(store.contacts)

    async def get(self, contact_id: int) -> Contact:
        contact = self._rows.load(contact_id)
        if contact is None:
            raise NotFound("contact.not_found", id=contact_id)
        return contact

    async def by_identity(self, identity: Identity) -> Contact | None:
        found = next((c for c in self._rows.rows() if identity in c.identities), None)
        contact = None if found is None else await self.get(found.id)
        if self.store.after_read is not None:
            await self.store.after_read("contacts", contact)
        return contact

    async def add(self, contact: Contact) -> Contact:
        self._check_identities_are_free(contact)
        contact.id = self.store.next_id("contacts")
        self._rows.write(contact.id, contact)
        return contact

    def _check_identities_are_free(self, contact: Contact) -> None:
        """A messenger identity belongs to one contact (a unique index in storage): the same
        person registered by a parallel transaction is a conflict, and the command retries."""
        taken = {i for c in self._rows.committed.values() if c.id != contact.id
                 for i in c.identities}
        if taken & set(contact.identities):
            raise ConcurrentUpdate(f"{contact.identities} registered by another transaction")

    def check_unique(self) -> None:
        for contact_id, contact in self._rows.pending.items():
            if contact_id not in self._rows.committed:
                self._check_identities_are_free(contact)

    async def save(self, contact: Contact) -> None:
        if self._rows.current(contact.id) is None:
            raise NotFound("contact.not_found", id=contact.id)
        self._rows.write(contact.id, contact)

    async def related_ids(self, contact: Contact) -> list[int]:
        def shares(other: Contact) -> bool:
            return bool(
                {e.casefold() for e in contact.emails} & {e.casefold() for e in other.emails}
                or set(contact.phones) & set(other.phones)
                or set(contact.identities) & set(other.identities)
            )

        return [o.id for o in self._rows.rows() if o.id != contact.id and shares(o)]

    async def merge(self, keeper: Contact, absorbed: Contact) -> None:
        """The absorbed contact stays as an empty row here: nothing reaches it any more."""
        self._rows.write(absorbed.id, replace(absorbed, phone=None, email=None, identities=[],
                                              current_ticket_id=None))
        await self.save(keeper)

    async def get_company(self, company_id: int) -> Company:
        try:
            return copy.deepcopy(self.store.companies[company_id])
        except KeyError:
            raise NotFound("company.not_found", id=company_id) from None

    async def company_by_domain(self, domain: str) -> Company | None:
        found = [c for c in self.store.companies.values()
                 if (c.email_domain or "").casefold() == domain.casefold()]
        return copy.deepcopy(min(found, key=lambda c: c.id)) if found else None


class InMemoryEmployeeRepository:
    def __init__(self, store: InMemoryStore, tickets: _Rows[Ticket]) -> None:
        self.store = store
        self._rows = _Rows(store.employees)
        self._tickets = tickets

    async def get(self, employee_id: int) -> Employee:
        employee = self._rows.load(employee_id)
        if employee is None:
            raise NotFound("employee.not_found", id=employee_id)
        return employee

    async def _first(self, matches: Callable[[Employee], bool]) -> Employee | None:
        found = next((e for e in self._rows.rows() if matches(e)), None)
        return None if found is None else await self.get(found.id)

    async def by_login(self, login: str) -> Employee | None:
        return await self._first(lambda e: e.login == login)

    async def by_logins(self, logins: Sequence[str]) -> list[Employee]:
        return [await self.get(e.id) for e in self._rows.rows() if e.login in logins]

    async def by_telegram_id(self, telegram_id: int) -> Employee | None:
        return await self._first(lambda e: e.telegram_id == telegram_id)

    async def add(self, employee: Employee) -> Employee:
        employee.id = self.store.next_id("employees")
        self._rows.write(employee.id, employee)
        return employee

    async def save(self, employee: Employee) -> None:
        if self._rows.current(employee.id) is None:
            raise NotFound("employee.not_found", id=employee.id)
        self._rows.write(employee.id, employee)

    async def get_group(self, group_id: int) -> Group:
        try:
            return copy.deepcopy(self.store.groups[group_id])
        except KeyError:
            raise NotFound("group.not_found", id=group_id) from None

    async def open_ticket_count(self, employee_id: int, for_load: bool = True) -> int:
        workflow = Workflow(self.store.statuses)

        def counts(status: Status) -> bool:
            return status.counts_for_load if for_load else status.is_open

        return sum(1 for t in self._tickets.rows()
                   if t.responsible_id == employee_id and counts(workflow.get(t.status)))

    async def list(self) -> list[Employee]:  # last: the name would shadow `list` below it
        return [await self.get(i) for i in self._rows.ids()]


class InMemoryCatalogRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store

    async def workflow(self) -> Workflow:
        return Workflow(self.store.statuses)

    async def priorities(self) -> list[Priority]:
        return sorted(self.store.priorities, key=lambda p: p.position)

    async def ticket_types(self) -> list[TicketType]:
        return sorted(self.store.ticket_types, key=lambda t: t.position)

    async def desk_settings(self) -> DeskSettings:
        return self.store.settings

    async def canned_groups(self) -> list[CannedGroup]:
        return sorted(self.store.canned_groups, key=lambda g: (g.position, g.id))

    async def canned_answers(self, group_id: int | None = None) -> list[CannedAnswer]:
        answers = [a for a in self.store.canned_answers if group_id in (None, a.group_id)]
        return sorted(answers, key=lambda a: (a.position, a.id))

    async def attributes(self) -> list[AttributeDefinition]:
        return in_order(self.store.attributes)


class InMemorySetupRepository:
    """Settings edits wait as a list of changes and reach the store on commit, so a refused
    command leaves the reference lists as they were."""

    _SECONDS = {"reopen_window_seconds": "reopen_window", "auto_close_seconds": "auto_close_after"}

    def __init__(self, store: InMemoryStore, tickets: _Rows[Ticket]) -> None:
        self.store = store
        self._tickets = tickets
        self.pending: list[Callable[[], object]] = []

    def _put(self, items: list[T], item: T, same: Callable[[T], bool]) -> None:
        def put() -> None:
            at = next((i for i, old in enumerate(items) if same(old)), None)
            if at is None:
                items.append(item)
            else:
                items[at] = item

        self.pending.append(put)

    def _drop(self, items: list[T], unwanted: Callable[[T], bool]) -> None:
        def drop() -> None:
            items[:] = [i for i in items if not unwanted(i)]

        self.pending.append(drop)

    async def save_status(self, status: Status) -> None:
        self._put(self.store.statuses, status, lambda s: s.code == status.code)

    async def delete_status(self, code: str) -> None:
        self._drop(self.store.statuses, lambda s: s.code == code)

    async def save_priority(self, priority: Priority) -> None:
        self._put(self.store.priorities, priority, lambda p: p.code == priority.code)

    async def delete_priority(self, code: str) -> None:
        self._drop(self.store.priorities, lambda p: p.code == code)

    async def save_ticket_type(self, ticket_type: TicketType) -> None:
        self._put(self.store.ticket_types, ticket_type, lambda t: t.code == ticket_type.code)

    async def delete_ticket_type(self, code: str) -> None:
        self._drop(self.store.ticket_types, lambda t: t.code == code)

    async def tickets_using(self, field: str, value: object) -> int:
        return sum(1 for t in self._tickets.rows() if getattr(t, field) == value)

    async def save_canned_group(self, group: CannedGroup) -> CannedGroup:
        if not group.id:
            group = replace(group, id=self.store.next_id("canned_groups"))
        self._put(self.store.canned_groups, group, lambda g: g.id == group.id)
        return group

    async def delete_canned_group(self, group_id: int) -> None:
        self._drop(self.store.canned_groups, lambda g: g.id == group_id)
        self._drop(self.store.canned_answers, lambda a: a.group_id == group_id)

    async def save_canned_answer(self, answer: CannedAnswer) -> CannedAnswer:
        if not answer.id:
            answer = replace(answer, id=self.store.next_id("canned_answers"))
        self._put(self.store.canned_answers, answer, lambda a: a.id == answer.id)
        return answer

    async def delete_canned_answer(self, answer_id: int) -> None:
        self._drop(self.store.canned_answers, lambda a: a.id == answer_id)

    async def groups(self) -> list[Group]:
        return [copy.deepcopy(g) for _, g in sorted(self.store.groups.items())]

    async def save_group(self, group: Group) -> Group:
        row = copy.deepcopy(group)
        row.id = row.id or self.store.next_id("groups")
        self.pending.append(lambda: self.store.groups.update({row.id: row}))
        return copy.deepcopy(row)

    async def delete_group(self, group_id: int) -> None:
        self.pending.append(lambda: self.store.groups.pop(group_id, None))

    async def save_company(self, company: Company) -> Company:
        row = copy.deepcopy(company)
        row.id = row.id or self.store.next_id("companies")
        self.pending.append(lambda: self.store.companies.update({row.id: row}))
        return copy.deepcopy(row)

    async def save_settings(self, values: Mapping[str, object]) -> None:
        """Keys as storage keeps them: `*_seconds` for durations, else the field's name."""
        changes: dict[str, Any] = {}
        for key, value in values.items():
            if key in self._SECONDS:
                changes[self._SECONDS[key]] = timedelta(seconds=float(str(value)))
            else:
                changes[key] = tuple(value) if isinstance(value, list) else value
        self.pending.append(
            lambda: setattr(self.store, "settings", replace(self.store.settings, **changes)))

    async def save_attribute(self, definition: AttributeDefinition) -> None:
        self._put(self.store.attributes, definition, lambda d: d.code == definition.code)

    async def delete_attribute(self, code: str) -> None:
        self._drop(self.store.attributes, lambda d: d.code == code)

    def flush(self) -> None:
        for change in self.pending:
            change()
        self.pending.clear()

    def discard(self) -> None:
        self.pending.clear()


class InMemoryHistoryRepository:
    def __init__(self, store: InMemoryStore) -> None:
        self._log = _Log(store.history)

    async def add_many(self, entries: Sequence[HistoryEntry]) -> None:
        self._log.pending.extend(entries)

    async def for_ticket(self, ticket_id: int) -> list[HistoryEntry]:
        return [h for h in self._log.rows() if h.ticket_id == ticket_id]


class InMemoryEventLog:
    def __init__(self, store: InMemoryStore) -> None:
        self._log = _Log(store.events)

    async def add_many(self, events: Sequence[Event]) -> None:
        self._log.pending.extend(events)


class InMemoryOutbox:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self._log = _Log(store.outbox)

    async def add_many(self, messages: Sequence[OutboundMessage]) -> None:
        for message in messages:
            row = copy.deepcopy(message)
            row.id = self.store.next_id("outbox")
            self._log.pending.append(row)


class InMemoryInboundLog:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self.pending: set[InboundRef] = set()

    async def record(self, ref: InboundRef) -> bool:
        if ref in self.store.inbound or ref in self.pending:
            return False
        self.pending.add(ref)
        return True

    def check_unique(self) -> None:
        if self.pending & self.store.inbound:
            raise ConcurrentUpdate("the same update was committed by a parallel delivery")

    def flush(self) -> None:
        self.store.inbound |= self.pending
        self.pending.clear()

    def discard(self) -> None:
        self.pending.clear()


class InMemoryUnitOfWork:
    """One transaction over an `InMemoryStore`: whatever is not committed is lost on exit."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self._tickets = InMemoryTicketRepository(store)
        self._comments = InMemoryCommentRepository(store)
        self._contacts = InMemoryContactRepository(store)
        self._employees = InMemoryEmployeeRepository(store, self._tickets._rows)
        self._history = InMemoryHistoryRepository(store)
        self._events = InMemoryEventLog(store)
        self._outbox = InMemoryOutbox(store)
        self._inbound = InMemoryInboundLog(store)
        self._setup = InMemorySetupRepository(store, self._tickets._rows)
        # Typed as the ports: the protocol's attributes are settable, hence invariant.
        self.tickets: ports.TicketRepository = self._tickets
        self.comments: ports.CommentRepository = self._comments
        self.contacts: ports.ContactRepository = self._contacts
        self.employees: ports.EmployeeRepository = self._employees
        self.catalog: ports.CatalogRepository = InMemoryCatalogRepository(store)
        self.setup: ports.SetupRepository = self._setup
        self.history: ports.HistoryRepository = self._history
        self.events: ports.EventLog = self._events
        self.outbox: ports.Outbox = self._outbox
        self.inbound: ports.InboundLog = self._inbound
        self._rules = InMemoryRules(store.rules)
        self._timers = InMemoryTimers(store.rules)
        self.rules: rule_ports.RuleRepository = self._rules
        self.timers: rule_ports.TimerRepository = self._timers
        self._callbacks = InMemoryCallbacks(store.callbacks)
        self.callbacks: ports.CallbackRepository = self._callbacks

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        # Every check before anything is written: all or nothing.
        self._tickets.check_versions()
        self._contacts.check_unique()
        self._inbound.check_unique()
        self._callbacks.check_versions()
        self._tickets.flush()
        self._callbacks.flush()
        for table in self._tables():
            table.flush()
        for staged in [*self._rules.tables(), self._timers.staged]:
            staged.flush()
        self.store.commits += 1

    async def rollback(self) -> None:
        self._tickets.discard()
        self._callbacks.discard()
        for table in self._tables():
            table.discard()
        for staged in [*self._rules.tables(), self._timers.staged]:
            staged.discard()

    def _tables(
        self,
    ) -> Iterable[_Rows[Any] | _Log[Any] | InMemoryInboundLog | InMemorySetupRepository]:
        yield self._comments._rows
        yield self._contacts._rows
        yield self._employees._rows
        yield self._history._log
        yield self._events._log
        yield self._outbox._log
        yield self._inbound
        yield self._setup


ANNA, BORIS, OLGA = 1, 2, 3  # two active agents and a deactivated one
LINE1_GROUP, LINE2_GROUP = 1, 2


def seed_team(store: InMemoryStore) -> None:
    store.employees.update({
        ANNA: Employee(ANNA, "Anna Petrova", "anna", Role.ADMIN, telegram_id=1001,
                       group_ids={LINE1_GROUP}),
        BORIS: Employee(BORIS, "Boris Ivanov", "boris", telegram_id=1002,
                        group_ids={LINE2_GROUP}),
        OLGA: Employee(OLGA, "Olga Sidorova", "olga", active=False, telegram_id=1003),
    })
    store.groups.update({
        LINE1_GROUP: Group(LINE1_GROUP, "First line", {ANNA}, {ANNA}),
        LINE2_GROUP: Group(LINE2_GROUP, "Second line", {BORIS}, {BORIS}),
    })
    store.sequences.update(employees=max(store.employees), groups=max(store.groups))


def make_desk(
    *,
    statuses: Sequence[Status] = (),
    settings: DeskSettings | None = None,
    routing: Routing | None = None,
    now: datetime = START,
    attempts: int = 3,
) -> tuple[Desk, InMemoryStore, FakeClock]:
    """A desk on fakes: default catalogue plus `statuses`, the team of `seed_team`, and the
    three messengers switched on with the team chat in Telegram."""
    store = InMemoryStore(settings=settings or DeskSettings())
    store.statuses = default_statuses() + list(statuses)
    seed_team(store)
    clock = FakeClock(now)

    def new_unit_of_work() -> UnitOfWork:
        return InMemoryUnitOfWork(store)

    factory: UnitOfWorkFactory = new_unit_of_work
    port_clock: Clock = clock
    routing = routing or Routing(client_channels=frozenset({"telegram", "vk", "viber"}),
                                 agent_channel="telegram")
    return Desk(factory, port_clock, routing, attempts=attempts), store, clock
