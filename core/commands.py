"""Commands: every entry point (bot update, panel form, API call, timer) builds one of these
and hands it to `Desk.handle`. Names are imperative."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.tickets import Attachment


@dataclass(frozen=True)
class Command:
    pass


# --- clients ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClientWrites(Command):
    """A client sent a message in a messenger: it joins, reopens or opens a ticket (§3.3-3.4)."""

    channel: str
    external_id: str
    name: str
    text: str
    attachments: tuple[Attachment, ...] = ()
    language: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class ClientStartsNewTicket(Command):
    """`/new`: the client's next message opens a new ticket even if one is open."""

    contact_id: int


@dataclass(frozen=True)
class ClientPicksTicket(Command):
    contact_id: int
    ticket_id: int


@dataclass(frozen=True)
class ClientClosesTicket(Command):
    """The client closes a ticket, or confirms a resolution (Resolved -> Closed)."""

    contact_id: int
    ticket_id: int


@dataclass(frozen=True)
class ClientReopensTicket(Command):
    contact_id: int
    ticket_id: int


@dataclass(frozen=True)
class ClientRatesTicket(Command):
    contact_id: int
    ticket_id: int
    score: int
    comment: str | None = None


# --- employees ----------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenTicketForClient(Command):
    """An agent registers a ticket by hand (phone call, walk-in) for a contact."""

    employee_id: int
    contact_id: int
    subject: str
    text: str = ""
    type_code: str | None = None
    priority: str | None = None


@dataclass(frozen=True)
class AddAgentReply(Command):
    """A public answer. `resolve=True` is "Send and resolve" (§3.2)."""

    ticket_id: int
    employee_id: int
    text: str
    attachments: tuple[Attachment, ...] = ()
    resolve: bool = False
    origin: str = "panel"  # where it was written: panel, api, telegram


@dataclass(frozen=True)
class AddPrivateNote(Command):
    ticket_id: int
    employee_id: int
    text: str
    attachments: tuple[Attachment, ...] = ()
    origin: str = "panel"


@dataclass(frozen=True)
class TakeTicket(Command):
    ticket_id: int
    employee_id: int


@dataclass(frozen=True)
class AssignTicket(Command):
    ticket_id: int
    employee_id: int  # who does it
    responsible_id: int | None
    group_id: int | None = None


@dataclass(frozen=True)
class Escalate(Command):
    ticket_id: int
    employee_id: int
    group_id: int | None = None


@dataclass(frozen=True)
class Deescalate(Command):
    ticket_id: int
    employee_id: int


@dataclass(frozen=True)
class ChangeStatus(Command):
    """`employee_id=None` means the system (a timer or an automation rule)."""

    ticket_id: int
    employee_id: int | None
    status: str
    until: datetime | None = None


@dataclass(frozen=True)
class SetTicketField(Command):
    """priority, type_code, subject, planned_resolution_at or `attr:<code>`."""

    ticket_id: int
    employee_id: int
    field: str
    value: Any


@dataclass(frozen=True)
class AddObserver(Command):
    ticket_id: int
    employee_id: int
    observer_id: int


# --- team ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class AddEmployee(Command):
    name: str
    login: str
    role: str
    telegram_id: int | None = None
    password_hash: str | None = None


@dataclass(frozen=True)
class SetEmployeeActive(Command):
    """Deactivate (or reactivate) an account; refused while it is responsible for open
    tickets (§9.1)."""

    employee_id: int
    active: bool


@dataclass(frozen=True)
class LinkTelegram(Command):
    employee_id: int
    telegram_id: int | None
