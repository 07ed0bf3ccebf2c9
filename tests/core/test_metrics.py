"""First response and resolution time, computed from a ticket's history (docs/DOMAIN.md §3.5,
§4.1)."""

from __future__ import annotations

from datetime import timedelta

from core import commands as c
from core.metrics import first_response, resolution_time
from core.people import Actor
from core.services import Desk
from core.statuses import ObjectState, Status, Workflow
from tests.core.steps import agent_replies, client_writes
from tests.fakes import ANNA, BORIS, FakeClock, InMemoryStore, make_desk

MINUTE, HOUR, WEEK = timedelta(minutes=1), timedelta(hours=1), timedelta(days=7)
IN_PROGRESS = Status("in_progress", "In progress", ObjectState.OPEN, position=5)
REJECTED = Status("rejected", "Rejected", ObjectState.CLOSED, position=6)


def resolution(store: InMemoryStore, clock: FakeClock, ticket_id: int) -> timedelta:
    return resolution_time(store.history_of(ticket_id), Workflow(store.statuses), clock.now())


def response(store: InMemoryStore, ticket_id: int) -> tuple[timedelta, Actor] | None:
    found = first_response(store.history_of(ticket_id), store.comments_of(ticket_id))
    return None if found is None else (found.after, found.by)


async def opened(desk: Desk) -> int:
    return (await client_writes(desk)).ticket_id


async def test_time_closed_is_left_out_of_resolution_time_the_domain_example() -> None:
    desk, store, clock = make_desk()
    ticket_id = await opened(desk)
    contact_id = store.ticket(ticket_id).contact_id
    clock.advance(HOUR)
    await agent_replies(desk, ticket_id, "Done", resolve=True)
    await desk.handle(c.ChangeStatus(ticket_id, ANNA, "Closed"))
    clock.advance(WEEK)
    assert (await client_writes(desk, "It broke again")).reopened
    clock.advance(30 * MINUTE)
    await agent_replies(desk, ticket_id, "Done again", resolve=True)
    await desk.handle(c.ClientClosesTicket(contact_id, ticket_id))
    clock.advance(30 * WEEK)
    assert resolution(store, clock, ticket_id) == HOUR + 30 * MINUTE


async def test_time_in_a_custom_closed_status_is_left_out_of_resolution_time() -> None:
    desk, store, clock = make_desk(statuses=[REJECTED])
    ticket_id = await opened(desk)
    clock.advance(HOUR)
    await desk.handle(c.ChangeStatus(ticket_id, ANNA, "Rejected"))
    assert store.ticket(ticket_id).closed_at == clock.now()
    clock.advance(WEEK)
    assert (await client_writes(desk, "It is not a duplicate")).reopened
    clock.advance(30 * MINUTE)
    await agent_replies(desk, ticket_id, "Done", resolve=True)
    clock.advance(WEEK)
    assert resolution(store, clock, ticket_id) == HOUR + 30 * MINUTE


async def test_time_on_hold_is_left_out_of_resolution_time() -> None:
    desk, store, clock = make_desk()
    ticket_id = await opened(desk)
    clock.advance(HOUR)
    await desk.handle(c.ChangeStatus(ticket_id, ANNA, "On hold", clock.now() + 2 * HOUR))
    clock.advance(2 * HOUR)
    await desk.handle(c.ChangeStatus(ticket_id, None, "Open"))
    clock.advance(30 * MINUTE)
    await agent_replies(desk, ticket_id, resolve=True)
    assert resolution(store, clock, ticket_id) == HOUR + 30 * MINUTE


async def test_a_ticket_still_open_counts_up_to_now_including_custom_working_statuses() -> None:
    desk, store, clock = make_desk(statuses=[IN_PROGRESS])
    ticket_id = await opened(desk)
    clock.advance(10 * MINUTE)
    await desk.handle(c.ChangeStatus(ticket_id, ANNA, "In progress"))
    clock.advance(HOUR)
    assert resolution(store, clock, ticket_id) == HOUR + 10 * MINUTE


async def test_first_response_is_the_first_public_agent_comment() -> None:
    desk, store, clock = make_desk()
    ticket_id = await opened(desk)
    clock.advance(5 * MINUTE)
    await client_writes(desk, "Hello? Anyone?")
    clock.advance(10 * MINUTE)
    await agent_replies(desk, ticket_id, "Looking into it", employee_id=BORIS)
    clock.advance(HOUR)
    await agent_replies(desk, ticket_id, "Fixed", resolve=True)
    assert response(store, ticket_id) == (15 * MINUTE, Actor.employee(BORIS))


async def test_first_response_can_be_a_status_change_before_any_answer() -> None:
    desk, store, clock = make_desk(statuses=[IN_PROGRESS])
    ticket_id = await opened(desk)
    clock.advance(3 * MINUTE)
    await desk.handle(c.ChangeStatus(ticket_id, ANNA, "In progress"))
    clock.advance(HOUR)
    await agent_replies(desk, ticket_id, "Here you go", employee_id=BORIS)
    assert response(store, ticket_id) == (3 * MINUTE, Actor.employee(ANNA))


async def test_private_notes_do_not_count_as_a_response() -> None:
    desk, store, clock = make_desk()
    ticket_id = await opened(desk)
    clock.advance(2 * MINUTE)
    await desk.handle(c.AddPrivateNote(ticket_id, ANNA, "Probably the toner"))
    assert response(store, ticket_id) is None
    clock.advance(40 * MINUTE)
    await agent_replies(desk, ticket_id, "Please replace the toner")
    assert response(store, ticket_id) == (42 * MINUTE, Actor.employee(ANNA))


async def test_a_ticket_nobody_reacted_to_has_no_first_response() -> None:
    desk, store, clock = make_desk()
    ticket_id = await opened(desk)
    clock.advance(HOUR)
    await desk.handle(c.ChangeStatus(ticket_id, None, "Awaiting reply"))  # an automation
    store_ticket = store.ticket(ticket_id)
    await desk.handle(c.ClientClosesTicket(store_ticket.contact_id, ticket_id))
    assert response(store, ticket_id) is None
