"""The status catalogue and its transitions (docs/DOMAIN.md §2), and the whole status machine driven
through the desk with random command sequences."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from core import commands as c
from core.errors import DomainError, InvalidInput, NotFound, TransitionRefused
from core.statuses import (
    AWAITING_REPLY,
    CLOSED,
    ON_HOLD,
    OPEN,
    RESOLVED,
    SYSTEM_CODES,
    ObjectState,
    Status,
    Workflow,
    default_statuses,
)
from tests.core.steps import CLIENT, OTHER_CLIENT, client_writes
from tests.fakes import ANNA, BORIS, OLGA, make_desk

IN_PROGRESS = Status("in_progress", "In progress", ObjectState.OPEN, position=5)
REJECTED = Status("rejected", "Rejected", ObjectState.CLOSED, position=6)
WORKFLOW = Workflow([*default_statuses(), IN_PROGRESS, REJECTED])

# docs/DOMAIN.md §2.4, plus closing from any open-state status (a client may withdraw a request).
ALLOWED_BETWEEN_SYSTEM_STATUSES = {
    (OPEN, ON_HOLD), (OPEN, AWAITING_REPLY), (OPEN, RESOLVED), (OPEN, CLOSED),
    (ON_HOLD, OPEN), (ON_HOLD, RESOLVED), (ON_HOLD, CLOSED),
    (AWAITING_REPLY, OPEN), (AWAITING_REPLY, ON_HOLD), (AWAITING_REPLY, RESOLVED),
    (AWAITING_REPLY, CLOSED),
    (RESOLVED, CLOSED), (RESOLVED, OPEN),
    (CLOSED, OPEN),
}


@pytest.mark.parametrize("old", SYSTEM_CODES)
@pytest.mark.parametrize("new", SYSTEM_CODES)
def test_system_statuses_follow_the_default_transition_table(old: str, new: str) -> None:
    assert WORKFLOW.allows(old, new) == ((old, new) in ALLOWED_BETWEEN_SYSTEM_STATUSES)


@pytest.mark.parametrize("other", [OPEN, ON_HOLD, AWAITING_REPLY])
def test_custom_open_status_is_reachable_from_and_to_open_states(other: str) -> None:
    assert WORKFLOW.allows(other, IN_PROGRESS.code)
    assert WORKFLOW.allows(IN_PROGRESS.code, other)


def test_ticket_in_a_custom_open_status_can_be_resolved_closed_or_rejected() -> None:
    for closing in (RESOLVED, CLOSED, REJECTED.code):
        assert WORKFLOW.allows(IN_PROGRESS.code, closing)


def test_custom_closed_state_status_can_only_be_reopened() -> None:
    assert [s.code for s in WORKFLOW.statuses if WORKFLOW.allows(REJECTED.code, s.code)] == [OPEN]


def test_resolved_and_closed_tickets_cannot_jump_to_a_custom_status() -> None:
    for done in (RESOLVED, CLOSED):
        assert not WORKFLOW.allows(done, IN_PROGRESS.code)
        assert not WORKFLOW.allows(done, REJECTED.code)


def test_changing_to_the_same_status_is_refused_with_a_readable_message() -> None:
    with pytest.raises(TransitionRefused, match="from Open to Open"):
        WORKFLOW.check(OPEN, OPEN)


def test_an_account_cannot_lose_a_system_status() -> None:
    with pytest.raises(InvalidInput, match="on_hold"):
        Workflow([s for s in default_statuses() if s.code != ON_HOLD])


def test_agents_find_a_status_by_name_in_any_case() -> None:
    assert WORKFLOW.find("  in PROGRESS ").code == IN_PROGRESS.code
    assert WORKFLOW.find("on_hold").code == ON_HOLD
    with pytest.raises(NotFound):
        WORKFLOW.find("Sleeping")


def test_on_hold_pauses_sla_and_does_not_load_the_agent() -> None:
    on_hold = WORKFLOW.get(ON_HOLD)
    assert not on_hold.counts_for_sla
    assert not on_hold.counts_for_load
    assert WORKFLOW.get(OPEN).counts_for_sla and WORKFLOW.get(OPEN).counts_for_load


def test_closed_state_statuses_never_count_for_sla_or_load() -> None:
    paused_flags_ignored = Status("x", "X", ObjectState.CLOSED)
    for status in (WORKFLOW.get(RESOLVED), WORKFLOW.get(CLOSED), REJECTED, paused_flags_ignored):
        assert not status.counts_for_sla
        assert not status.counts_for_load


# --- the status machine, driven through Desk.handle ------------------------------------------
WINDOW = timedelta(days=7)
STATUS_NAMES = [*(s.code for s in WORKFLOW.statuses), "In progress", "Rejected"]
tickets = st.integers(min_value=0, max_value=20)
clients = st.sampled_from([CLIENT, OTHER_CLIENT])


class TicketLifecycle(RuleBasedStateMachine):
    """Any sequence of what clients, agents, timers and time do leaves every ticket in a state
    the rules allow, and a command the desk refuses leaves no trace."""

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.desk, self.store, self.clock = make_desk(statuses=[IN_PROGRESS, REJECTED])
        self.contacts: dict[str, int] = {}
        for who in (CLIENT, OTHER_CLIENT):
            self.contacts[who] = self.run(client_writes(self.desk, external_id=who)).contact_id

    def teardown(self) -> None:
        self.runner.close()

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return self.runner.run(coro)

    def ticket_id(self, index: int) -> int:
        ids = sorted(self.store.tickets)
        return ids[index % len(ids)]

    def attempt(self, command: c.Command) -> None:
        before, commits = self.store.snapshot(), self.store.commits
        try:
            self.run(self.desk.handle(command))
        except DomainError:
            assert self.store.snapshot() == before, f"{command} was refused but left changes"
            assert self.store.commits == commits
        else:
            assert self.store.commits == commits + 1

    @rule(index=tickets, status=st.sampled_from(STATUS_NAMES),
          until=st.sampled_from([None, timedelta(days=1), timedelta(minutes=-1)]),
          by=st.sampled_from([ANNA, BORIS, OLGA, None]))
    def status_is_changed(
        self, index: int, status: str, until: timedelta | None, by: int | None
    ) -> None:
        resume_at = None if until is None else self.clock.now() + until
        self.attempt(c.ChangeStatus(self.ticket_id(index), by, status, resume_at))

    @rule(index=tickets, resolve=st.booleans())
    def agent_replies(self, index: int, resolve: bool) -> None:
        self.attempt(c.AddAgentReply(self.ticket_id(index), ANNA, "Try this", resolve=resolve))

    @rule(who=clients, text=st.sampled_from(["Thanks", "It is broken again", ""]))
    def client_writes(self, who: str, text: str) -> None:
        self.attempt(c.ClientWrites("telegram", who, "Client", text))

    @rule(who=clients)
    def client_asks_for_a_new_ticket(self, who: str) -> None:
        self.attempt(c.ClientStartsNewTicket(self.contacts[who]))

    @rule(who=clients, index=tickets)
    def client_picks(self, who: str, index: int) -> None:
        self.attempt(c.ClientPicksTicket(self.contacts[who], self.ticket_id(index)))

    @rule(who=clients, index=tickets)
    def client_closes(self, who: str, index: int) -> None:
        self.attempt(c.ClientClosesTicket(self.contacts[who], self.ticket_id(index)))

    @rule(who=clients, index=tickets)
    def client_reopens(self, who: str, index: int) -> None:
        self.attempt(c.ClientReopensTicket(self.contacts[who], self.ticket_id(index)))

    @rule(who=clients, index=tickets, score=st.integers(min_value=0, max_value=6))
    def client_rates(self, who: str, index: int, score: int) -> None:
        self.attempt(c.ClientRatesTicket(self.contacts[who], self.ticket_id(index), score))

    @rule(step=st.sampled_from([timedelta(minutes=5), timedelta(hours=2), timedelta(days=3),
                                WINDOW, WINDOW + timedelta(seconds=1)]))
    def time_passes(self, step: timedelta) -> None:
        self.clock.advance(step)

    @precondition(lambda self: len(self.store.tickets) > 0)
    @invariant()
    def every_ticket_is_in_an_allowed_state(self) -> None:
        for t in self.store.tickets.values():
            changes = self.store.history_of(t.id, "status")
            assert (changes[0].old, changes[0].new) == (None, OPEN)
            for before, change in zip(changes, changes[1:], strict=False):
                assert change.old == before.new, "the history skips a status"
                assert change.old is not None and change.new is not None
                assert WORKFLOW.allows(change.old, change.new), change
                if WORKFLOW.get(change.old).closes:  # Closed or Rejected (§2.2, §3.4)
                    assert change.at - before.at <= WINDOW, "reopened after the window"
            assert changes[-1].new == t.status
            assert (t.status == ON_HOLD) == (t.on_hold_until is not None)
            if t.on_hold_until is not None:
                assert t.on_hold_until > changes[-1].at
            assert WORKFLOW.get(t.status).closes == (t.closed_at is not None)
            if t.closed_at is not None:
                assert t.closed_at == changes[-1].at
            assert (t.status == RESOLVED) <= (t.resolved_at is not None)
            if WORKFLOW.get(t.status).is_open:
                assert t.resolved_at is None
            assert t.rating is None or 1 <= t.rating <= 5

    @invariant()
    def clients_only_ever_touch_their_own_tickets(self) -> None:
        for h in self.store.history:
            if h.actor.is_client:
                assert self.store.ticket(h.ticket_id).contact_id == h.actor.id

    @invariant()
    def a_new_ticket_is_linked_only_to_a_ticket_closed_for_good(self) -> None:
        for t in self.store.tickets.values():
            if t.linked_from_id is not None:
                old = self.store.ticket(t.linked_from_id)
                assert WORKFLOW.get(old.status).closes and old.closed_at is not None
                assert t.created_at - old.closed_at > WINDOW


TicketLifecycle.TestCase.settings = settings(
    max_examples=50, stateful_step_count=30, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_ticket_lifecycle_never_reaches_a_forbidden_state = TicketLifecycle.TestCase
