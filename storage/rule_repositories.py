"""Repositories for the desk's rules and timers (core/rule_ports.py), bound to one
transaction's connection like storage/repositories.py."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.models import Model

from core.automation import AutomationRule, Macro, Trigger
from core.calendar import BusinessCalendar
from core.errors import NotFound
from core.names import Names
from core.recurring import RecurringSchedule
from core.routing import RoutingRule
from core.sla import ServiceCalendar, SlaRule
from core.timers import Timer
from storage import rule_codec as rc
from storage import rule_models as rm
from storage.plain_sql import select

T = TypeVar("T")
LIVE = ("pending", "claimed")  # a timer not fired yet


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


def _delta(value: int | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=value)


class RuleTable(Generic[T]):
    """Rows with id, position and enabled, mapped by two functions."""

    def __init__(self, conn: BaseDBAsyncClient, model: type[Model],
                 to_core: Callable[[Any], T], to_row: Callable[[T], dict[str, Any]]) -> None:
        self.conn, self.model, self.to_core, self.to_row = conn, model, to_core, to_row

    async def all(self) -> list[T]:
        rows = await self.model.all().using_db(self.conn).order_by("position", "id")
        return [self.to_core(r) for r in rows]

    async def get(self, item_id: int) -> T:
        row = await self.model.filter(id=item_id).using_db(self.conn).first()
        if row is None:
            raise NotFound("rules.not_found", table=self.model._meta.db_table, id=item_id)
        return self.to_core(row)

    async def save(self, item: T) -> T:
        item_id: int = getattr(item, "id")  # noqa: B009
        values = self.to_row(item)
        if item_id and await self.model.filter(id=item_id).using_db(self.conn).update(**values):
            return item
        row = await self.model.create(using_db=self.conn, **values)
        return dataclasses.replace(item, id=row.pk)  # type: ignore[type-var]

    async def delete(self, item_id: int) -> None:
        await self.model.filter(id=item_id).using_db(self.conn).delete()


class CalendarTable(RuleTable[ServiceCalendar]):
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        super().__init__(conn, rm.CalendarRow, lambda row: row, self._values)

    @staticmethod
    def _values(calendar: ServiceCalendar) -> dict[str, Any]:
        hours = calendar.hours
        return {"name": calendar.name, "timezone": hours.timezone,
                "week": {str(d): rc.intervals_to_json(iv) for d, iv in hours.week.items()}}

    async def _load(self, row: rm.CalendarRow) -> ServiceCalendar:
        exceptions = await rm.CalendarExceptionRow.filter(calendar_id=row.id).using_db(
            self.conn)
        hours = BusinessCalendar(
            row.timezone, {int(d): rc.intervals_from_json(iv) for d, iv in row.week.items()},
            {e.day: rc.intervals_from_json(e.intervals) for e in exceptions})
        return ServiceCalendar(row.id, row.name, hours)

    async def all(self) -> list[ServiceCalendar]:
        rows = await rm.CalendarRow.all().using_db(self.conn).order_by("id")
        return [await self._load(r) for r in rows]

    async def get(self, item_id: int) -> ServiceCalendar:
        row = await rm.CalendarRow.filter(id=item_id).using_db(self.conn).first()
        if row is None:
            raise NotFound("rules.calendar_not_found", id=item_id)
        return await self._load(row)

    async def save(self, item: ServiceCalendar) -> ServiceCalendar:
        saved = await super().save(item)
        await rm.CalendarExceptionRow.filter(calendar_id=saved.id).using_db(self.conn).delete()
        await rm.CalendarExceptionRow.bulk_create([
            rm.CalendarExceptionRow(calendar_id=saved.id, day=day,
                                    intervals=rc.intervals_to_json(intervals))
            for day, intervals in item.hours.exceptions.items()], using_db=self.conn)
        return saved

    async def delete(self, item_id: int) -> None:
        await rm.CalendarExceptionRow.filter(calendar_id=item_id).using_db(self.conn).delete()
        await super().delete(item_id)


def _sla(row: rm.SlaRuleRow) -> SlaRule:
    return SlaRule(row.id, row.name, row.calendar_id, _delta(row.reaction_seconds),
                   _delta(row.resolution_seconds), rc.conditions_from_json(row.conditions),
                   row.warning_share, row.enabled, row.position)


def _sla_row(rule: SlaRule) -> dict[str, Any]:
    return {"name": rule.name, "calendar_id": rule.calendar_id,
            "reaction_seconds": _seconds(rule.reaction),
            "resolution_seconds": _seconds(rule.resolution),
            "conditions": rc.conditions_to_json(rule.when), "warning_share": rule.warning_share,
            "enabled": rule.enabled, "position": rule.position}


def _routing(row: rm.RoutingRuleRow) -> RoutingRule:
    return RoutingRule(row.id, row.name, rc.conditions_from_json(row.conditions),
                       row.responsible_id, row.group_id, frozenset(row.observer_ids),
                       frozenset(row.observer_group_ids), row.enabled, row.position)


def _routing_row(rule: RoutingRule) -> dict[str, Any]:
    return {"name": rule.name, "conditions": rc.conditions_to_json(rule.when),
            "responsible_id": rule.responsible_id, "group_id": rule.group_id,
            "observer_ids": sorted(rule.observer_ids),
            "observer_group_ids": sorted(rule.observer_group_ids),
            "enabled": rule.enabled, "position": rule.position}


def _automation(row: rm.AutomationRuleRow) -> AutomationRule:
    return AutomationRule(row.id, row.name, Trigger(row.event),
                          rc.actions_from_json(row.actions),
                          rc.conditions_from_json(row.conditions), row.field_name,
                          frozenset(row.from_statuses), row.idle_hours, row.enabled,
                          row.position, Names(row.names))


def _automation_row(rule: AutomationRule) -> dict[str, Any]:
    return {"name": rule.name, "event": rule.trigger.value,
            "actions": rc.actions_to_json(rule.actions),
            "conditions": rc.conditions_to_json(rule.when), "field_name": rule.field,
            "from_statuses": sorted(rule.from_statuses), "idle_hours": rule.idle_hours,
            "enabled": rule.enabled, "position": rule.position, "names": dict(rule.names)}


def _macro(row: rm.MacroRow) -> Macro:
    return Macro(row.id, row.name, rc.actions_from_json(row.actions), row.enabled,
                 row.position)


def _macro_row(macro: Macro) -> dict[str, Any]:
    return {"name": macro.name, "actions": rc.actions_to_json(macro.actions),
            "enabled": macro.enabled, "position": macro.position}


def _schedule(row: rm.RecurringScheduleRow) -> RecurringSchedule:
    return RecurringSchedule(row.id, row.name, row.cron, row.timezone, row.contact_id,
                             rc.template_from_json(row.template), row.starts_at,
                             row.last_run_at, row.enabled, row.position)


def _schedule_row(schedule: RecurringSchedule) -> dict[str, Any]:
    return {"name": schedule.name, "cron": schedule.cron, "timezone": schedule.timezone,
            "contact_id": schedule.contact_id,
            "template": rc.template_to_json(schedule.template),
            "starts_at": schedule.starts_at, "last_run_at": schedule.last_run_at,
            "enabled": schedule.enabled, "position": schedule.position}


class NoticeTemplates:
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn

    async def all(self) -> dict[str, str]:
        return {r.key: r.body for r in await rm.NoticeTemplateRow.all().using_db(self.conn)}

    async def get(self, key: str) -> str | None:
        row = await rm.NoticeTemplateRow.filter(key=key).using_db(self.conn).first()
        return row.body if row else None

    async def save(self, key: str, body: str) -> None:
        if not await rm.NoticeTemplateRow.filter(key=key).using_db(self.conn).update(body=body):
            await rm.NoticeTemplateRow.create(using_db=self.conn, key=key, body=body)
        WRITTEN.forget()

    async def delete(self, key: str) -> None:
        await rm.NoticeTemplateRow.filter(key=key).using_db(self.conn).delete()
        WRITTEN.forget()


class RuleRepository:
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn
        self.calendars = CalendarTable(conn)
        self.sla = RuleTable(conn, rm.SlaRuleRow, _sla, _sla_row)
        self.routing = RuleTable(conn, rm.RoutingRuleRow, _routing, _routing_row)
        self.automation = RuleTable(conn, rm.AutomationRuleRow, _automation, _automation_row)
        self.macros = RuleTable(conn, rm.MacroRow, _macro, _macro_row)
        self.schedules = RuleTable(conn, rm.RecurringScheduleRow, _schedule, _schedule_row)
        self.notices = NoticeTemplates(conn)

    async def last_assignee(self, group_id: int) -> int | None:
        row = await rm.GroupRotationRow.filter(group_id=group_id).using_db(self.conn).first()
        return row.last_employee_id if row else None

    async def note_assignee(self, group_id: int, employee_id: int) -> None:
        if not await rm.GroupRotationRow.filter(group_id=group_id).using_db(self.conn).update(
                last_employee_id=employee_id):
            await rm.GroupRotationRow.create(using_db=self.conn, group_id=group_id,
                                             last_employee_id=employee_id)


def timer_from_row(row: rm.DeskTimerRow) -> Timer:
    return Timer(row.kind, row.due_at, row.ticket_id, row.ref_id, row.id)


def _key(ticket_id: int | None, kinds: Sequence[str], ref_id: int | None = None) -> Q:
    query = Q(kind__in=list(kinds), state__in=list(LIVE))
    query &= Q(ticket_id__isnull=True) if ticket_id is None else Q(ticket_id=ticket_id)
    if ref_id is not None:
        query &= Q(ref_id=ref_id)
    return query


class TimerRepository:
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn

    async def schedule(self, timer: Timer) -> None:
        key = _key(timer.ticket_id, [timer.kind])
        key &= Q(ref_id__isnull=True) if timer.ref_id is None else Q(ref_id=timer.ref_id)
        live = await rm.DeskTimerRow.filter(key).using_db(self.conn)
        if len(live) == 1 and live[0].due_at == timer.due_at and live[0].state == "pending":
            return  # armed already: keep the row (and its id)
        await rm.DeskTimerRow.filter(key).using_db(self.conn).delete()
        await rm.DeskTimerRow.create(using_db=self.conn, kind=timer.kind, due_at=timer.due_at,
                                     ticket_id=timer.ticket_id, ref_id=timer.ref_id)

    async def cancel(
        self, ticket_id: int | None, kinds: Sequence[str], ref_id: int | None = None
    ) -> None:
        await rm.DeskTimerRow.filter(_key(ticket_id, kinds, ref_id)).using_db(
            self.conn).delete()

    async def complete(self, timer_id: int) -> Timer | None:
        # The conditional UPDATE is the guard: on PostgreSQL a second transaction waits for
        # the first's row lock, then finds the row done and updates nothing.
        updated = await rm.DeskTimerRow.filter(id=timer_id, state__in=list(LIVE)).using_db(
            self.conn).update(state="done", fired_at=datetime.now(UTC))
        if updated != 1:
            return None
        row = await rm.DeskTimerRow.get(id=timer_id, using_db=self.conn)
        return timer_from_row(row)

    async def pending(
        self, *, ticket_id: int | None = None, kind: str | None = None
    ) -> list[Timer]:
        query = rm.DeskTimerRow.filter(state__in=list(LIVE))
        if ticket_id is not None:
            query = query.filter(ticket_id=ticket_id)
        if kind is not None:
            query = query.filter(kind=kind)
        rows = await query.using_db(self.conn).order_by("due_at", "id")
        return [timer_from_row(r) for r in rows]


class WrittenNotices:
    """The keys the administrators wrote a notice for, read at most once a `ttl`: the
    senders ask for every message they send, and nearly every answer is "none". After a
    notice is saved or deleted in this process, every ask reads them for a `ttl` (the
    change counts as soon as it commits); one written by another process (the CLI) counts
    within a `ttl`."""

    ttl = 1.0

    def __init__(self) -> None:
        self._keys: frozenset[str] = frozenset()
        self._read_at = -math.inf
        self._fresh_until = -math.inf

    async def has(self, key: str) -> bool:
        now = time.monotonic()
        if now - self._read_at >= self.ttl or now < self._fresh_until:
            rows = await select('SELECT "key" FROM notice_templates', [])
            self._keys, self._read_at = frozenset(r["key"] for r in rows), now
        return key in self._keys

    def clear(self) -> None:
        """Another database: nothing read of the last one counts."""
        self._read_at = self._fresh_until = -math.inf

    def forget(self) -> None:
        """A notice is being written: read them afresh until it has surely committed."""
        self._read_at = -math.inf
        self._fresh_until = time.monotonic() + self.ttl


WRITTEN = WrittenNotices()


async def notice_written(key: str) -> bool:
    """Whether the administrators wrote a text for this key (outside any transaction)."""
    return await WRITTEN.has(key)
