"""SLA as agents see it in Telegram (docs/DOMAIN.md §2.5, §4; issue #4): deadlines placed on a
service calendar and shown on the ticket card, an On hold that ends by itself, and a breach
reported once in the ticket's topic. The real product against the Telegram emulator, with a
clock that jumps ahead and the timer worker of chatdesk/timers.py scanning every 50 ms.

The database is read while the product runs: on SQLite, stopping the workers can leave
tortoise's connection lock taken (a task cancelled while it opens a transaction)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chatdesk.bootstrap import build_desk
from core import commands as c
from core.calendar import BusinessCalendar, WorkingInterval
from core.sla import ServiceCalendar, SlaRule
from emulators.telegram.emulator import TelegramEmulator
from emulators.telegram.limits import RateLimits
from storage import models as m
from storage.delivery import OutboxStore
from tests.e2e.harness import (
    AGENT_CHAT,
    ROUTING,
    ShiftClock,
    Stack,
    add_agents,
    running_stack,
    started_emulator,
)

pytestmark = pytest.mark.e2e

CLIENT = 5001
TICK = 0.05  # the timer worker's scan interval in these tests (the app's is 5 s)
OFFICE = BusinessCalendar("UTC", {day: [WorkingInterval(time(9), time(18))] for day in range(5)})
MONDAY, TUESDAY, FRIDAY = 0, 1, 4


@pytest.fixture
async def emulator(database: str) -> AsyncIterator[TelegramEmulator]:
    async with started_emulator(CLIENT, RateLimits.off()) as emulator:
        yield emulator
    assert not emulator.internal_errors


def coming(weekday: int, at: time) -> datetime:
    """A moment on that weekday at least a week ahead of now, in UTC: the clock only jumps
    forward, and the test reads the same every week."""
    day = (datetime.now(UTC) + timedelta(days=7)).date()
    day += timedelta(days=(weekday - day.weekday()) % 7)
    return datetime.combine(day, at, UTC)


def shown(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


async def sla_rule(calendar: BusinessCalendar, reaction: timedelta | None = None,
                   resolution: timedelta | None = None) -> None:
    """What an administrator sets up in the panel: one calendar and one SLA rule."""
    desk = build_desk(routing=ROUTING)
    admin = await desk.handle(c.AddEmployee("Olga Admin", "olga", "admin"))
    saved = await desk.handle(c.SaveRule(admin.id, ServiceCalendar(0, "Office", calendar)))
    await desk.handle(c.SaveRule(admin.id, SlaRule(0, "Standard", saved.id, reaction,
                                                   resolution)))


async def open_ticket(stack: Stack, text: str = "My order never arrived") -> tuple[int, int]:
    """The client writes; returns the ticket's id and its topic's thread once the card is
    posted."""
    stack.emulator.inject_private_message(CLIENT, text)
    reply = await stack.emulator.wait_for_bot_message(
        CLIENT, match=lambda msg: "#" in (msg.text or ""), timeout=10)
    ticket_id = int((reply.text or "").split("#")[1].split()[0].rstrip(".:,!"))
    topic = await stack.emulator.wait_for(lambda e: e.topics(AGENT_CHAT), timeout=10)
    await stack.emulator.wait_for(lambda e: card_of(e, ticket_id) is not None, timeout=10)
    return ticket_id, topic[0].message_thread_id


def card_of(emulator: TelegramEmulator, ticket_id: int) -> str | None:
    """The card's text as it is now (it is edited in place), found by its buttons."""
    for msg in emulator.bot_messages(AGENT_CHAT):
        if any(f":{ticket_id}" in data for data in msg.callback_data) and "🎫" in (
                msg.text or ""):
            return msg.text
    return None


async def card_showing(stack: Stack, ticket_id: int, *parts: str) -> str:
    def showing(emulator: TelegramEmulator) -> str | None:
        text = card_of(emulator, ticket_id) or ""
        return text if all(p in text for p in parts) else None

    return await stack.emulator.wait_for(showing, timeout=10)


async def title_starting(stack: Stack, thread: int, prefix: str) -> str:
    def titled(emulator: TelegramEmulator) -> str | None:
        topic = emulator.topic(AGENT_CHAT, thread)
        return topic.name if topic and topic.name.startswith(prefix) else None

    return await stack.emulator.wait_for(titled, timeout=10)


async def all_delivered() -> None:
    """Until nothing queued for Telegram is left in the outbox."""
    async with asyncio.timeout(10):
        while True:
            if not await OutboxStore().pending("telegram"):
                return
            await asyncio.sleep(0.02)


def posts(stack: Stack, thread: int, part: str) -> list[str]:
    return [t for msg in stack.emulator.bot_messages(AGENT_CHAT, thread_id=thread)
            if part in (t := msg.text or "")]


async def test_ticket_registered_on_friday_evening_is_due_on_monday_morning_on_its_card(
        emulator: TelegramEmulator) -> None:
    friday_evening = coming(FRIDAY, time(17, 55))
    monday = friday_evening.date() + timedelta(days=3)
    clock = ShiftClock()
    clock.jump_to(friday_evening)
    await sla_rule(OFFICE, reaction=timedelta(minutes=30))
    async with running_stack(emulator, clock, timer_interval=TICK) as stack:
        ticket_id, _ = await open_ticket(stack)
        due = datetime.combine(monday, time(9, 25), UTC)
        await card_showing(stack, ticket_id, f"Reaction due: {shown(due)}")
        row = await m.TicketRow.get(id=ticket_id)
    # five working minutes on Friday, twenty-five on Monday (plus the seconds the test took)
    assert row.planned_reaction_at is not None
    assert due <= row.planned_reaction_at < due + timedelta(minutes=1)
    assert row.reacted_at is None


