"""A getUpdates batch written behind (storage/write_behind.py, buffered.py) ends as the
per-update path ends it, through aiogram, the poller and the relay against the Telegram
emulator, on both engines: (1) a scenario leaves the same rows in every table and the same
messages in every chat either way; (2) 50 messages cost a few statements written behind,
hundreds update by update; (3) a failing update is parked alone, the others commit once;
(4) a ticket changed meanwhile loses nothing; (5) a contact edited in the panel meanwhile
keeps the edit (the batch writes only the columns it changed); (6) on PostgreSQL a batch
redone the careful way numbers its tickets as if it had gone through at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionWrapper

from bots.telegram.config import TelegramConfig
from bots.telegram.limits import RateLimiter, TelegramLimits
from bots.telegram.setup import install_telegram
from chatdesk.bootstrap import build_desk
from chatdesk.runtime import Runtime
from core import commands as c
from core.actions import AddNote, SetPriority
from core.automation import AutomationRule, Trigger
from core.calendar import BusinessCalendar
from core.conditions import Conditions
from core.outbox import Routing
from core.routing import RoutingRule
from core.services import HANDLERS
from core.sla import ServiceCalendar, SlaRule
from emulators.telegram import RateLimits, TelegramEmulator
from storage import models as m
from storage import rule_models as rm
from storage.journal import Journal
from storage.write_behind import WriteBehind
from tests.bots.test_telegram_handlers import ANNA, BORIS, IVAN, OLGA, TOKEN, World
from tests.conftest import _open_test_database

pytestmark = pytest.mark.e2e

PETR, MARIA, NINA, PAVEL, SOFIA = 5003, 5004, 5005, 5006, 5007
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, in office hours
OFFICE = BusinessCalendar.weekdays("UTC", time(9), time(18))
TABLES = (m.TicketRow, m.CommentRow, m.ContactRow, m.IdentityRow, m.HistoryRow, m.EventRow,
          m.OutboxRow, rm.DeskTimerRow, m.InboundRow)
# what may differ between the two runs: the wall clock, and ids nobody is shown
IGNORED = {"contacts": {"created_at"}, "contact_identities": {"id"}, "ticket_history": {"id"},
           "ticket_events": {"id"}, "outbox": {"id"}, "desk_timers": {"id"},
           "inbound": {"id", "received_at"}}
STATEMENTS: ContextVar[list[str] | None] = ContextVar("statements", default=None)
fresh_database = asynccontextmanager(_open_test_database)  # what `database` gives, again


@pytest.fixture(autouse=True)
def _note_statements(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every statement tortoise sends from a task that set STATEMENTS is noted there."""
    def noting(execute: Any) -> Any:
        async def run(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            if (sent := STATEMENTS.get()) is not None:
                sent.append(query)
            return await execute(self, query, *args, **kwargs)
        return run

    for cls in (SqliteClient, SqliteTransactionWrapper, AsyncpgDBClient, TransactionWrapper):
        for name in {"execute_query", "execute_query_dict", "execute_insert", "execute_many",
                     "execute_script"} & set(vars(cls)):
            monkeypatch.setattr(cls, name, noting(vars(cls)[name]))


@dataclass
class Clock:
    """Moves only when the test moves it: both runs see the same times."""
    at: datetime = T0

    def now(self) -> datetime:
        return self.at


@dataclass
class Stage(World):
    clock: Clock = field(default_factory=Clock)
    batches: list[int] = field(default_factory=list)  # the sizes the poller handed over
    statements: list[list[str]] = field(default_factory=list, repr=False)  # ... per batch

    async def ticket_of(self, user_id: int) -> int:
        """The client's current ticket."""
        link = await m.IdentityRow.get(channel="telegram", external_id=str(user_id))
        return (await m.ContactRow.get(id=link.contact_id)).current_ticket_id or 0


@asynccontextmanager
async def running(write_behind: bool = True) -> AsyncIterator[Stage]:
    """The product as `running_desk` (test_telegram_handlers.py) runs it, on our clock."""
    emulator = TelegramEmulator(token=TOKEN, rate_limits=RateLimits.off())
    await emulator.start()
    team = emulator.create_supergroup("Support team", members=[
        {"user_id": ANNA, "first_name": "Anna"}, {"user_id": BORIS, "first_name": "Boris"}]).id
    clock = Clock()
    desk = build_desk(clock=clock, routing=Routing(frozenset({"telegram"}), "telegram"))
    await desk.handle(c.AddEmployee("Anna Smirnova", "anna", "specialist", ANNA))
    await desk.handle(c.AddEmployee("Boris Ivanov", "boris", "specialist", BORIS))
    runtime = Runtime(desk)
    config = TelegramConfig(token=TOKEN, api_url=emulator.base_url, agent_chat_id=team,
                            polling_timeout=1)
    processor = await install_telegram(runtime, None, clock, config=config,
                                       limiter=RateLimiter(TelegramLimits.off()))
    processor.write_behind = write_behind
    stage = Stage(emulator, desk, processor, team, clock=clock)
    real = processor.process_batch

    async def watched(updates: Any) -> None:
        stage.batches.append(len(updates))
        sent: list[str] = []
        token = STATEMENTS.set(sent)
        try:
            await real(updates)
        finally:
            STATEMENTS.reset(token)
            stage.statements.append(sent)

    processor.process_batch = watched  # type: ignore[method-assign]
    await runtime.start()
    try:
        yield stage
    finally:
        await runtime.stop()
        await emulator.stop()
    assert not emulator.internal_errors


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An engine for two fresh databases: tmp_path/True and tmp_path/False hold SQLite's."""
    for run in ("True", "False"):
        (tmp_path / run).mkdir()
    return str(request.param)


# --- 1. the same rows either way -----------------------------------------------------------
async def scenario(w: Stage) -> None:
    d = w.desk
    admin = await d.handle(c.AddEmployee("Olga Admin", "admin", "admin"))
    anna, boris = [(await m.EmployeeRow.get(login=x)).id for x in ("anna", "boris")]
    office = await d.handle(c.SaveRule(admin.id, ServiceCalendar(0, "Office", OFFICE)))
    for rule in (SlaRule(0, "Standard", office.id, timedelta(hours=1), timedelta(hours=8)),
                 RoutingRule(0, "To Boris", responsible_id=boris, observer_ids=frozenset({anna})),
                 AutomationRule(0, "Ask", Trigger.CREATED, (AddNote("Ask for the model"),)),
                 AutomationRule(0, "Chased", Trigger.CLIENT_REPLIED, (SetPriority("high"),),
                                Conditions(statuses=frozenset({"open"})))):
        await d.handle(c.SaveRule(admin.id, rule))
    await d.handle(c.SaveContact(admin.id, 0, "Sofia (office)", phone="+79990001122"))
    for user, name in ((IVAN, "Ivan"), (OLGA, "Olga"), (PETR, "Petr"), (MARIA, "Maria")):
        w.client(user, f"{name}'s printer is broken", first_name=name)
    await w.settled()
    ivan, olga, petr, maria = [await w.ticket_of(u) for u in (IVAN, OLGA, PETR, MARIA)]
    threads = {t: await w.topic_of(t) for t in (ivan, olga, maria)}
    await d.handle(c.ChangeStatus(petr, boris, "closed"))
    w.clock.at += timedelta(days=8)  # past the reopen window of Petr's ticket
    await d.handle(c.ChangeStatus(ivan, boris, "resolved"))
    await d.handle(c.ChangeStatus(olga, boris, "closed"))
    await w.settled()
    rating = next(msg.message_id for msg in w.emulator.bot_messages(IVAN)
                  if f"c:rate:{ivan}:4" in msg.callback_data)
    w.clock.at += timedelta(hours=1)

    # one batch: injected with no pause between, so the waiting getUpdates returns them all
    w.client(NINA, "The app crashes on start", first_name="Nina")
    w.client(PAVEL, photo=b"\x89PNG fake", caption="The error", first_name="Pavel")
    w.client(NINA, "It says error 42")
    w.client(SOFIA, contact={"phone_number": "79990001122", "first_name": "Sofia",
                             "user_id": SOFIA}, first_name="Sofia")  # the office's Sofia
    w.client(SOFIA, document=b"%PDF fake", filename="bill.pdf", mime_type="application/pdf",
             caption="A wrong bill")
    w.press(IVAN, rating, f"c:rate:{ivan}:4")
    w.client(IVAN, "Still broken after all")  # resolved: reopened
    w.agent(ANNA, "Please restart it", threads[ivan])
    w.agent(ANNA, "/resolve Restarted it", threads[ivan])
    w.client(OLGA, "Me again")  # closed an hour ago: reopened
    w.agent(ANNA, "/hold 2h", threads[olga])
    w.client(PETR, "Now the scanner")  # closed 8 days ago: a new ticket, linked
    w.client(MARIA, "/new")
    w.client(MARIA, "Another question")
    w.agent(ANNA, "/note checked the logs", threads[maria])
    w.client(NINA, "Any news?")
    w.client(PAVEL, "Hello?", language_code="ru")
    w.client(IVAN, "Restarted, no luck")  # resolved again: reopened again
    await w.settled()


async def outcome(w: Stage) -> dict[str, Any]:
    """Every table's rows in id order, and what the bot said in each chat and in the topic
    of each ticket (topics are numbered as the relay happens to open them)."""
    dump: dict[str, Any] = {}
    for model in TABLES:
        table = model._meta.db_table
        dump[table] = [{k: v for k, v in row.items() if k not in IGNORED.get(table, ())}
                       for row in await model.all().order_by("id").values()]
    topics = dict(await m.TelegramTopicRow.all().values_list("thread_id", "ticket_id"))
    said: dict[tuple[int, int | None], list[str | None]] = {}
    for chat in (IVAN, OLGA, PETR, MARIA, NINA, PAVEL, SOFIA, w.team):
        for msg in w.emulator.bot_messages(chat):
            key = chat, topics.get(msg.message_thread_id)
            said.setdefault(key, []).append(msg.text or msg.caption)
    return {**dump, "what the bot said": sorted(said.items())}


async def test_a_scenario_ends_the_same_written_behind_as_update_by_update(
        engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    runs = {}
    for write_behind in (True, False):
        async with fresh_database(engine, tmp_path / str(write_behind), request), running(
                write_behind) as w:
            await scenario(w)
            runs[write_behind] = await outcome(w), w.batches, w.processor.written_behind
    (fast, fast_batches, written), (slow, slow_batches, none) = runs[True], runs[False]
    assert fast_batches == slow_batches == [4, 18]  # the same batches ...
    assert (written, none) == (2, 0)  # ... all written behind in the first run, no fallback
    for table, rows in slow.items():
        assert fast[table] == rows, table


# --- 2. a few statements per batch ----------------------------------------------------------
async def test_a_batch_costs_a_few_statements_written_behind_and_hundreds_update_by_update(
        database: str) -> None:
    clients = range(6001, 6051)
    async with running() as w:
        for user in clients:
            w.client(user, "Hello", first_name="Client")
        await w.settled()
        cost = {}
        for write_behind, group in ((True, clients[:25]), (False, clients[25:])):
            w.processor.write_behind = write_behind
            for text in ("My order is late", "It is order 42"):
                for user in group:
                    w.client(user, text)
            await w.settled()
            cost[write_behind] = len(w.statements[-1])
    assert w.batches == [50, 50, 50]
    assert cost[True] <= 30 and cost[False] > 300, cost
    # 50 new clients cost as little, but on PostgreSQL each new ticket's number is a query
    assert len(w.statements[0]) <= 30 + (50 if database.startswith("postgres") else 0)


# --- 3. a failing update -------------------------------------------------------------------
def failing_on(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A client's message with this text makes the handler crash after its writes."""
    real = HANDLERS[c.ClientWrites]

    async def fragile(cmd: c.ClientWrites, ctx: Any) -> Any:
        result = await real(cmd, ctx)
        if cmd.text == text:
            raise RuntimeError("a bug in a handler")
        return result

    monkeypatch.setitem(HANDLERS, c.ClientWrites, fragile)


async def test_a_failing_update_is_parked_alone_and_the_others_commit_once(
        database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    failing_on("boom", monkeypatch)
    async with running() as w:
        w.client(IVAN, "My printer is broken", first_name="Ivan")
        w.client(OLGA, "boom", first_name="Olga")
        w.client(PETR, "My scanner is broken", first_name="Petr")
        w.client(IVAN, "It is the HP one")
        await w.settled()
        assert (w.batches, w.processor.written_behind) == ([4], 0)  # redone update by update
        w.client(PETR, "Any news?")
        await w.settled()
        assert w.processor.written_behind == 1  # the next batch is written behind again
        assert len([t for t in w.said_to(IVAN) if "#" in t]) == 1  # not one per attempt
        assert w.said_to(OLGA) == []
    bodies = await m.CommentRow.filter(author_kind="client").values_list("body", flat=True)
    assert sorted(bodies) == ["Any news?", "It is the HP one", "My printer is broken",
                              "My scanner is broken"]
    assert await m.TicketRow.all().count() == 2
    assert await m.InboundRow.filter(state="done").count() == 4
    parked = await m.InboundRow.filter(state="failed").values_list("last_error", flat=True)
    assert parked == ["RuntimeError: a bug in a handler"]


# --- 4. someone else's change during the batch ---------------------------------------------------
@asynccontextmanager
async def paused_at_flush(monkeypatch: pytest.MonkeyPatch, holds: Callable[[Journal], bool]
                          ) -> AsyncIterator[asyncio.Event]:
    """The batch stops before the first flush whose buffers `holds` something, until the
    block ends; the event yielded is set when it stops."""
    reached, resume = asyncio.Event(), asyncio.Event()
    real = WriteBehind._flush

    async def flush(self: WriteBehind) -> None:
        if not reached.is_set() and holds(self.buffer):
            reached.set()
            await resume.wait()
        await real(self)

    monkeypatch.setattr(WriteBehind, "_flush", flush)
    try:
        yield reached
    finally:
        resume.set()


async def test_a_ticket_changed_during_the_batch_keeps_both_changes(
        database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    postgres = database.startswith("postgres")
    async with running() as w:
        w.client(IVAN, "My printer is broken", first_name="Ivan")
        await w.settled()
        ticket, boris = await w.ticket_of(IVAN), (await m.EmployeeRow.get(login="boris")).id
        await w.desk.handle(c.ChangeStatus(ticket, boris, "resolved"))
        async with paused_at_flush(monkeypatch, lambda b: ticket in b.tickets) as reached:
            w.client(IVAN, "It broke again")  # reopens it
            w.client(OLGA, "Hello", first_name="Olga")
            await reached.wait()
            change = asyncio.create_task(w.desk.handle(
                c.SetTicketField(ticket, boris, "priority", "urgent")))
            if postgres:  # it commits while the batch waits (SQLite: after it, one writer)
                await asyncio.wait_for(asyncio.shield(change), 10)
        await change
        await w.settled()
        assert w.processor.written_behind == (1 if postgres else 2)  # PG: redone carefully
    row = await m.TicketRow.get(id=ticket)
    assert (row.status, row.priority) == ("open", "urgent")
    bodies = await m.CommentRow.filter(author_kind="client").values_list("body", flat=True)
    assert sorted(bodies) == ["Hello", "It broke again", "My printer is broken"]


# --- found by these tests, fixed since -------------------------------------------------------
async def test_a_contact_edited_during_the_batch_keeps_the_edit(
        postgres_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running() as w:
        w.client(IVAN, "My printer is broken", first_name="Ivan")
        await w.settled()
        admin = await w.desk.handle(c.AddEmployee("Olga Admin", "admin", "admin"))
        contact = (await m.IdentityRow.get(external_id=str(IVAN))).contact_id
        async with paused_at_flush(monkeypatch, lambda b: contact in b.contacts) as reached:
            w.client(IVAN, "/new")
            w.client(IVAN, "And the scanner")
            await reached.wait()
            await asyncio.wait_for(w.desk.handle(c.SaveContact(  # commits meanwhile
                admin.id, contact, "Ivan Petrov", email="ivan@example.com")), 10)
        await w.settled()
        assert await w.ticket_of(IVAN) == 2  # the batch's change is there ...
    row = await m.ContactRow.get(id=contact)
    assert (row.name, row.email) == ("Ivan Petrov", "ivan@example.com")  # ... the panel's not


async def test_a_batch_redone_update_by_update_numbers_tickets_as_the_per_update_path(
        tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_on("boom", monkeypatch)
    numbers = {}
    for write_behind in (True, False):
        async with fresh_database("postgres", tmp_path, request), running(
                write_behind) as w:
            w.client(IVAN, "My printer is broken", first_name="Ivan")
            w.client(PETR, "My scanner is broken", first_name="Petr")
            w.client(OLGA, "boom", first_name="Olga")
            await w.settled()
            assert w.batches == [3]
            numbers[write_behind] = [await w.ticket_of(IVAN), await w.ticket_of(PETR)]
    assert numbers[True] == numbers[False] == [1, 2]
