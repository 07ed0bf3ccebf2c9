"""The ticket aggregate on its own: statuses with their dates, reopening, lines, taking,
fields and ratings (docs/DOMAIN.md §1-§3, §8.1)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core import events as ev
from core.errors import AlreadyTaken, InvalidInput, TransitionRefused
from core.people import Actor
from core.statuses import (
    AWAITING_REPLY,
    CLOSED,
    ON_HOLD,
    OPEN,
    RESOLVED,
    ObjectState,
    Status,
    Workflow,
)
from core.statuses import default_statuses as statuses
from core.tickets import Ticket
from tests.fakes import ANNA, BORIS, LINE1_GROUP, LINE2_GROUP, START

WORKFLOW = Workflow(statuses())
REJECTED = Status("rejected", "Rejected", ObjectState.CLOSED, position=6)
CUSTOM = Workflow([*statuses(), REJECTED])
AGENT = Actor.employee(ANNA)
HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)


def new_ticket(**fields: Any) -> Ticket:
    ticket = Ticket(subject="Printer", channel="telegram", contact_id=10, created_at=START,
                    id=1, **fields)
    ticket.opened(Actor.client(10), START)
    return ticket


def closed_ticket() -> Ticket:
    ticket = new_ticket()
    ticket.change_status(WORKFLOW, CLOSED, AGENT, START + HOUR)
    return ticket


def test_a_new_ticket_is_open_and_its_history_says_so() -> None:
    ticket = new_ticket()
    assert ticket.status == OPEN
    assert [(h.field, h.old, h.new) for h in ticket.history] == [("status", None, OPEN)]
    assert [type(e) for e in ticket.events] == [ev.TicketOpened]


def test_a_ticket_opened_from_an_old_one_records_the_link() -> None:
    ticket = new_ticket(linked_from_id=7)
    assert ("linked_from", "7") in [(h.field, h.new) for h in ticket.history]
    assert ticket.events[0] == ev.TicketOpened(1, START, Actor.client(10), 7)


def test_putting_on_hold_needs_a_resume_time_in_the_future() -> None:
    ticket = new_ticket()
    with pytest.raises(InvalidInput, match="date and time"):
        ticket.change_status(WORKFLOW, ON_HOLD, AGENT, START)
    with pytest.raises(InvalidInput, match="future"):
        ticket.change_status(WORKFLOW, ON_HOLD, AGENT, START, until=START)
    assert ticket.status == OPEN


def test_on_hold_reaches_at_most_a_year_ahead() -> None:
    ticket = new_ticket()
    with pytest.raises(InvalidInput, match="within a year"):
        ticket.change_status(WORKFLOW, ON_HOLD, AGENT, START,
                             until=START + timedelta(days=367))
    assert ticket.status == OPEN
    ticket.change_status(WORKFLOW, ON_HOLD, AGENT, START, until=START + timedelta(days=366))
    assert ticket.on_hold_until == START + timedelta(days=366)


def test_on_hold_remembers_until_when_and_resuming_early_forgets_it() -> None:
    ticket = new_ticket()
    ticket.change_status(WORKFLOW, ON_HOLD, AGENT, START, until=START + WEEK)
    assert (ticket.status, ticket.on_hold_until) == (ON_HOLD, START + WEEK)
    assert ("on_hold_until", (START + WEEK).isoformat()) in [
        (h.field, h.new) for h in ticket.history]
    ticket.change_status(WORKFLOW, OPEN, AGENT, START + HOUR)
    assert (ticket.status, ticket.on_hold_until) == (OPEN, None)


def test_resolving_and_closing_stamp_their_times_and_reopening_clears_them() -> None:
    ticket = new_ticket()
    ticket.change_status(WORKFLOW, RESOLVED, AGENT, START + HOUR)
    assert (ticket.resolved_at, ticket.closed_at) == (START + HOUR, None)
    ticket.change_status(WORKFLOW, CLOSED, Actor.client(10), START + 2 * HOUR)
    assert (ticket.resolved_at, ticket.closed_at) == (START + HOUR, START + 2 * HOUR)
    ticket.change_status(WORKFLOW, OPEN, Actor.client(10), START + 3 * HOUR,
                         reopen_window=WEEK)
    assert (ticket.resolved_at, ticket.closed_at) == (None, None)


def test_a_refused_status_change_leaves_the_ticket_and_its_records_alone() -> None:
    ticket = closed_ticket()
    history, events = list(ticket.history), list(ticket.events)
    with pytest.raises(TransitionRefused):
        ticket.change_status(WORKFLOW, AWAITING_REPLY, AGENT, START + 2 * HOUR)
    assert ticket.status == CLOSED
    assert (ticket.history, ticket.events) == (history, events)


@pytest.mark.parametrize(
    ("after_close", "window", "reopens"),
    [
        (WEEK, WEEK, True),
        (WEEK + timedelta(seconds=1), WEEK, False),
        (timedelta(seconds=1), timedelta(0), False),
        (timedelta(seconds=1), None, False),
    ],
    ids=["exactly-at-the-window", "a-second-late", "window-zero", "no-window-given"],
)
def test_a_closed_ticket_reopens_only_inside_the_window(
    after_close: timedelta, window: timedelta | None, reopens: bool
) -> None:
    ticket = closed_ticket()
    at = START + HOUR + after_close
    assert ticket.can_reopen(at, window) is reopens
    if reopens:
        ticket.change_status(WORKFLOW, OPEN, AGENT, at, reopen_window=window)
        assert ticket.status == OPEN
    else:
        with pytest.raises(TransitionRefused, match="closed for good"):
            ticket.change_status(WORKFLOW, OPEN, AGENT, at, reopen_window=window)


def test_a_resolved_ticket_can_always_be_reopened() -> None:
    ticket = new_ticket()
    ticket.change_status(WORKFLOW, RESOLVED, AGENT, START)
    assert ticket.can_reopen(START + 100 * WEEK, timedelta(0))


def test_taking_a_free_ticket_makes_the_agent_responsible() -> None:
    ticket = new_ticket()
    ticket.take(ANNA, START)
    assert ticket.responsible_id == ANNA
    assert ticket.events[-1] == ev.ResponsibleChanged(1, START, AGENT, None, ANNA, None, None)


def test_taking_a_taken_ticket_names_who_holds_it() -> None:
    ticket = new_ticket(responsible_id=ANNA)
    with pytest.raises(AlreadyTaken, match="already taken by Anna Petrova"):
        ticket.take(BORIS, START, taken_by_name="Anna Petrova")
    with pytest.raises(AlreadyTaken, match="already yours"):
        ticket.take(ANNA, START)
    assert ticket.responsible_id == ANNA


def test_escalating_and_sending_back_restores_the_first_line_agent() -> None:
    ticket = new_ticket(responsible_id=ANNA)
    ticket.escalate(AGENT, START, group_id=LINE2_GROUP)
    assert (ticket.line, ticket.responsible_id, ticket.group_id) == (2, None, LINE2_GROUP)
    with pytest.raises(TransitionRefused, match="already on the second line"):
        ticket.escalate(AGENT, START)
    ticket.take(BORIS, START + HOUR)
    ticket.deescalate(Actor.employee(BORIS), START + 2 * HOUR)
    assert (ticket.line, ticket.responsible_id) == (1, ANNA)
    assert [(h.old, h.new) for h in ticket.history if h.field == "line"] == [
        ("1", "2"), ("2", "1")]
    with pytest.raises(TransitionRefused, match="already on the first line"):
        ticket.deescalate(AGENT, START)


def test_sending_back_restores_the_first_line_group_too() -> None:
    ticket = new_ticket(responsible_id=ANNA, group_id=LINE1_GROUP)
    ticket.escalate(AGENT, START, group_id=LINE2_GROUP)
    ticket.assign(BORIS, Actor.employee(BORIS), START + HOUR, LINE2_GROUP)
    ticket.deescalate(Actor.employee(BORIS), START + 2 * HOUR)
    assert (ticket.line, ticket.responsible_id, ticket.group_id) == (1, ANNA, LINE1_GROUP)


def test_a_custom_closed_status_closes_like_closed_with_the_reopen_window() -> None:
    ticket = new_ticket()
    ticket.change_status(CUSTOM, REJECTED.code, AGENT, START + HOUR)
    assert (ticket.closed_at, ticket.resolved_at) == (START + HOUR, None)
    assert ticket.can_reopen(START + HOUR + WEEK, WEEK)
    assert not ticket.can_reopen(START + HOUR + WEEK + timedelta(seconds=1), WEEK)
    assert not ticket.can_reopen(START + 2 * HOUR, timedelta(0))
    with pytest.raises(TransitionRefused, match="closed for good"):
        ticket.change_status(CUSTOM, OPEN, AGENT, START + 2 * WEEK, reopen_window=WEEK)
    ticket.change_status(CUSTOM, OPEN, AGENT, START + 2 * HOUR, reopen_window=WEEK)
    assert (ticket.status, ticket.closed_at) == (OPEN, None)


def test_a_ticket_on_hold_gets_a_new_resume_time_without_leaving_on_hold() -> None:
    ticket = new_ticket()
    ticket.change_status(WORKFLOW, ON_HOLD, AGENT, START, until=START + WEEK)
    ticket.change_status(WORKFLOW, ON_HOLD, AGENT, START + HOUR, until=START + 2 * WEEK)
    assert (ticket.status, ticket.on_hold_until) == (ON_HOLD, START + 2 * WEEK)
    assert [(h.field, h.old, h.new) for h in ticket.history if h.at == START + HOUR] == [
        ("on_hold_until", (START + WEEK).isoformat(), (START + 2 * WEEK).isoformat())]
    assert ticket.events[-1] == ev.FieldChanged(
        1, START + HOUR, AGENT, "on_hold_until", (START + WEEK).isoformat(),
        (START + 2 * WEEK).isoformat())
    with pytest.raises(InvalidInput, match="future"):
        ticket.change_status(WORKFLOW, ON_HOLD, AGENT, START + HOUR, until=START)
    with pytest.raises(InvalidInput, match="date and time"):
        ticket.change_status(WORKFLOW, ON_HOLD, AGENT, START + HOUR)
    assert ticket.on_hold_until == START + 2 * WEEK


def test_setting_a_field_to_its_value_records_nothing() -> None:
    ticket = new_ticket()
    before = len(ticket.history)
    ticket.set_field("priority", "normal", AGENT, START)
    ticket.set_field("attr:contract", None, AGENT, START)
    assert len(ticket.history) == before
    ticket.set_field("attr:contract", "C-17", AGENT, START)
    assert ticket.attributes == {"contract": "C-17"}
    assert ticket.events[-1] == ev.FieldChanged(1, START, AGENT, "attr:contract", None, "C-17")


def test_only_known_fields_can_be_set() -> None:
    with pytest.raises(InvalidInput, match="unknown field 'status'"):
        new_ticket().set_field("status", CLOSED, AGENT, START)


def test_a_planned_resolution_set_by_hand_is_marked_as_such() -> None:
    ticket = new_ticket()
    ticket.set_planned_resolution(START + WEEK, AGENT, START)
    assert ticket.planned_resolution_at == START + WEEK
    assert ticket.resolution_set_by_hand


@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_rating_outside_one_to_five_is_refused(score: int) -> None:
    ticket = closed_ticket()
    with pytest.raises(InvalidInput, match="1 to 5"):
        ticket.rate(score, None, Actor.client(10), START)
    assert ticket.rating is None


def test_an_unresolved_ticket_cannot_be_rated() -> None:
    with pytest.raises(TransitionRefused, match="once it is resolved"):
        new_ticket().rate(5, None, Actor.client(10), START)


def test_mentioning_colleagues_makes_them_observers_once() -> None:
    ticket = new_ticket()
    ticket.mention(3, (BORIS,), AGENT, START)
    ticket.mention(4, (BORIS,), AGENT, START)
    assert ticket.observer_ids == {BORIS}
    assert [h.new for h in ticket.history if h.field == "observer"] == [str(BORIS)]