async def test_ticket_on_hold_until_tomorrow_resumes_by_itself_and_its_deadline_moves(
        emulator: TelegramEmulator) -> None:
    registered = coming(TUESDAY, time(14, 0))
    tomorrow_ten = registered + timedelta(hours=20)
    clock = ShiftClock()
    clock.jump_to(registered)
    await sla_rule(BusinessCalendar.always(), resolution=timedelta(hours=8))
    anna = (await add_agents(emulator, ["anna"]))["anna"]
    async with running_stack(emulator, clock, timer_interval=TICK) as stack:
        ticket_id, thread = await open_ticket(stack)
        planned = (await m.TicketRow.get(id=ticket_id)).planned_resolution_at
        assert planned is not None
        await card_showing(stack, ticket_id, f"Resolution due: {shown(planned)}")

        emulator.inject_group_message(AGENT_CHAT, anna.telegram_id,
                                      f"/hold {tomorrow_ten:%Y-%m-%d %H:%M}",
                                      message_thread_id=thread)
        await card_showing(stack, ticket_id, "Status: On hold",
                           f"On hold until: {shown(tomorrow_ten)}")
        await title_starting(stack, thread, "⏸")
        assert stack.timers is not None
        await stack.timers.rounds(2)
        assert (await m.TicketRow.get(id=ticket_id)).status == "on_hold"  # not due yet

        clock.jump_to(tomorrow_ten + timedelta(minutes=1))
        await card_showing(stack, ticket_id, "Status: Open")
        row = await m.TicketRow.get(id=ticket_id)
        moved = row.planned_resolution_at
        assert moved is not None
        await card_showing(stack, ticket_id, f"Resolution due: {shown(moved)}")
        await title_starting(stack, thread, f"#{ticket_id} ·")  # no status mark: Open
        held, resumed = await m.HistoryRow.filter(
            ticket_id=ticket_id, field="status", old__not_isnull=True).order_by("id")
    assert (held.new, held.actor_kind) == ("on_hold", "employee")
    assert (resumed.new, resumed.actor_kind, resumed.at) == ("open", "system", tomorrow_ten)
    assert row.status == "open" and row.on_hold_until is None
    assert moved - planned == tomorrow_ten - held.at  # exactly the paused time


async def test_hold_until_a_date_is_read_in_the_desks_time_zone(
        emulator: TelegramEmulator) -> None:
    """CHATDESK_TIMEZONE=Europe/Moscow: "10:00" is 10:00 in Moscow (07:00 UTC), the card
    shows it as agents typed it, and the ticket is back at that moment, not three hours
    later; the client reads the same Moscow time."""
    clock = ShiftClock()
    day = (clock.now() + timedelta(days=2)).date()
    ten_in_moscow = datetime.combine(day, time(10), ZoneInfo("Europe/Moscow"))
    anna = (await add_agents(emulator, ["anna"]))["anna"]
    async with running_stack(emulator, clock, timer_interval=TICK,
                             timezone="Europe/Moscow") as stack:
        ticket_id, thread = await open_ticket(stack)
        emulator.inject_group_message(AGENT_CHAT, anna.telegram_id, f"/hold {day} 10:00",
                                      message_thread_id=thread)
        await card_showing(stack, ticket_id, f"On hold until: {day} 10:00 MSK")
        notice = await emulator.wait_for_bot_message(
            CLIENT, match=lambda msg: "on hold until" in (msg.text or ""), timeout=10)
        assert f"{day} 10:00 MSK" in (notice.text or "")
        clock.jump_to(ten_in_moscow + timedelta(minutes=1))
        await card_showing(stack, ticket_id, "Status: Open")
        row = await m.TicketRow.get(id=ticket_id)
    assert row.on_hold_until is None and row.status == "open"


async def test_sla_breach_is_posted_into_its_topic_once(emulator: TelegramEmulator) -> None:
    clock = ShiftClock()
    await sla_rule(BusinessCalendar.always(), reaction=timedelta(minutes=30))
    anna = (await add_agents(emulator, ["anna"]))["anna"]
    async with running_stack(emulator, clock, timer_interval=TICK) as stack:
        assert stack.timers is not None
        ticket_id, thread = await open_ticket(stack)
        clock.advance(timedelta(minutes=25))  # past the warning at 80% of the target
        await stack.emulator.wait_for(lambda _: posts(stack, thread, "SLA warning"), 10)
        clock.advance(timedelta(minutes=6))  # past the deadline
        await stack.emulator.wait_for(lambda _: posts(stack, thread, "SLA breached"), 10)

        # a change that recomputes the deadlines, more time, several more scans
        emulator.inject_group_message(AGENT_CHAT, anna.telegram_id, "/priority High",
                                      message_thread_id=thread)
        await card_showing(stack, ticket_id, "Priority: High")
        clock.advance(timedelta(hours=2))
        await stack.timers.rounds(3)
        await all_delivered()

        assert len(posts(stack, thread, "SLA breached")) == 1
        assert len(posts(stack, thread, "SLA warning")) == 1
        reported = await m.HistoryRow.filter(ticket_id=ticket_id, field="sla_breach").count()
    assert reported == 1
