"""The ticket aggregate: every change to a ticket goes through its methods, which check the
rules, write the audit history and record the events (docs/DOMAIN.md §1-§3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from core import events as ev
from core.errors import AlreadyTaken, InvalidInput, TransitionRefused
from core.people import Actor
from core.statuses import CLOSED, ON_HOLD, OPEN, RESOLVED, Workflow


class Channel(StrEnum):
    TELEGRAM = "telegram"
    VK = "vk"
    VIBER = "viber"
    AGENT = "agent"  # created by hand by an employee
    EMAIL = "email"
    WEB = "web"

    @property
    def is_messenger(self) -> bool:
        return self in (Channel.TELEGRAM, Channel.VK, Channel.VIBER)


@dataclass(frozen=True)
class Attachment:
    """A reference to a file kept by the channel (file id) or by our storage."""

    kind: str  # photo, document, voice, video, sticker, audio
    ref: str
    name: str | None = None
    mime_type: str | None = None
    size: int | None = None


@dataclass
class Comment:
    ticket_id: int
    author: Actor
    body: str
    public: bool
    channel: str
    created_at: datetime
    attachments: tuple[Attachment, ...] = ()
    id: int = 0
    delivery: str = "pending"  # pending, sent, failed, n/a


@dataclass(frozen=True)
class HistoryEntry:
    ticket_id: int
    at: datetime
    actor: Actor
    field: str
    old: str | None
    new: str | None


def _s(value: object) -> str | None:
    return None if value is None else str(value)


MAX_HOLD = timedelta(days=366)  # the furthest a ticket may be put on hold


def _resume_at(until: datetime | None, at: datetime) -> datetime:
    if until is None:
        raise InvalidInput("hold.no_date")
    if until <= at:
        raise InvalidInput("hold.in_past")
    if until - at > MAX_HOLD:  # surely a typo (2062 for 2026): nobody hears of it for years
        raise InvalidInput("hold.too_far")
    return until


@dataclass
class Ticket:
    subject: str
    channel: str
    contact_id: int
    created_at: datetime
    status: str = OPEN
    priority: str = "normal"
    type_code: str | None = None
    line: int = 1
    responsible_id: int | None = None
    group_id: int | None = None
    observer_ids: set[int] = field(default_factory=set)
    observer_group_ids: set[int] = field(default_factory=set)
    attributes: dict[str, Any] = field(default_factory=dict)
    on_hold_until: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    linked_from_id: int | None = None
    line1_responsible_id: int | None = None
    rating: int | None = None
    rating_comment: str | None = None
    planned_reaction_at: datetime | None = None
    planned_resolution_at: datetime | None = None
    resolution_set_by_hand: bool = False
    reacted_at: datetime | None = None  # §4.1: first public agent comment or status change
    id: int = 0
    version: int = 0
    events: list[ev.Event] = field(default_factory=list, repr=False, compare=False)
    history: list[HistoryEntry] = field(default_factory=list, repr=False, compare=False)

    @property
    def number(self) -> int:
        return self.id

    # --- recording -------------------------------------------------------------------------
    def _log(self, at: datetime, actor: Actor, name: str, old: object, new: object) -> None:
        self.history.append(HistoryEntry(self.id, at, actor, name, _s(old), _s(new)))

    def opened(self, actor: Actor, at: datetime) -> None:
        """Record the registration; call once the ticket has its id."""
        self._log(at, actor, "status", None, self.status)
        if self.linked_from_id:
            self._log(at, actor, "linked_from", None, self.linked_from_id)
        self.events.append(ev.TicketOpened(self.id, at, actor, self.linked_from_id))

    def comment_added(self, comment: Comment) -> None:
        self.events.append(
            ev.CommentAdded(self.id, comment.created_at, comment.author, comment.id, comment.public)
        )

    # --- status ----------------------------------------------------------------------------
    def change_status(
        self,
        workflow: Workflow,
        new: str,
        actor: Actor,
        at: datetime,
        *,
        until: datetime | None = None,
        reopen_window: timedelta | None = None,
    ) -> None:
        if new == ON_HOLD and self.status == ON_HOLD:
            self._hold_until(_resume_at(until, at), actor, at)
            return
        target = workflow.check(self.status, new)
        if not self.can_reopen(at, reopen_window):
            raise TransitionRefused("ticket.closed_for_good", number=self.number)
        if new == ON_HOLD:
            until = _resume_at(until, at)
        old = self.status
        self.status = new
        self.on_hold_until = until if new == ON_HOLD else None
        if new == RESOLVED:
            self.resolved_at = at
        if target.closes:
            self.closed_at = at
        if target.is_open:
            self.resolved_at = None
            self.closed_at = None
        self._log(at, actor, "status", old, new)
        if new == ON_HOLD:
            self._log(at, actor, "on_hold_until", None, until.isoformat() if until else None)
        self.events.append(ev.StatusChanged(self.id, at, actor, old, new))

    def _hold_until(self, until: datetime, actor: Actor, at: datetime) -> None:
        """§2.5: a ticket on hold gets another resume time without leaving On hold, so its
        SLA pause goes on; the resume timer follows the field change."""
        old = self.on_hold_until
        if old == until:
            return
        self.on_hold_until = until
        self._log(at, actor, "on_hold_until", old.isoformat() if old else None,
                  until.isoformat())
        self.events.append(ev.FieldChanged(self.id, at, actor, "on_hold_until",
                                           old.isoformat() if old else None, until.isoformat()))

    def can_reopen(self, at: datetime, window: timedelta | None) -> bool:
        """§3.4: a closed ticket (Closed, or a custom closed-state status, which stamps
        closed_at too) reopens only inside the window; window 0 means never."""
        if self.status != CLOSED and self.closed_at is None:
            return True
        if window is None or window <= timedelta(0) or self.closed_at is None:
            return False
        return at - self.closed_at <= window

    # --- responsibility and lines ------------------------------------------------------------
    def assign(
        self, employee_id: int | None, actor: Actor, at: datetime, group_id: int | None = None
    ) -> None:
        if (employee_id, group_id) == (self.responsible_id, self.group_id):
            return
        old_e, old_g = self.responsible_id, self.group_id
        self.responsible_id, self.group_id = employee_id, group_id
        self._log(at, actor, "responsible", old_e, employee_id)
        if old_g != group_id:
            self._log(at, actor, "group", old_g, group_id)
        self.events.append(ev.ResponsibleChanged(self.id, at, actor, old_e, employee_id,
                                                 old_g, group_id))

    def take(self, employee_id: int, at: datetime, taken_by_name: str | None = None) -> None:
        if self.responsible_id == employee_id:
            raise AlreadyTaken("ticket.already_yours", number=self.number)
        if self.responsible_id is not None:
            who = taken_by_name or f"employee {self.responsible_id}"
            raise AlreadyTaken("ticket.taken", number=self.number, who=who)
        self.assign(employee_id, Actor.employee(employee_id), at, self.group_id)

    def escalate(self, actor: Actor, at: datetime, group_id: int | None = None) -> None:
        if self.line == 2:
            raise TransitionRefused("ticket.on_second_line", number=self.number)
        self.line1_responsible_id = self.responsible_id
        self._set_line(2, actor, at)
        self.assign(None, actor, at, group_id if group_id is not None else self.group_id)

    def deescalate(self, actor: Actor, at: datetime,
                   saved_history: Sequence[HistoryEntry] = ()) -> None:
        """§1.4: back to the first line, to the agent and group that had the ticket before
        it went to the second line. `saved_history` is what the history table holds (the
        group before the escalation is read from it)."""
        if self.line == 1:
            raise TransitionRefused("ticket.on_first_line", number=self.number)
        group_id = self._group_before_escalation([*saved_history, *self.history])
        self._set_line(1, actor, at)
        self.assign(self.line1_responsible_id, actor, at, group_id)
        self.line1_responsible_id = None

    def _group_before_escalation(self, history: Sequence[HistoryEntry]) -> int | None:
        """The first group change after the last escalation started from that group (the
        escalation's own, or a later reassignment); with none, the group never moved."""
        escalations = [i for i, h in enumerate(history) if h.field == "line" and h.new == "2"]
        if not escalations:
            return self.group_id
        for entry in history[escalations[-1]:]:
            if entry.field == "group":
                return None if entry.old is None else int(entry.old)
        return self.group_id

    def _set_line(self, line: int, actor: Actor, at: datetime) -> None:
        old, self.line = self.line, line
        self._log(at, actor, "line", old, line)
        self.events.append(ev.LineChanged(self.id, at, actor, old, line))

    # --- fields ----------------------------------------------------------------------------
    def set_field(self, name: str, value: Any, actor: Actor, at: datetime) -> None:
        """Set priority, type_code, subject or a custom attribute (`attr:<code>`)."""
        if name.startswith("attr:"):
            code = name[5:]
            old = self.attributes.get(code)
            if old == value:
                return
            self.attributes[code] = value
        elif name in ("priority", "type_code", "subject", "planned_resolution_at"):
            old = getattr(self, name)
            if old == value:
                return
            setattr(self, name, value)
        else:
            raise InvalidInput("ticket.unknown_field", field=name)
        self._log(at, actor, name, old, value)
        self.events.append(ev.FieldChanged(self.id, at, actor, name, _s(old), _s(value)))

    def set_planned_resolution(self, when: datetime, actor: Actor, at: datetime) -> None:
        self.set_field("planned_resolution_at", when, actor, at)
        self.resolution_set_by_hand = True

    def add_observer(self, employee_id: int, actor: Actor, at: datetime) -> None:
        if employee_id in self.observer_ids:
            return
        self.observer_ids.add(employee_id)
        self._log(at, actor, "observer", None, employee_id)

    def remove_observer(self, employee_id: int, actor: Actor, at: datetime) -> None:
        if employee_id not in self.observer_ids:
            return
        self.observer_ids.discard(employee_id)
        self._log(at, actor, "observer", employee_id, None)

    def add_observer_group(self, group_id: int, actor: Actor, at: datetime) -> None:
        if group_id in self.observer_group_ids:
            return
        self.observer_group_ids.add(group_id)
        self._log(at, actor, "observer_group", None, group_id)

    def link_contact(self, absorbed_id: int, keeper_id: int, actor: Actor, at: datetime) -> None:
        """§8.2: the contact `absorbed_id` is now part of `keeper_id` (one person); its
        tickets move to the keeper, and the others note the link."""
        if self.contact_id == absorbed_id:
            self.contact_id = keeper_id
            self._log(at, actor, "contact", absorbed_id, keeper_id)
        else:
            self._log(at, actor, "linked_contact", None, absorbed_id)

    def rate(self, score: int, comment: str | None, actor: Actor, at: datetime) -> None:
        if not 1 <= score <= 5:
            raise InvalidInput("rating.range")
        if self.status not in (RESOLVED, CLOSED):
            raise TransitionRefused("rating.not_resolved", number=self.number)
        old = self.rating
        self.rating, self.rating_comment = score, comment
        self._log(at, actor, "rating", old, score)
        self.events.append(ev.TicketRated(self.id, at, actor, score, comment))

    def mention(self, comment_id: int, employee_ids: tuple[int, ...], actor: Actor,
                at: datetime) -> None:
        for employee_id in employee_ids:
            self.add_observer(employee_id, actor, at)
        self.events.append(ev.ColleagueMentioned(self.id, at, actor, comment_id, employee_ids))
