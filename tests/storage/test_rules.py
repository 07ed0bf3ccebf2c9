"""The rule tables on SQLite and PostgreSQL: what an administrator saves is what the desk
reads back, the default automation rules come with a new database, overdue tickets are
listed for /queue and the panel."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from core.actions import (
    AddNote,
    Notify,
    SendCanned,
    SetLine,
    SetPriority,
    SetResponsible,
    SetStatus,
    SetType,
)
from core.automation import AutomationRule, Macro, Trigger, default_rules
from core.calendar import BusinessCalendar, WorkingInterval
from core.conditions import Conditions, TimeWindow
from core.names import Names
from core.recurring import RecurringSchedule, TicketTemplate
from core.routing import RoutingRule
from core.sla import ServiceCalendar, SlaRule
from storage import models as m
from storage.sla_queries import overdue_tickets
from storage.uow import TortoiseUnitOfWork

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
EVERYTHING = Conditions(
    types=frozenset({"incident"}), priorities=frozenset({"high", "urgent"}),
    channels=frozenset({"vk"}), categories=frozenset({"VIP"}), company_ids=frozenset({7}),
    statuses=frozenset({"open"}), lines=frozenset({2}),
    attributes={"product": frozenset({"printer", "scanner"})},
    registered=TimeWindow(frozenset({5, 6}), time(18), time(9), "Europe/Berlin"))


async def test_a_new_database_has_the_two_default_automation_rules(database: str) -> None:
    async with TortoiseUnitOfWork() as uow:
        rules = await uow.rules.automation.all()
    # the seeded rules come with their names in Russian and Persian (storage/seed.py)
    assert [replace(r, names=Names()) for r in rules] == default_rules()
    assert all(set(r.names) == {"ru", "fa"} for r in rules)


async def test_every_rule_table_reads_back_what_was_saved(database: str) -> None:
    lunch = [WorkingInterval(time(9), time(13)), WorkingInterval(time(14), time(18))]
    hours = BusinessCalendar("Europe/Berlin", {d: lunch for d in range(5)},
                             {date(2025, 12, 25): [], date(2025, 12, 24): lunch[:1]})
    actions = (SetStatus("on_hold", 12.0), SetPriority("high"), SetType(None),
               SetResponsible(3, 2), SetLine(2), AddNote("note {{ ticket_number }}"),
               Notify("hey", (1, 2), False), SendCanned(4))
    async with TortoiseUnitOfWork() as uow:
        rules = uow.rules
        calendar = await rules.calendars.save(ServiceCalendar(0, "Berlin office", hours))
        saved = [
            await rules.sla.save(SlaRule(0, "VIP", calendar.id, timedelta(minutes=15),
                                         timedelta(hours=4), EVERYTHING, 0.75, False, 3)),
            await rules.routing.save(RoutingRule(0, "VK", EVERYTHING, 1, 2, frozenset({3}),
                                                 frozenset({1, 2}), True, 1)),
            await rules.automation.save(AutomationRule(
                0, "All", Trigger.FIELD_CHANGED, actions, EVERYTHING, "priority",
                frozenset({"open"}), None, True, 5)),
            await rules.macros.save(Macro(0, "Everything", actions)),
            await rules.schedules.save(RecurringSchedule(
                0, "Monthly", "0 9 * * mon#1", "Europe/Berlin", 1,
                TicketTemplate("Check {{ date }}", "toner", "request", "low"), NOW)),
        ]
        await rules.notices.save("client.status.resolved", "Done: {{ ticket.subject }}")
        await rules.note_assignee(2, 3)
        await uow.commit()
    async with TortoiseUnitOfWork() as uow:
        rules = uow.rules
        assert await rules.calendars.get(calendar.id) == calendar
        assert (await rules.calendars.get(calendar.id)).hours == hours
        tables = (rules.sla, rules.routing, rules.automation, rules.macros, rules.schedules)
        for table, item in zip(tables, saved, strict=True):
            assert await table.get(item.id) == item  # type: ignore[attr-defined]
        assert await rules.notices.all() == {
            "client.status.resolved": "Done: {{ ticket.subject }}"}
        assert await rules.last_assignee(2) == 3 and await rules.last_assignee(9) is None


async def test_saving_again_replaces_and_delete_removes(database: str) -> None:
    async with TortoiseUnitOfWork() as uow:
        macro = await uow.rules.macros.save(Macro(0, "Close", (SetStatus("resolved"),)))
        renamed = Macro(macro.id, "Close politely", macro.actions, enabled=False)
        assert await uow.rules.macros.save(renamed) == renamed
        await uow.rules.notices.save("a", "1")
        await uow.rules.notices.save("a", "2")
        await uow.rules.note_assignee(1, 5)
        await uow.rules.note_assignee(1, 6)
        await uow.commit()
    async with TortoiseUnitOfWork() as uow:
        assert await uow.rules.macros.all() == [renamed]
        assert await uow.rules.notices.get("a") == "2"
        assert await uow.rules.last_assignee(1) == 6
        await uow.rules.macros.delete(macro.id)
        await uow.rules.automation.delete(1)
        await uow.commit()
    async with TortoiseUnitOfWork() as uow:
        assert await uow.rules.macros.all() == []
        assert [r.id for r in await uow.rules.automation.all()] == [2]


async def _ticket(subject: str, status: str, **fields: object) -> int:
    row = await m.TicketRow.create(subject=subject, channel="telegram", contact_id=1,
                                   status=status, priority="normal", created_at=NOW, **fields)
    return int(row.id)


async def test_overdue_lists_running_tickets_past_a_deadline(database: str) -> None:
    hour = timedelta(hours=1)
    late_reaction = await _ticket("no answer yet", "open", planned_reaction_at=NOW - hour)
    await _ticket("answered in time", "open", planned_reaction_at=NOW - hour,
                  reacted_at=NOW - 2 * hour)
    late_both = await _ticket("late twice", "awaiting_reply", planned_reaction_at=NOW - hour,
                              planned_resolution_at=NOW - 3 * hour)
    await _ticket("on hold", "on_hold", planned_resolution_at=NOW - hour)
    await _ticket("resolved", "resolved", planned_resolution_at=NOW - hour)
    await _ticket("in time", "open", planned_resolution_at=NOW + hour)
    found = await overdue_tickets(NOW)
    assert [(t.id, t.target, t.due_at) for t in found] == [
        (late_both, "resolution", NOW - 3 * hour), (late_reaction, "reaction", NOW - hour)]
