"""Administrators edit the desk's rules through commands (docs/DOMAIN.md §4.3, §5.1, §6, §7):
checked, admin-only, and effective for the next ticket."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from core import commands as c
from core.actions import (
    Action,
    AddNote,
    Notify,
    SendCanned,
    SetLine,
    SetPriority,
    SetResponsible,
    SetStatus,
    SetType,
)
from core.automation import AutomationRule, Macro, Trigger
from core.calendar import BusinessCalendar
from core.errors import DomainError, InvalidInput, NotAllowed, NotFound
from core.people import Contact
from core.recurring import RecurringSchedule, TicketTemplate
from core.routing import RoutingRule
from core.sla import ServiceCalendar, SlaRule
from tests.core.steps import client_writes
from tests.fakes import ANNA, BORIS, OLGA, make_desk

OFFICE = BusinessCalendar.weekdays("UTC", time(9), time(18))
HOUR = timedelta(hours=1)


async def test_an_administrator_adds_a_calendar_and_an_sla_rule_for_the_next_tickets() -> None:
    desk, store, _ = make_desk()
    calendar = await desk.handle(c.SaveRule(ANNA, ServiceCalendar(0, "Office", OFFICE)))
    rule = await desk.handle(c.SaveRule(ANNA, SlaRule(0, "Standard", calendar.id, HOUR)))
    assert store.rules.sla[rule.id] == rule and rule.id != 0
    first = await client_writes(desk)
    assert store.ticket(first.ticket_id).planned_reaction_at == datetime(
        2025, 3, 3, 10, 0, tzinfo=UTC)


async def test_only_an_administrator_changes_rules() -> None:
    desk, store, _ = make_desk()
    with pytest.raises(NotAllowed, match="administrator"):
        await desk.handle(c.SaveRule(BORIS, ServiceCalendar(0, "Office", OFFICE)))
    with pytest.raises(NotAllowed):
        await desk.handle(c.DeleteRule(BORIS, "automation", 1))
    assert 1 in store.rules.automation


@pytest.mark.parametrize(("rule", "error"), [
    (SlaRule(0, "No calendar", 99, HOUR), NotFound),
    (SlaRule(0, "No targets", 1), InvalidInput),
    (SlaRule(0, "Never warn", 1, HOUR, warning_share=0), InvalidInput),
    (SlaRule(0, " ", 1, HOUR), InvalidInput),
    (RoutingRule(0, "To Olga", responsible_id=OLGA), NotAllowed),
    (RoutingRule(0, "To nowhere", group_id=99), NotFound),
])
async def test_a_rule_that_cannot_work_is_refused(rule: object, error: type[Exception]) -> None:
    desk, store, _ = make_desk()
    store.rules.calendars[1] = ServiceCalendar(1, "Office", OFFICE)
    with pytest.raises(error):
        await desk.handle(c.SaveRule(ANNA, rule))  # type: ignore[arg-type]
    assert not store.rules.sla and not store.rules.routing


async def test_a_calendar_in_use_cannot_be_deleted() -> None:
    desk, store, _ = make_desk()
    store.rules.calendars[1] = ServiceCalendar(1, "Office", OFFICE)
    store.rules.sla[1] = SlaRule(1, "Standard", 1, HOUR)
    with pytest.raises(InvalidInput, match="use this calendar"):
        await desk.handle(c.DeleteRule(ANNA, "calendars", 1))
    await desk.handle(c.DeleteRule(ANNA, "sla", 1))
    await desk.handle(c.DeleteRule(ANNA, "calendars", 1))
    assert not store.rules.calendars


async def test_a_saved_schedule_is_armed_and_a_deleted_one_disarmed() -> None:
    desk, store, _ = make_desk()
    store.contacts[1] = Contact(1, "Acme")
    schedule = await desk.handle(c.SaveRule(ANNA, RecurringSchedule(
        0, "Daily", "0 8 * * *", "UTC", 1, TicketTemplate("Daily check"),
        datetime(2025, 3, 3, 9, tzinfo=UTC))))  # created now: today's 08:00 has passed
    [timer] = [r.timer for r in store.rules.timers.values() if r.state == "pending"]
    assert (timer.ref_id, timer.due_at) == (schedule.id, datetime(2025, 3, 4, 8, tzinfo=UTC))
    await desk.handle(c.DeleteRule(ANNA, "schedules", schedule.id))
    assert not [r for r in store.rules.timers.values() if r.state == "pending"]
    with pytest.raises(InvalidInput):
        await desk.handle(c.SaveRule(ANNA, RecurringSchedule(
            0, "Bad", "every day", "UTC", 1, TicketTemplate("x"), datetime.now(UTC))))


async def test_notice_templates_are_saved_and_removed_by_key() -> None:
    desk, store, _ = make_desk()
    await desk.handle(c.SaveNoticeTemplate(ANNA, "client.status.closed", "Bye {{ client.name }}"))
    assert store.rules.notices == {"client.status.closed": "Bye {{ client.name }}"}
    await desk.handle(c.SaveNoticeTemplate(ANNA, "client.status.closed", ""))
    assert store.rules.notices == {}
    with pytest.raises(InvalidInput):
        await desk.handle(c.SaveNoticeTemplate(ANNA, "status.closed", "x"))


async def test_a_registration_window_in_an_unknown_zone_is_refused() -> None:
    from core.conditions import Conditions, TimeWindow

    desk, store, _ = make_desk()
    night = Conditions(registered=TimeWindow(start=time(20), end=time(8), timezone="Mars/Base"))
    with pytest.raises(InvalidInput, match="Mars/Base"):
        await desk.handle(c.SaveRule(ANNA, RoutingRule(0, "Night", night, responsible_id=ANNA)))


@pytest.mark.parametrize(("actions", "error"), [
    ((), "at least one action"),
    ((SetPriority("sky-high"),), "no priority"),
    ((SetType("no-such-type"),), "no ticket type"),
    ((SetStatus("nowhere"),), "no status"),
    ((SetStatus("on_hold", 0),), "above 0"),
    ((SetResponsible(),), "an employee or a group"),
    ((SetResponsible(group_id=99),), "group"),
    ((SetLine(3),), "1 or 2"),
    ((AddNote(" "),), "needs a text"),
    ((Notify("Look", (99,)),), "99"),
    ((SendCanned(99),), "canned answer 99"),
])
async def test_a_rule_or_macro_whose_action_cannot_work_is_refused(
        actions: tuple[Action, ...], error: str) -> None:
    desk, store, _ = make_desk()
    with pytest.raises(DomainError, match=error):
        await desk.handle(c.SaveRule(ANNA, AutomationRule(0, "R", Trigger.CREATED, actions)))
    with pytest.raises(DomainError, match=error):
        await desk.handle(c.SaveRule(ANNA, Macro(0, "M", actions)))
    assert set(store.rules.automation) == {1, 2} and not store.rules.macros


async def test_a_recurring_ticket_needs_a_subject_and_known_codes() -> None:
    desk, store, _ = make_desk()
    store.contacts[1] = Contact(1, "Acme")
    for template, error in ((TicketTemplate(" "), "subject"),
                            (TicketTemplate("Check", priority="sky-high"), "no priority")):
        with pytest.raises(InvalidInput, match=error):
            await desk.handle(c.SaveRule(ANNA, RecurringSchedule(
                0, "Daily", "0 8 * * *", "UTC", 1, template, datetime.now(UTC))))
    assert not store.rules.schedules
