"""What agents do to tickets: reply, take, assign, escalate, change status and fields, and
what happens when two agents act on one ticket at once (docs/DOMAIN.md §1.3-1.5, §2, §3.1-3.2)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core import commands as c
from core.errors import AlreadyTaken, DomainError, InvalidInput, NotAllowed, TransitionRefused
from core.statuses import AWAITING_REPLY, ON_HOLD, OPEN, RESOLVED
from core.tickets import Ticket
from tests.core.steps import (
    agent_replies,
    client_writes,
    interleave_first_reads,
    statuses_in_history,
)
from tests.fakes import ANNA, BORIS, LINE1_GROUP, LINE2_GROUP, OLGA, make_desk


async def test_send_keeps_the_status_and_send_and_resolve_resolves() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await agent_replies(desk, first.ticket_id, "Is it plugged in?")
    assert store.ticket(first.ticket_id).status == OPEN
    await agent_replies(desk, first.ticket_id, "Replaced the cable", resolve=True)
    assert store.ticket(first.ticket_id).status == RESOLVED
    assert [(c.body, c.public) for c in store.comments_of(first.ticket_id)][1:] == [
        ("Is it plugged in?", True), ("Replaced the cable", True)]


@pytest.mark.parametrize(("employee_id", "reason"), [(OLGA, "deactivated"), (99, "not a member")])
async def test_only_active_team_members_can_answer(employee_id: int, reason: str) -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    before = store.snapshot()
    with pytest.raises(NotAllowed, match=reason):
        await agent_replies(desk, first.ticket_id, employee_id=employee_id)
    assert store.snapshot() == before


async def test_an_empty_reply_is_refused() -> None:
    desk, _, _ = make_desk()
    first = await client_writes(desk)
    with pytest.raises(InvalidInput, match="write some text"):
        await agent_replies(desk, first.ticket_id, " ")


async def test_a_second_agent_taking_a_taken_ticket_is_told_who_has_it() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    taken = await desk.handle(c.TakeTicket(first.ticket_id, ANNA))
    assert isinstance(taken, Ticket) and taken.responsible_id == ANNA
    with pytest.raises(AlreadyTaken, match="already taken by Anna Petrova"):
        await desk.handle(c.TakeTicket(first.ticket_id, BORIS))
    with pytest.raises(AlreadyTaken, match="already yours"):
        await desk.handle(c.TakeTicket(first.ticket_id, ANNA))
    assert store.ticket(first.ticket_id).responsible_id == ANNA


async def test_two_agents_taking_at_once_one_wins_the_other_is_told_who() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    reads = interleave_first_reads(store)
    results: list[object] = await asyncio.gather(
        desk.handle(c.TakeTicket(first.ticket_id, ANNA)),
        desk.handle(c.TakeTicket(first.ticket_id, BORIS)),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, Ticket)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1 and len(losers) == 1
    holder = store.ticket(first.ticket_id).responsible_id
    assert holder == winners[0].responsible_id
    assert isinstance(losers[0], AlreadyTaken)
    assert f"taken by {store.employees[holder or 0].name}" in str(losers[0])
    versions = [t.version for _, t in reads if isinstance(t, Ticket)]
    assert versions[0] == versions[1], "both read the same version"
    assert len(versions) == 3, "the loser read the ticket again on its retry"
    assert len(store.history_of(first.ticket_id, "responsible")) == 1


async def test_when_retries_run_out_the_agent_is_asked_to_try_again() -> None:
    desk, store, _ = make_desk(attempts=1)
    first = await client_writes(desk)
    interleave_first_reads(store)
    results = await asyncio.gather(
        desk.handle(c.AddAgentReply(first.ticket_id, ANNA, "One")),
        desk.handle(c.AddAgentReply(first.ticket_id, BORIS, "Two")),
        return_exceptions=True,
    )
    [refusal] = [r for r in results if isinstance(r, BaseException)]
    assert type(refusal) is DomainError and "try again" in str(refusal)
    assert len(store.comments_of(first.ticket_id)) == 2, "the loser's reply was not kept"


async def test_concurrent_replies_both_land_after_the_retry() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    interleave_first_reads(store)
    await asyncio.gather(
        desk.handle(c.AddAgentReply(first.ticket_id, ANNA, "One")),
        desk.handle(c.AddAgentReply(first.ticket_id, BORIS, "Two")),
    )
    assert sorted(c.body for c in store.comments_of(first.ticket_id)[1:]) == ["One", "Two"]
    assert store.ticket(first.ticket_id).version == 3


async def test_escalating_to_line_two_and_back_restores_the_first_line_agent() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.TakeTicket(first.ticket_id, ANNA))
    await desk.handle(c.Escalate(first.ticket_id, ANNA, LINE2_GROUP))
    ticket = store.ticket(first.ticket_id)
    assert (ticket.line, ticket.responsible_id, ticket.group_id) == (2, None, LINE2_GROUP)
    await desk.handle(c.TakeTicket(first.ticket_id, BORIS))
    await desk.handle(c.Deescalate(first.ticket_id, BORIS))
    ticket = store.ticket(first.ticket_id)
    assert (ticket.line, ticket.responsible_id) == (1, ANNA)
    assert [(h.old, h.new) for h in store.history_of(ticket.id, "line")] == [
        ("1", "2"), ("2", "1")]
    assert [(h.old, h.new) for h in store.history_of(ticket.id, "responsible")] == [
        (None, str(ANNA)), (str(ANNA), None), (None, str(BORIS)), (str(BORIS), str(ANNA))]
    assert [(e.name, getattr(e, "new", None)) for e in store.events
            if e.name == "LineChanged"] == [("LineChanged", 2), ("LineChanged", 1)]


async def test_deescalating_gives_the_ticket_back_to_the_first_line_group_each_time() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.AssignTicket(first.ticket_id, ANNA, ANNA, LINE1_GROUP))
    for _ in range(2):  # the second round finds the first one in the history table
        await desk.handle(c.Escalate(first.ticket_id, ANNA, LINE2_GROUP))
        await desk.handle(c.AssignTicket(first.ticket_id, BORIS, BORIS, LINE2_GROUP))
        await desk.handle(c.Deescalate(first.ticket_id, BORIS))
        ticket = store.ticket(first.ticket_id)
        assert (ticket.line, ticket.responsible_id, ticket.group_id) == (1, ANNA, LINE1_GROUP)
    assert [(h.old, h.new) for h in store.history_of(first.ticket_id, "group")] == [
        (None, str(LINE1_GROUP)), *[(str(LINE1_GROUP), str(LINE2_GROUP)),
                                    (str(LINE2_GROUP), str(LINE1_GROUP))] * 2]


async def test_escalating_without_a_group_and_back_keeps_the_group() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.AssignTicket(first.ticket_id, ANNA, ANNA, LINE1_GROUP))
    await desk.handle(c.Escalate(first.ticket_id, ANNA))
    await desk.handle(c.Deescalate(first.ticket_id, ANNA))
    ticket = store.ticket(first.ticket_id)
    assert (ticket.line, ticket.responsible_id, ticket.group_id) == (1, ANNA, LINE1_GROUP)


async def test_escalating_twice_is_refused() -> None:
    desk, _, _ = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.Escalate(first.ticket_id, ANNA))
    with pytest.raises(TransitionRefused, match="second line"):
        await desk.handle(c.Escalate(first.ticket_id, ANNA))


async def test_an_agent_changes_status_by_its_name_and_on_hold_needs_a_date() -> None:
    desk, store, clock = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "Awaiting reply"))
    with pytest.raises(InvalidInput, match="date and time"):
        await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "On hold"))
    until = clock.now() + timedelta(days=2)
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "on hold", until))
    ticket = store.ticket(first.ticket_id)
    assert (ticket.status, ticket.on_hold_until) == (ON_HOLD, until)
    clock.advance(timedelta(days=2))
    await desk.handle(c.ChangeStatus(first.ticket_id, None, OPEN))  # the timer resumes it
    assert statuses_in_history(store, first.ticket_id) == [OPEN, AWAITING_REPLY, ON_HOLD, OPEN]
    assert store.history_of(first.ticket_id, "status")[-1].actor.kind == "system"


async def test_an_agent_sets_priority_by_name_and_learns_the_choices_on_a_typo() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.SetTicketField(first.ticket_id, ANNA, "priority", "HIGH"))
    assert store.ticket(first.ticket_id).priority == "high"
    with pytest.raises(InvalidInput, match="choose from Low, Normal, High, Urgent"):
        await desk.handle(c.SetTicketField(first.ticket_id, ANNA, "priority", "asap"))
    with pytest.raises(InvalidInput, match="no ticket type"):
        await desk.handle(c.SetTicketField(first.ticket_id, ANNA, "type_code", "rocket"))


async def test_a_deactivated_agent_cannot_be_made_responsible() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    with pytest.raises(InvalidInput, match="deactivated"):
        await desk.handle(c.AssignTicket(first.ticket_id, ANNA, OLGA))
    await desk.handle(c.AssignTicket(first.ticket_id, ANNA, BORIS, LINE2_GROUP))
    ticket = store.ticket(first.ticket_id)
    assert (ticket.responsible_id, ticket.group_id) == (BORIS, LINE2_GROUP)


async def test_an_agent_registers_a_phone_call_as_a_ticket_with_a_private_note() -> None:
    desk, store, _ = make_desk()
    client = await client_writes(desk)
    ticket = await desk.handle(c.OpenTicketForClient(ANNA, client.contact_id, "Called: VPN",
                                                     "Cannot connect since Monday",
                                                     type_code="incident", priority="high"))
    stored = store.ticket(ticket.id)
    assert (stored.channel, stored.type_code, stored.priority) == ("agent", "incident", "high")
    [note] = store.comments_of(ticket.id)
    assert not note.public and note.body == "Cannot connect since Monday"
    assert store.history_of(ticket.id, "status")[0].actor.id == ANNA


async def test_observers_must_be_team_members() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.AddObserver(first.ticket_id, ANNA, BORIS))
    assert store.ticket(first.ticket_id).observer_ids == {BORIS}
    with pytest.raises(DomainError):
        await desk.handle(c.AddObserver(first.ticket_id, ANNA, 99))


async def test_a_ticket_registered_by_hand_gets_a_real_priority_or_a_list_of_them() -> None:
    desk, store, _ = make_desk()
    client = await client_writes(desk)
    ticket = await desk.handle(c.OpenTicketForClient(ANNA, client.contact_id, "Call",
                                                     priority="Urgent"))
    assert store.ticket(ticket.id).priority == "urgent"
    before = store.snapshot()
    with pytest.raises(InvalidInput, match="choose from Low, Normal, High, Urgent"):
        await desk.handle(c.OpenTicketForClient(ANNA, client.contact_id, "Call",
                                                priority="asap"))
    assert store.snapshot() == before
