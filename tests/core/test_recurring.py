"""Recurring tickets (docs/DOMAIN.md §6.3): a schedule opens a ticket from its template on time;
runs missed while the desk was down become one ticket, never none and never two."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from core import commands as c
from core.people import Contact
from core.recurring import RecurringSchedule, TicketTemplate
from core.services import Desk
from core.tickets import Ticket
from tests.fake_rules import fire_due_timers
from tests.fakes import InMemoryStore, make_desk

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=BERLIN)


def maintenance_desk(**changes: object) -> tuple[Desk, InMemoryStore]:
    desk, store, clock = make_desk(now=berlin(3, 1).astimezone(UTC))
    store.contacts[1] = Contact(1, "Acme front desk")
    values: dict[str, object] = dict(
        id=1, name="Monthly check", cron="0 9 * * mon#1", timezone="Europe/Berlin",
        contact_id=1, template=TicketTemplate("Printer maintenance {{ date }}",
                                              "Check toner and rollers", "request", "low"),
        starts_at=berlin(3, 1))
    values.update(changes)
    store.rules.schedules[1] = RecurringSchedule(**values)  # type: ignore[arg-type]
    return desk, store


async def at(desk: Desk, store: InMemoryStore, when: datetime) -> list[Ticket]:
    """The desk (re)starts at `when`: schedules are armed, due timers fire."""
    desk.clock.set(when.astimezone(UTC))  # type: ignore[attr-defined]
    await desk.handle(c.ArmRecurringSchedules())
    await fire_due_timers(desk, store.rules)
    return sorted(store.tickets.values(), key=lambda t: t.id)


async def test_a_schedule_opens_its_ticket_from_the_template_on_time() -> None:
    desk, store = maintenance_desk()
    assert await at(desk, store, berlin(3, 3, 8, 59)) == []
    [ticket] = await at(desk, store, berlin(3, 3, 9))
    assert (ticket.subject, ticket.type_code, ticket.priority, ticket.contact_id) == (
        "Printer maintenance 2025-03-03", "request", "low", 1)
    [note] = store.comments_of(ticket.id)
    assert (note.body, note.public) == ("Check toner and rollers", False)
    assert len(await at(desk, store, berlin(4, 7, 9))) == 2


async def test_runs_missed_while_the_desk_was_down_become_one_ticket() -> None:
    desk, store = maintenance_desk()
    assert len(await at(desk, store, berlin(6, 10, 12))) == 1  # March, April, May, June missed
    assert len(await at(desk, store, berlin(6, 10, 12, 5))) == 1  # a restart: not doubled
    [pending] = [r.timer for r in store.rules.timers.values() if r.state == "pending"]
    assert pending.due_at == berlin(7, 7, 9)
    assert len(await at(desk, store, berlin(7, 7, 9))) == 2


async def test_a_disabled_schedule_opens_nothing_and_keeps_no_timer() -> None:
    desk, store = maintenance_desk(enabled=False)
    assert await at(desk, store, berlin(6, 10)) == []
    assert not [r for r in store.rules.timers.values() if r.state == "pending"]


async def test_an_edited_schedule_runs_at_its_new_time() -> None:
    desk, store = maintenance_desk()
    await at(desk, store, berlin(3, 2))
    schedule = store.rules.schedules[1]
    store.rules.schedules[1] = RecurringSchedule(
        schedule.id, schedule.name, "0 7 * * *", schedule.timezone, schedule.contact_id,
        schedule.template, schedule.starts_at)
    [ticket] = await at(desk, store, berlin(3, 2, 7))
    assert ticket.created_at == berlin(3, 2, 7)
