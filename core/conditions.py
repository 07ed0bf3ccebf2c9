"""The "if" part shared by SLA, routing and automation rules: conditions on a ticket's fields,
its client and the time it was registered (docs/DOMAIN.md §4.3, §5.1, §6.1)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from core.tickets import Ticket

ALL_WEEKDAYS = frozenset(range(7))


@dataclass(frozen=True)
class TimeWindow:
    """Wall-clock hours on some weekdays (0 = Monday), e.g. nights 18:00-09:00 or weekends.
    `end <= start` wraps past midnight (the small hours belong to the day the night began);
    `start == end` is the whole day. Without a zone, the rule's own zone applies (the SLA
    rule's calendar, else UTC)."""

    weekdays: frozenset[int] = ALL_WEEKDAYS
    start: time = time(0)
    end: time = time(0)
    timezone: str | None = None

    def contains(self, at: datetime, default_zone: str = "UTC") -> bool:
        local = at.astimezone(ZoneInfo(self.timezone or default_zone))
        wall, weekday = local.time().replace(tzinfo=None), local.weekday()
        if self.start == self.end:
            return weekday in self.weekdays
        if self.start < self.end:
            return weekday in self.weekdays and self.start <= wall < self.end
        if wall >= self.start:
            return weekday in self.weekdays
        return wall < self.end and (weekday - 1) % 7 in self.weekdays


@dataclass(frozen=True)
class TicketFacts:
    """A ticket with what rules ask about its client."""

    ticket: Ticket
    company_id: int | None = None
    category: str | None = None  # the company's category (§8.2); None without a company


@dataclass(frozen=True)
class Conditions:
    """Every non-empty condition must hold; inside one, any listed value will do. Empty
    conditions match every ticket."""

    types: frozenset[str] = frozenset()
    priorities: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    company_ids: frozenset[int] = frozenset()
    statuses: frozenset[str] = frozenset()
    lines: frozenset[int] = frozenset()
    # custom list attributes: code -> accepted values
    attributes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    registered: TimeWindow | None = None

    def matches(self, facts: TicketFacts, zone: str = "UTC") -> bool:
        ticket = facts.ticket
        checks = (
            (self.types, ticket.type_code),
            (self.priorities, ticket.priority),
            (self.channels, ticket.channel),
            (self.categories, facts.category),
            (self.company_ids, facts.company_id),
            (self.statuses, ticket.status),
            (self.lines, ticket.line),
        )
        if any(allowed and value not in allowed for allowed, value in checks):
            return False
        for code, accepted in self.attributes.items():
            value = ticket.attributes.get(code)
            chosen = value if isinstance(value, list | tuple | set) else [value]
            if not any(str(v) in accepted for v in chosen if v is not None):
                return False
        return self.registered is None or self.registered.contains(ticket.created_at, zone)


class Ranked(Protocol):
    """A row of a rules table: checked in `position` order, skipped when disabled."""

    @property
    def id(self) -> int: ...
    @property
    def position(self) -> int: ...
    @property
    def enabled(self) -> bool: ...


R = TypeVar("R", bound=Ranked)


def in_order(rules: Iterable[R]) -> list[R]:
    return sorted(rules, key=lambda r: (r.position, r.id))


def first_match(rules: Iterable[R], accepts: Callable[[R], bool]) -> R | None:
    """§4.3, §5.1: top to bottom, the first enabled rule that accepts wins."""
    return next((r for r in in_order(rules) if r.enabled and accepts(r)), None)
