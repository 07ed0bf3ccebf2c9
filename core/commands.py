"""Commands: every entry point (bot update, panel form, API call, timer) builds one of these
and hands it to `Desk.handle`. Names are imperative."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.names import Names
from core.tickets import Attachment

if TYPE_CHECKING:
    from core.rule_admin import Rule


@dataclass(frozen=True)
class Command:
    pass


# --- clients ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClientWrites(Command):
    """A client sent a message in a messenger (or a mail): it joins, reopens or opens a
    ticket (§3.3-3.4). A mail names its thread: `ticket_id` (the ticket it answers, taken
    only when it is the writer's), or `new_thread` (it answers nothing: a new ticket);
    `email` finds the person known by that address (§8.2), `subject` names a new ticket."""

    channel: str
    external_id: str
    name: str
    text: str
    attachments: tuple[Attachment, ...] = ()
    language: str | None = None
    phone: str | None = None
    email: str | None = None
    ticket_id: int | None = None
    new_thread: bool = False
    subject: str | None = None


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
    attributes: tuple[tuple[str, object], ...] = ()  # custom attributes: (code, value)


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
class LinkContacts(Command):
    """`/link N` in a ticket's topic: the person of ticket N is the person of this ticket
    (§8.2). The older contact stays and takes over the other's addresses and tickets."""

    ticket_id: int
    employee_id: int
    other_ticket_id: int


@dataclass(frozen=True)
class AddObserver(Command):
    ticket_id: int
    employee_id: int
    observer_id: int


@dataclass(frozen=True)
class RemoveObserver(Command):
    """§5.3: an employee stops following a ticket (themselves, as a rule)."""

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


# --- rules and timers (docs/DOMAIN.md §2.5, §4, §6) ----------------------------------------------
@dataclass(frozen=True)
class FireTimer(Command):
    """A timer fell due (the timer worker claimed it): act on it, once."""

    timer_id: int


@dataclass(frozen=True)
class ApplyMacro(Command):
    """`/macro NAME` in a ticket's topic: the macro's actions, as this agent (§6.2)."""

    ticket_id: int
    employee_id: int
    name: str


@dataclass(frozen=True)
class ArmRecurringSchedules(Command):
    """Give every enabled recurring schedule one timer at its next run (§6.3)."""


@dataclass(frozen=True)
class SaveRule(Command):
    """An administrator saves a calendar, an SLA, routing or automation rule, a macro or a
    recurring schedule (id 0: a new one); its table follows from its type."""

    employee_id: int
    rule: Rule


@dataclass(frozen=True)
class DeleteRule(Command):
    employee_id: int
    kind: str  # calendars, sla, routing, automation, macros, schedules
    rule_id: int


@dataclass(frozen=True)
class SaveNoticeTemplate(Command):
    """The text of a client notice or a team notification (§7); empty removes it."""

    employee_id: int
    key: str  # client.status.<code>, client.ticket_opened, agents.<kind>
    body: str


@dataclass(frozen=True)
class SetEmployeeRole(Command):
    """An administrator changes someone's role; the last active administrator stays one."""

    employee_id: int  # who does it
    target_id: int
    role: str


@dataclass(frozen=True)
class SetEmployeePassword(Command):
    """Store a new panel password hash (hashed by the adapter: the core never sees the
    password). `actor_id` is the employee or administrator doing it; None for the CLI."""

    employee_id: int
    password_hash: str | None
    actor_id: int | None = None


# --- settings (docs/DOMAIN.md §2.3, §3.6, §8.2, §9.2, §9.5): administrators only ---------------
@dataclass(frozen=True)
class SaveStatus(Command):
    """Create a custom status, or edit any status; a system one keeps its code and state."""

    employee_id: int
    code: str
    name: str
    state: str = "open"
    pauses_sla: bool = False
    excluded_from_load: bool = False
    color: str = "#888888"
    notify_client: bool = True
    names: Names = Names()  # the name in other languages


@dataclass(frozen=True)
class DeleteStatus(Command):
    employee_id: int
    code: str


@dataclass(frozen=True)
class SavePriority(Command):
    employee_id: int
    code: str
    name: str
    color: str = "#888888"
    names: Names = Names()  # the name in other languages


@dataclass(frozen=True)
class DeletePriority(Command):
    employee_id: int
    code: str


@dataclass(frozen=True)
class SaveTicketType(Command):
    employee_id: int
    code: str
    name: str
    internal: bool = False
    names: Names = Names()  # the name in other languages


@dataclass(frozen=True)
class DeleteTicketType(Command):
    employee_id: int
    code: str


@dataclass(frozen=True)
class MoveItem(Command):
    """Move a row of an ordered list one place up or down."""

    employee_id: int
    kind: str  # statuses, priorities, types, canned_groups, canned_answers, sla, routing, ...
    key: str
    up: bool


@dataclass(frozen=True)
class SaveCannedGroup(Command):
    employee_id: int
    group_id: int  # 0: a new group
    name: str
    names: Names = Names()  # the name in other languages


@dataclass(frozen=True)
class DeleteCannedGroup(Command):
    employee_id: int
    group_id: int


@dataclass(frozen=True)
class SaveCannedAnswer(Command):
    employee_id: int
    answer_id: int  # 0: a new answer
    group_id: int
    title: str
    body: str
    names: Names = Names()  # the name in other languages


@dataclass(frozen=True)
class DeleteCannedAnswer(Command):
    employee_id: int
    answer_id: int


@dataclass(frozen=True)
class SaveGroup(Command):
    employee_id: int
    group_id: int  # 0: a new group
    name: str
    member_ids: tuple[int, ...] = ()
    notify_ids: tuple[int, ...] = ()
    names: Names = Names()  # the name in other languages
    telegram_chat_id: int | None = None  # its own agents' forum; None: the desk's


@dataclass(frozen=True)
class DeleteGroup(Command):
    employee_id: int
    group_id: int


@dataclass(frozen=True)
class SaveCompany(Command):
    employee_id: int
    company_id: int  # 0: a new company
    name: str
    category: str = "Client"
    manager_id: int | None = None
    email_domain: str | None = None


@dataclass(frozen=True)
class SaveContact(Command):
    employee_id: int
    contact_id: int  # 0: a new contact
    name: str
    phone: str | None = None
    email: str | None = None
    company_id: int | None = None
    manager_id: int | None = None


@dataclass(frozen=True)
class SetCompanyCategories(Command):
    employee_id: int
    names: tuple[str, ...]


@dataclass(frozen=True)
class SetDeskSettings(Command):
    """Reopen window (§3.4), auto-close timeout (§2.6), default priority, whether leads see
    reports (§9.1)."""

    employee_id: int
    reopen_window_seconds: int
    auto_close_seconds: int
    default_priority: str = "normal"
    leads_see_reports: bool = True


# --- custom ticket attributes (docs/DOMAIN.md §9.5) ---------------------------------------------
@dataclass(frozen=True)
class SaveAttribute(Command):
    """Define a custom attribute, or edit one (its code stays)."""

    employee_id: int
    code: str
    name: str
    kind: str = "text"  # text, number, date, list
    options: tuple[str, ...] = ()
    visible_to: tuple[str, ...] = ("admin", "lead", "specialist")
    required: bool = False
    enabled: bool = True


@dataclass(frozen=True)
class DeleteAttribute(Command):
    employee_id: int
    code: str


@dataclass(frozen=True)
class SetTicketAttributes(Command):
    """Several custom attributes at once, all or none (the API's update)."""

    ticket_id: int
    employee_id: int
    values: tuple[tuple[str, object], ...]


# --- the call-back queue (docs/DOMAIN.md §10) ---------------------------------------------------
@dataclass(frozen=True)
class RegisterCallback(Command):
    """A request from the web call-back form (no employee) or the API (the caller)."""

    name: str
    phone: str
    comment: str = ""
    employee_id: int | None = None


@dataclass(frozen=True)
class OpenCallback(Command):
    """Open the processing window: the employee holds the request; a lock older than
    `stale_after` may be taken over."""

    request_id: int
    employee_id: int
    stale_after: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class ReleaseCallback(Command):
    """Close the window unfinished: the request is New again."""

    request_id: int
    employee_id: int


@dataclass(frozen=True)
class MarkCallbackProcessed(Command):
    request_id: int
    employee_id: int


@dataclass(frozen=True)
class PostponeCallback(Command):
    request_id: int
    employee_id: int
    until: datetime
