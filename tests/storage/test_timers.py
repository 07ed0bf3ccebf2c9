"""Timers on SQLite and PostgreSQL: due times live in the database, so a restart loses none
and two workers (two app instances) never fire one twice; SLA deadlines and alerts through
the real unit of work."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate as tortoise_migrate

from chatdesk.bootstrap import build_desk
from chatdesk.timers import TimerWorker
from core import commands as c
from core.calendar import BusinessCalendar
from core.errors import AlreadyHandled
from core.people import Contact
from core.recurring import RecurringSchedule, TicketTemplate
from core.services import Desk
from core.sla import ServiceCalendar, SlaRule
from storage import models as m
from storage import rule_models as rm
from storage.db import tortoise_config
from storage.sla_queries import overdue_tickets
from storage.timer_store import TimerStore
from storage.uow import TortoiseUnitOfWork
from tests.storage.test_unit_of_work import ROUTING, add_employee, writes

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = BusinessCalendar.weekdays("Europe/Berlin", time(9), time(18))


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=BERLIN)  # the 3rd is a Monday


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at.astimezone(UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(berlin(3, 10))


@pytest.fixture
async def desk(database: str, clock: Clock) -> Desk:
    async with TortoiseUnitOfWork() as uow:
        calendar = await uow.rules.calendars.save(ServiceCalendar(0, "Office", OFFICE))
        await uow.rules.sla.save(SlaRule(0, "Standard", calendar.id, timedelta(minutes=30),
                                         timedelta(hours=8)))
        await uow.commit()
    return build_desk(clock=clock, routing=ROUTING)


def worker(desk: Desk, clock: Clock, name: str) -> TimerWorker:
    return TimerWorker(desk, clock, owner=name, lease=timedelta(minutes=5))


async def outbox_kinds(ticket_id: int) -> list[str]:
    rows = await m.OutboxRow.filter(ticket_id=ticket_id, kind__startswith="sla_").order_by("id")
    return [f"{r.kind}:{r.payload['target']}" for r in rows]


async def test_friday_1755_on_a_9_to_18_calendar_is_due_monday_0925(
    desk: Desk, clock: Clock
) -> None:
    clock.set(berlin(7, 17, 55))
    opened = await desk.handle(writes("hello"))
    row = await m.TicketRow.get(id=opened.ticket_id)
    assert row.planned_reaction_at == berlin(10, 9, 25)


async def test_on_hold_until_tomorrow_resumes_after_a_restart_and_moves_the_deadline(
    desk: Desk, clock: Clock
) -> None:
    opened = await desk.handle(writes("hello"))
    agent = await add_employee("bob")
    clock.set(berlin(3, 11))
    await desk.handle(c.ChangeStatus(opened.ticket_id, agent, "on_hold", until=berlin(4, 11)))
    assert await worker(desk, clock, "a").run_once() == 0
    clock.set(berlin(4, 11, 3))  # the app was down over night; a new instance starts
    restarted = build_desk(clock=clock, routing=ROUTING)
    assert await worker(restarted, clock, "b").run_once() >= 1
    row = await m.TicketRow.get(id=opened.ticket_id)
    assert (row.status, row.planned_resolution_at) == ("open", berlin(4, 18))
    assert await worker(restarted, clock, "c").run_once() == 0


async def test_a_breach_is_reported_once_however_many_workers_look(
    desk: Desk, clock: Clock
) -> None:
    opened = await desk.handle(writes("hello"))
    clock.set(berlin(3, 10, 26))
    workers = [worker(desk, clock, f"w{n}") for n in range(3)]
    await asyncio.gather(*(w.run_once() for w in workers))
    clock.set(berlin(3, 10, 31))
    await asyncio.gather(*(w.run_once() for w in workers))
    await asyncio.gather(*(w.run_once() for w in workers))
    assert await outbox_kinds(opened.ticket_id) == ["sla_warning:reaction",
                                                    "sla_breached:reaction"]
    [late] = await overdue_tickets(clock.now())
    assert (late.id, late.target) == (opened.ticket_id, "reaction")


@pytest.mark.postgres
async def test_two_instances_on_postgres_resume_a_ticket_once(
    postgres_database: str, clock: Clock
) -> None:
    one, two = (build_desk(clock=clock, routing=ROUTING) for _ in range(2))
    opened = await one.handle(writes("hello"))
    agent = await add_employee("bob")
    await one.handle(c.ChangeStatus(opened.ticket_id, agent, "on_hold", until=berlin(4, 9)))
    clock.set(berlin(4, 9))
    fired = await asyncio.gather(worker(one, clock, "one").run_once(),
                                 worker(two, clock, "two").run_once())
    assert sum(fired) == 1
    resumes = await m.HistoryRow.filter(ticket_id=opened.ticket_id, field="status",
                                        new="open", actor_kind="system").count()
    assert resumes == 1


async def test_firing_one_timer_twice_at_once_fires_it_once(desk: Desk, clock: Clock) -> None:
    opened = await desk.handle(writes("hello"))
    agent = await add_employee("bob")
    await desk.handle(c.ChangeStatus(opened.ticket_id, agent, "on_hold", until=berlin(4, 9)))
    [timer] = await rm.DeskTimerRow.filter(kind="resume")
    clock.set(berlin(4, 9))
    results = await asyncio.gather(desk.handle(c.FireTimer(timer.id)),
                                   desk.handle(c.FireTimer(timer.id)), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["AlreadyHandled", "Timer"]
    with pytest.raises(AlreadyHandled):
        await desk.handle(c.FireTimer(timer.id))


async def test_a_claim_of_a_worker_that_died_is_taken_over_when_its_lease_ends(
    desk: Desk, clock: Clock
) -> None:
    opened = await desk.handle(writes("hello"))
    agent = await add_employee("bob")
    await desk.handle(c.ChangeStatus(opened.ticket_id, agent, "on_hold", until=berlin(4, 9)))
    clock.set(berlin(4, 9))
    [claim] = await TimerStore().claim_due(clock.now(), "died", timedelta(minutes=5))
    assert await worker(desk, clock, "alive").run_once() == 0
    assert (await m.TicketRow.get(id=opened.ticket_id)).status == "on_hold"
    clock.set(berlin(4, 9, 6))
    assert await worker(desk, clock, "alive").run_once() == 1
    assert (await m.TicketRow.get(id=opened.ticket_id)).status == "open"
    assert (await rm.DeskTimerRow.get(id=claim.timer_id)).state == "done"


async def test_missed_recurring_runs_become_one_ticket_on_start(desk: Desk, clock: Clock) -> None:
    async with TortoiseUnitOfWork() as uow:
        contact = await uow.contacts.add(Contact(0, "Acme"))
        await uow.rules.schedules.save(RecurringSchedule(
            0, "Weekly", "0 9 * * mon", "Europe/Berlin", contact.id,
            TicketTemplate("Weekly check"), berlin(1, 0)))
        await uow.commit()
    clock.set(berlin(20, 12))  # three Mondays were missed
    for name in ("first start", "second start"):
        timers = worker(desk, clock, name)
        await timers.arm_schedules()
        await timers.run_once()
    assert await m.TicketRow.filter(subject="Weekly check").count() == 1
    [next_run] = await rm.DeskTimerRow.filter(kind="recurring", state="pending")
    assert next_run.due_at == berlin(24, 9)


async def test_the_scheduler_fires_due_timers_while_the_app_runs(
    desk: Desk, clock: Clock
) -> None:
    opened = await desk.handle(writes("hello"))
    agent = await add_employee("bob")
    await desk.handle(c.ChangeStatus(opened.ticket_id, agent, "on_hold", until=berlin(3, 12)))
    running = asyncio.create_task(TimerWorker(desk, clock, interval=0.05).run())
    try:
        await asyncio.sleep(0.2)
        assert (await m.TicketRow.get(id=opened.ticket_id)).status == "on_hold"
        clock.set(berlin(3, 12))
        for _ in range(100):
            await asyncio.sleep(0.05)
            if (await m.TicketRow.get(id=opened.ticket_id)).status == "open":
                break
        assert (await m.TicketRow.get(id=opened.ticket_id)).status == "open"
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_fired_timers_are_forgotten_after_a_while(desk: Desk, clock: Clock) -> None:
    opened = await desk.handle(writes("hello"))
    agent = await add_employee("bob")
    await desk.handle(c.ChangeStatus(opened.ticket_id, agent, "on_hold", until=berlin(4, 9)))
    clock.set(berlin(4, 9))
    await worker(desk, clock, "w").run_once()
    store = TimerStore()
    assert await store.purge_done(berlin(4, 9)) == 0
    assert await store.purge_done(berlin(5, 9)) == 1
    assert await rm.DeskTimerRow.filter(kind="resume").count() == 0


async def test_tickets_on_hold_before_the_upgrade_get_their_resume_timer(tmp_path: Path) -> None:
    config = tortoise_config(f"sqlite://{tmp_path / 'old.sqlite3'}")
    await tortoise_migrate(config=config, target="models.0003_panel_auth")
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    try:
        await Tortoise.get_connection("default").execute_query(
            "INSERT INTO tickets (subject, channel, contact_id, status, priority, line,"
            " observer_ids, observer_group_ids, attributes, on_hold_until,"
            " resolution_set_by_hand, created_at, version) VALUES ('s', 'telegram', 1,"
            " 'on_hold', 'normal', 1, '[]', '[]', '{}', '2025-03-04 09:00:00+00:00', 0,"
            " '2025-03-03 09:00:00+00:00', 0)")
    finally:
        await Tortoise.close_connections()
    await tortoise_migrate(config=config)
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    try:
        [timer] = await rm.DeskTimerRow.all()
        assert (timer.kind, timer.due_at, timer.state) == (
            "resume", datetime(2025, 3, 4, 9, tzinfo=UTC), "pending")
    finally:
        await Tortoise.close_connections()
