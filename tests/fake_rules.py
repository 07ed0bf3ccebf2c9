"""In-memory rule tables and timers (core/rule_ports.py), transactional like the rest of
tests/fakes.py: a unit of work sees its own writes, and they stick only on commit."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from core.automation import AutomationRule, Macro, default_rules
from core.commands import FireTimer
from core.errors import NotFound
from core.recurring import RecurringSchedule
from core.routing import RoutingRule
from core.services import Desk
from core.sla import ServiceCalendar, SlaRule
from core.timers import Timer

T = TypeVar("T")


@dataclass
class RuleStore:
    """The committed rule rows and timers of one test's "database"."""

    calendars: dict[int, ServiceCalendar] = field(default_factory=dict)
    sla: dict[int, SlaRule] = field(default_factory=dict)
    routing: dict[int, RoutingRule] = field(default_factory=dict)
    automation: dict[int, AutomationRule] = field(
        default_factory=lambda: {r.id: r for r in default_rules()})
    macros: dict[int, Macro] = field(default_factory=dict)
    schedules: dict[int, RecurringSchedule] = field(default_factory=dict)
    notices: dict[str, str] = field(default_factory=dict)
    rotation: dict[int, int] = field(default_factory=dict)
    timers: dict[int, TimerRow] = field(default_factory=dict)
    sequence: int = 100  # ids the tables hand out (the seeded defaults use 1, 2, ...)

    def next_id(self) -> int:
        self.sequence += 1
        return self.sequence


@dataclass
class TimerRow:
    timer: Timer
    state: str = "pending"  # pending, done


class _Staged(Generic[T]):
    """A dict table inside a transaction: copied on first read, written back row by row.
    Rows are never changed in place (frozen dataclasses, or replaced whole), so a shallow
    copy isolates transactions."""

    def __init__(self, committed: Callable[[], dict[Any, T]]) -> None:
        self._committed = committed
        self._working: dict[Any, T] | None = None
        self._touched: set[Any] = set()

    @property
    def rows(self) -> dict[Any, T]:
        if self._working is None:
            self._working = dict(self._committed())
        return self._working

    def put(self, key: Any, row: T) -> None:
        self.rows[key] = row
        self._touched.add(key)

    def drop(self, key: Any) -> None:
        self.rows.pop(key, None)
        self._touched.add(key)

    def flush(self) -> None:
        committed = self._committed()
        for key in self._touched:
            if self._working is not None and key in self._working:
                committed[key] = self._working[key]
            else:
                committed.pop(key, None)
        self.discard()

    def discard(self) -> None:
        self._working, self._touched = None, set()


class InMemoryRuleTable(Generic[T]):
    def __init__(self, store: RuleStore, name: str) -> None:
        self.store = store
        self.staged: _Staged[T] = _Staged(lambda: getattr(store, name))

    async def all(self) -> list[T]:
        rows = list(self.staged.rows.values())
        return sorted(rows, key=lambda r: (getattr(r, "position", 0), getattr(r, "id", 0)))

    async def get(self, item_id: int) -> T:
        try:
            return self.staged.rows[item_id]
        except KeyError:
            raise NotFound("rules.not_found", table="rule", id=item_id) from None

    async def save(self, item: T) -> T:
        if getattr(item, "id", 0) == 0:
            item = dataclasses.replace(item, id=self.store.next_id())  # type: ignore[type-var]
        self.staged.put(getattr(item, "id"), item)  # noqa: B009
        return item

    async def delete(self, item_id: int) -> None:
        self.staged.drop(item_id)


class InMemoryNotices:
    def __init__(self, store: RuleStore) -> None:
        self.staged: _Staged[str] = _Staged(lambda: store.notices)

    async def all(self) -> dict[str, str]:
        return dict(self.staged.rows)

    async def get(self, key: str) -> str | None:
        return self.staged.rows.get(key)

    async def save(self, key: str, body: str) -> None:
        self.staged.put(key, body)

    async def delete(self, key: str) -> None:
        self.staged.drop(key)


class InMemoryRules:
    def __init__(self, store: RuleStore) -> None:
        self.calendars: InMemoryRuleTable[ServiceCalendar] = InMemoryRuleTable(store, "calendars")
        self.sla: InMemoryRuleTable[SlaRule] = InMemoryRuleTable(store, "sla")
        self.routing: InMemoryRuleTable[RoutingRule] = InMemoryRuleTable(store, "routing")
        self.automation: InMemoryRuleTable[AutomationRule] = InMemoryRuleTable(
            store, "automation")
        self.macros: InMemoryRuleTable[Macro] = InMemoryRuleTable(store, "macros")
        self.schedules: InMemoryRuleTable[RecurringSchedule] = InMemoryRuleTable(
            store, "schedules")
        self.notices = InMemoryNotices(store)
        self._rotation: _Staged[int] = _Staged(lambda: store.rotation)

    async def last_assignee(self, group_id: int) -> int | None:
        return self._rotation.rows.get(group_id)

    async def note_assignee(self, group_id: int, employee_id: int) -> None:
        self._rotation.put(group_id, employee_id)

    def tables(self) -> list[_Staged[Any]]:
        tables: list[_Staged[Any]] = [
            t.staged for t in (self.calendars, self.sla, self.routing, self.automation,
                               self.macros, self.schedules)]
        return [*tables, self.notices.staged, self._rotation]


class InMemoryTimers:
    def __init__(self, store: RuleStore) -> None:
        self.store = store
        self.staged: _Staged[TimerRow] = _Staged(lambda: store.timers)

    def _pending(self) -> list[TimerRow]:
        return [r for r in self.staged.rows.values() if r.state == "pending"]

    async def schedule(self, timer: Timer) -> None:
        for row in self._pending():
            if row.timer.key == timer.key:
                if row.timer.due_at == timer.due_at:
                    return  # armed already
                self.staged.drop(row.timer.id)
        timer = dataclasses.replace(timer, id=self.store.next_id())
        self.staged.put(timer.id, TimerRow(timer))

    async def cancel(
        self, ticket_id: int | None, kinds: Sequence[str], ref_id: int | None = None
    ) -> None:
        for row in self._pending():
            t = row.timer
            if t.ticket_id == ticket_id and t.kind in kinds and ref_id in (None, t.ref_id):
                self.staged.drop(t.id)

    async def complete(self, timer_id: int) -> Timer | None:
        row = self.staged.rows.get(timer_id)
        if row is None or row.state != "pending":
            return None
        self.staged.put(timer_id, TimerRow(row.timer, "done"))
        return row.timer

    async def pending(
        self, *, ticket_id: int | None = None, kind: str | None = None
    ) -> list[Timer]:
        found = [r.timer for r in self._pending()
                 if ticket_id in (None, r.timer.ticket_id) and kind in (None, r.timer.kind)]
        return sorted(found, key=lambda t: (t.due_at, t.id))


async def fire_due_timers(desk: Desk, rules: RuleStore) -> list[Timer]:
    """What the timer worker does, on the fakes: fire every pending timer due by the desk's
    clock, including ones the firing itself arms; returns the timers that fired."""
    fired: list[Timer] = []
    now = desk.clock.now()
    for _ in range(100):
        due = sorted((r.timer for r in rules.timers.values()
                      if r.state == "pending" and r.timer.due_at <= now),
                     key=lambda t: (t.due_at, t.id))
        if not due:
            return fired
        for timer in due:
            await desk.handle(FireTimer(timer.id))
            fired.append(timer)
    raise AssertionError("timers keep arming due timers")
