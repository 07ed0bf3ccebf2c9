"""The ports the core needs from the outside world: a clock and a unit of work with its
repositories. Storage implements them with tortoise-orm; tests with in-memory fakes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from core.canned import CannedAnswer, CannedGroup
from core.catalog import DeskSettings, Priority, TicketType
from core.events import Event
from core.outbox import InboundRef, OutboundMessage
from core.people import Company, Contact, Employee, Group, Identity
from core.statuses import Workflow
from core.tickets import Comment, HistoryEntry, Ticket


class Clock(Protocol):
    def now(self) -> datetime: ...


class TicketRepository(Protocol):
    seen: list[Ticket]

    async def add(self, ticket: Ticket) -> Ticket: ...
    async def get(self, ticket_id: int) -> Ticket: ...
    async def save(self, ticket: Ticket) -> None:
        """Write the ticket if its version is still the one read, else ConcurrentUpdate."""
    async def latest_for_contact(self, contact_id: int) -> Ticket | None:
        """The client's most recent ticket that is not of an internal type."""
    async def for_contacts(self, contact_ids: Sequence[int]) -> list[Ticket]: ...


class CommentRepository(Protocol):
    async def add(self, comment: Comment) -> Comment: ...
    async def get(self, comment_id: int) -> Comment: ...
    async def for_ticket(self, ticket_id: int) -> list[Comment]: ...


class ContactRepository(Protocol):
    async def get(self, contact_id: int) -> Contact: ...
    async def by_identity(self, identity: Identity) -> Contact | None: ...
    async def add(self, contact: Contact) -> Contact: ...
    async def save(self, contact: Contact) -> None: ...
    async def related_ids(self, contact: Contact) -> list[int]:
        """Contacts sharing an e-mail, a phone or a messenger identity with this one."""
    async def get_company(self, company_id: int) -> Company: ...


class EmployeeRepository(Protocol):
    async def get(self, employee_id: int) -> Employee: ...
    async def by_login(self, login: str) -> Employee | None: ...
    async def by_logins(self, logins: Sequence[str]) -> list[Employee]: ...
    async def by_telegram_id(self, telegram_id: int) -> Employee | None: ...
    async def add(self, employee: Employee) -> Employee: ...
    async def save(self, employee: Employee) -> None: ...
    async def list(self) -> list[Employee]: ...
    async def get_group(self, group_id: int) -> Group: ...
    async def open_ticket_count(self, employee_id: int, for_load: bool = True) -> int:
        """Open-state tickets the employee is responsible for; `for_load` leaves out those
        in statuses excluded from load (§5.4)."""


class CatalogRepository(Protocol):
    async def workflow(self) -> Workflow: ...
    async def priorities(self) -> list[Priority]: ...
    async def ticket_types(self) -> list[TicketType]: ...
    async def desk_settings(self) -> DeskSettings: ...
    async def canned_groups(self) -> list[CannedGroup]: ...
    async def canned_answers(self, group_id: int | None = None) -> list[CannedAnswer]: ...


class HistoryRepository(Protocol):
    async def add_many(self, entries: Sequence[HistoryEntry]) -> None: ...
    async def for_ticket(self, ticket_id: int) -> list[HistoryEntry]: ...


class EventLog(Protocol):
    async def add_many(self, events: Sequence[Event]) -> None: ...


class Outbox(Protocol):
    async def add_many(self, messages: Sequence[OutboundMessage]) -> None: ...


class InboundLog(Protocol):
    async def record(self, ref: InboundRef) -> bool:
        """Remember a platform update as handled; False if it already was (a re-delivery)."""


class UnitOfWork(Protocol):
    tickets: TicketRepository
    comments: CommentRepository
    contacts: ContactRepository
    employees: EmployeeRepository
    catalog: CatalogRepository
    history: HistoryRepository
    events: EventLog
    outbox: Outbox
    inbound: InboundLog

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
