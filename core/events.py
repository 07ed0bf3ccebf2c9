"""Domain events: what happened to a ticket, in the past tense. They become outbox messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.people import Actor


@dataclass(frozen=True)
class Event:
    ticket_id: int
    at: datetime
    actor: Actor

    @property
    def name(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class TicketOpened(Event):
    linked_from_id: int | None = None


@dataclass(frozen=True)
class CommentAdded(Event):
    comment_id: int = 0
    public: bool = True


@dataclass(frozen=True)
class StatusChanged(Event):
    old: str = ""
    new: str = ""


@dataclass(frozen=True)
class ResponsibleChanged(Event):
    old_employee_id: int | None = None
    new_employee_id: int | None = None
    old_group_id: int | None = None
    new_group_id: int | None = None


@dataclass(frozen=True)
class LineChanged(Event):
    old: int = 1
    new: int = 1


@dataclass(frozen=True)
class FieldChanged(Event):
    field_name: str = ""
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True)
class TicketRated(Event):
    score: int = 0
    comment: str | None = None


@dataclass(frozen=True)
class ColleagueMentioned(Event):
    comment_id: int = 0
    employee_ids: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SlaWarning(Event):
    """A share of an SLA target is used up (§4.6): the team hears of it before the breach."""

    target: str = ""  # reaction or resolution
    due_at: datetime | None = None
    notify_ids: tuple[int, ...] = ()  # responsible, observers, the group's notification list


@dataclass(frozen=True)
class SlaBreached(Event):
    target: str = ""
    due_at: datetime | None = None
    notify_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class TicketIdle(Event):
    """Nothing happened to the ticket for the hours an "idle" automation rule waits for."""

    rule_id: int = 0
    hours: float = 0.0


@dataclass(frozen=True)
class TeamNotified(Event):
    """An automation rule or a macro asked to tell these employees something (§6.1)."""

    text: str = ""
    employee_ids: tuple[int, ...] = ()
