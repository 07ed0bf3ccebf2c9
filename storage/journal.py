"""What a unit of work in a write-behind batch wrote (`storage.write_behind`), and the small
helpers for it: copies of tickets and contacts, and timers kept in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.events import Event
from core.outbox import InboundRef, OutboundMessage
from core.people import Contact
from core.tickets import Comment, HistoryEntry, Ticket
from core.timers import Timer

TimerKey = tuple[int | None, tuple[str, ...], int | None]  # ticket, kinds, rule (None: any)


@dataclass
class Journal:
    """What one unit of work wrote, kept until it commits (into the batch's buffers) or rolls
    back (forgotten). The objects are the unit's own copies. The batch's buffers are a Journal
    too, whose timers are those armed on tickets still new and whose `cancelled` keys are
    deleted from the database at the flush."""

    tickets: dict[int, Ticket] = field(default_factory=dict)  # added or saved
    base_versions: dict[int, int] = field(default_factory=dict)  # what the change started from
    new_tickets: set[int] = field(default_factory=set)
    contacts: dict[int, Contact] = field(default_factory=dict)  # added or saved
    new_contacts: set[int] = field(default_factory=set)
    comments: list[Comment] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    outbox: list[OutboundMessage] = field(default_factory=list)
    inbound: list[InboundRef] = field(default_factory=list)  # updates recorded
    timer_ops: list[tuple[str, Any]] = field(default_factory=list)  # ("arm"|"cancel", ...)
    timers: list[Timer] = field(default_factory=list)
    cancelled: list[TimerKey] = field(default_factory=list)
    allocated: dict[str, list[int]] = field(default_factory=dict)  # ids it took, per table
    flushed_through: bool = False  # some of it reached the database: a rollback can't undo it


def clone(obj: Any) -> Any:
    """A copy of a ticket or contact whose containers are its own (their items are frozen)."""
    copy = object.__new__(type(obj))
    values = copy.__dict__
    values.update(obj.__dict__)
    for name, value in values.items():
        if type(value) in _CONTAINERS:
            values[name] = type(value)(value)
    return copy


_CONTAINERS = (list, set, dict)


def timer_matches(key: TimerKey, timer: Timer) -> bool:
    ticket_id, kinds, ref_id = key
    return (timer.ticket_id == ticket_id and timer.kind in kinds
            and (ref_id is None or timer.ref_id == ref_id))


def merge_timers(armed: list[Timer], more: list[Timer]) -> list[Timer]:
    """Timers armed later replace those of the same key (ticket, kind and rule)."""
    for timer in more:
        armed = [t for t in armed if (t.ticket_id, t.kind, t.ref_id)
                 != (timer.ticket_id, timer.kind, timer.ref_id)] + [timer]
    return armed
