"""The demo desk's service calendar and SLA rules, set up by the administrator's commands
before the first ticket arrives, so every demo ticket gets its reaction and resolution due
times and the SLA report has figures from the first start."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from core import commands as c
from core.calendar import BusinessCalendar, WorkingInterval
from core.conditions import Conditions
from core.sla import ServiceCalendar, SlaRule
from storage import panel_views as views

CALENDAR = "Support hours"
# The hours the demo's agents answer in (chatdesk.demo_story.working_time): Monday to
# Saturday, 08:00-20:00 UTC.
HOURS = WorkingInterval(time(8), time(20))

# name, conditions, reaction, resolution; the first enabled match wins (§4.3)
RULES: list[tuple[str, Conditions, timedelta | None, timedelta | None]] = [
    ("Internal tasks", Conditions(types=frozenset({"internal"})), None, timedelta(hours=36)),
    ("Urgent and high priority", Conditions(priorities=frozenset({"urgent", "high"})),
     timedelta(minutes=30), timedelta(hours=8)),
    ("Standard", Conditions(), timedelta(hours=2), timedelta(hours=24)),
]

Handle = Callable[[c.Command], Awaitable[Any]]


def support_hours(end: datetime) -> BusinessCalendar:
    """Working days with the New Year holidays ahead of the demo's end, so that the
    calendar editor shows a holiday without changing the demo's past."""
    year = end.year + 1 if end.month > 1 or end.day > 2 else end.year
    holidays: dict[date, list[WorkingInterval]] = {date(year, 1, 1): [],
                                                    date(year, 1, 2): []}
    return BusinessCalendar("UTC", {day: [HOURS] for day in range(6)}, holidays)


async def set_up_sla(handle: Handle, admin_id: int, end: datetime) -> None:
    """The calendar and the rules, unless the desk already has some (kept as they are)."""
    tables = await views.rule_tables()
    if tables["sla"]:
        return
    calendar = next((x for x in tables["calendars"] if x.name == CALENDAR), None)
    if calendar is None:
        calendar = await handle(c.SaveRule(admin_id, ServiceCalendar(
            0, CALENDAR, support_hours(end))))
    for position, (name, when, reaction, resolution) in enumerate(RULES):
        await handle(c.SaveRule(admin_id, SlaRule(0, name, calendar.id, reaction, resolution,
                                                  when, position=position)))
