"""The desk on a real database (SQLite and PostgreSQL): a change, its history, its events
and its outbox messages are committed together or not at all; concurrent takes are safe."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from chatdesk.bootstrap import build_desk
from core import commands as c
from core.errors import AlreadyTaken, InvalidInput
from core.outbox import Routing
from core.people import Employee, Role
from core.services import Desk
from storage import models as m
from storage.uow import TortoiseUnitOfWork

ROUTING = Routing(client_channels=frozenset({"telegram", "vk", "viber"}),
                  agent_channel="telegram")


class StepClock:
    def __init__(self) -> None:
        self.at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


async def add_employee(login: str, active: bool = True) -> int:
    async with TortoiseUnitOfWork() as uow:
        employee = await uow.employees.add(Employee(0, login.title(), login, Role.SPECIALIST,
                                                    active))
        await uow.commit()
    return employee.id


def writes(text: str, user: str = "1001") -> c.ClientWrites:
    return c.ClientWrites("telegram", user, "Anna", text, language="en")


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def desk(database: str, clock: StepClock) -> Desk:
    return build_desk(clock=clock, routing=ROUTING)


async def test_client_message_commits_ticket_comment_history_events_and_outbox(desk: Desk):
    result = await desk.handle(writes("My printer is on fire\nplease help"))

    ticket = await m.TicketRow.get(id=result.ticket_id)
    assert ticket.subject == "My printer is on fire" and ticket.status == "open"
    assert await m.CommentRow.filter(ticket_id=ticket.id, public=True).count() == 1
    assert await m.HistoryRow.filter(ticket_id=ticket.id, field="status").count() == 1
    assert set(await m.EventRow.filter(ticket_id=ticket.id).values_list("name", flat=True)) == {
        "TicketOpened", "CommentAdded"}
    outbox = {(r.audience, r.kind) for r in await m.OutboxRow.filter(ticket_id=ticket.id)}
    assert outbox == {("agents", "ticket_opened"), ("client", "ticket_opened"),
                      ("agents", "client_comment")}
    client_row = await m.OutboxRow.get(ticket_id=ticket.id, audience="client")
    assert client_row.recipient == "1001" and client_row.state == "pending"


async def test_second_message_joins_the_same_ticket(desk: Desk):
    first = await desk.handle(writes("hello"))
    second = await desk.handle(writes("are you there?"))
    assert second.ticket_id == first.ticket_id and not second.opened
    assert await m.TicketRow.all().count() == 1


async def test_failed_command_leaves_no_trace(desk: Desk, monkeypatch: pytest.MonkeyPatch):
    import core.services

    def broken(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("relay planning failed")

    monkeypatch.setattr(core.services, "plan_messages", broken)
    with pytest.raises(RuntimeError):
        await desk.handle(writes("hello"))
    for model in (m.ContactRow, m.TicketRow, m.CommentRow, m.HistoryRow, m.OutboxRow):
        assert await model.all().count() == 0, model


async def test_refused_command_changes_nothing(desk: Desk):
    opened = await desk.handle(writes("hello"))
    agent = await add_employee("bob")
    before = await m.HistoryRow.all().count()
    with pytest.raises(InvalidInput):
        await desk.handle(c.ChangeStatus(opened.ticket_id, agent, "on hold"))  # no "until"
    assert (await m.TicketRow.get(id=opened.ticket_id)).status == "open"
    assert await m.HistoryRow.all().count() == before


async def test_reopen_window_on_a_real_database(desk: Desk, clock: StepClock):
    opened = await desk.handle(writes("hello"))
    agent = await add_employee("bob")
    await desk.handle(c.AddAgentReply(opened.ticket_id, agent, "Fixed", resolve=True))
    await desk.handle(c.ClientClosesTicket(opened.contact_id, opened.ticket_id))
    clock.at += timedelta(days=7, seconds=1)
    later = await desk.handle(writes("it broke again"))
    assert later.opened and later.linked_from_id == opened.ticket_id
    assert (await m.TicketRow.get(id=later.ticket_id)).linked_from_id == opened.ticket_id


async def test_two_agents_taking_one_ticket_at_once_exactly_one_wins(desk: Desk):
    opened = await desk.handle(writes("hello"))
    alice, bob = await add_employee("alice"), await add_employee("bob")

    results = await asyncio.gather(
        desk.handle(c.TakeTicket(opened.ticket_id, alice)),
        desk.handle(c.TakeTicket(opened.ticket_id, bob)),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], AlreadyTaken), results
    winner = alice if not isinstance(results[0], Exception) else bob
    assert (await m.TicketRow.get(id=opened.ticket_id)).responsible_id == winner
    assert await m.HistoryRow.filter(field="responsible").count() == 1
