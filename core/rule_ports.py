"""Ports for the desk's rules (calendars, SLA, routing, automation, macros, recurring
schedules, notice templates) and its timers; part of the unit of work (core/ports.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from core.automation import AutomationRule, Macro
from core.recurring import RecurringSchedule
from core.routing import RoutingRule
from core.sla import ServiceCalendar, SlaRule
from core.timers import Timer

T = TypeVar("T")


class RuleTable(Protocol[T]):
    """One table an administrator edits; rows have an `id` (0 when new)."""

    async def all(self) -> list[T]:
        """In table order (position, then id)."""
    async def get(self, item_id: int) -> T: ...
    async def save(self, item: T) -> T:
        """Insert (id 0) or replace; returns the row with its id."""
    async def delete(self, item_id: int) -> None: ...


class NoticeTemplates(Protocol):
    """Admin-edited texts by key (§7.1-7.2), e.g. "client.status.resolved",
    "agents.sla_breached"; rendered outside the core."""

    async def all(self) -> dict[str, str]: ...
    async def get(self, key: str) -> str | None: ...
    async def save(self, key: str, body: str) -> None: ...
    async def delete(self, key: str) -> None: ...


class RuleRepository(Protocol):
    @property
    def calendars(self) -> RuleTable[ServiceCalendar]: ...
    @property
    def sla(self) -> RuleTable[SlaRule]: ...
    @property
    def routing(self) -> RuleTable[RoutingRule]: ...
    @property
    def automation(self) -> RuleTable[AutomationRule]: ...
    @property
    def macros(self) -> RuleTable[Macro]: ...
    @property
    def schedules(self) -> RuleTable[RecurringSchedule]: ...
    @property
    def notices(self) -> NoticeTemplates: ...

    async def last_assignee(self, group_id: int) -> int | None:
        """Round-robin memory: who the group gave its last ticket to."""
    async def note_assignee(self, group_id: int, employee_id: int) -> None: ...


class TimerRepository(Protocol):
    async def schedule(self, timer: Timer) -> None:
        """Arm a timer, replacing the pending one with the same key (ticket, kind, ref)."""
    async def cancel(
        self, ticket_id: int | None, kinds: Sequence[str], ref_id: int | None = None
    ) -> None:
        """Drop pending timers of these kinds (any ref when `ref_id` is None)."""
    async def complete(self, timer_id: int) -> Timer | None:
        """Mark a pending timer done; None if it is not pending any more (fired by another
        worker, or cancelled). Exactly one transaction can complete a timer."""
    async def pending(
        self, *, ticket_id: int | None = None, kind: str | None = None
    ) -> list[Timer]:
        """Pending timers, by due time; a None filter matches anything."""
