"""Automation (docs/DOMAIN.md §6, §2.6-2.7): trigger rules act on tickets, the two default rules
ship enabled and can be switched off, loops cannot happen, macros apply in one step."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import commands as c
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
from core.automation import MAX_CHAIN, AutomationRule, Macro, Trigger, run_rules
from core.canned import CannedAnswer, CannedGroup
from core.conditions import Conditions, TicketFacts
from core.context import HandlerContext
from core.errors import NotFound
from core.outbox import Audience
from core.people import Actor
from core.services import Desk
from core.tickets import Ticket
from tests.core.steps import agent_replies, client_writes
from tests.fake_rules import fire_due_timers
from tests.fakes import ANNA, BORIS, LINE2_GROUP, InMemoryStore, InMemoryUnitOfWork, make_desk

HOUR = timedelta(hours=1)


def rule(rule_id: int, trigger: Trigger, *actions: object, position: int = 10,
         **kwargs: object) -> AutomationRule:
    return AutomationRule(rule_id, f"rule {rule_id}", trigger, tuple(actions),  # type: ignore[arg-type]
                          position=position, **kwargs)  # type: ignore[arg-type]


async def tick(desk: Desk, store: InMemoryStore, at: datetime) -> None:
    """Time passes; the timer worker fires what fell due."""
    desk.clock.set(at)  # type: ignore[attr-defined]
    await fire_due_timers(desk, store.rules)


def statuses(store: InMemoryStore, ticket_id: int) -> list[tuple[str | None, str]]:
    return [(h.new, h.actor.kind.value) for h in store.history_of(ticket_id, "status")]


# --- the default rules ---------------------------------------------------------------------
async def test_a_client_answer_to_awaiting_reply_puts_the_ticket_back_to_open() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "awaiting_reply"))
    sent = len(store.messages_of(first.ticket_id))
    await client_writes(desk, "Order 12345")
    assert store.ticket(first.ticket_id).status == "open"
    assert statuses(store, first.ticket_id)[-1] == ("open", "system")
    client_kinds = [m.kind for m in store.messages_of(first.ticket_id)[sent:]
                    if m.audience is Audience.CLIENT]
    assert client_kinds == []  # the client is not told their own message reopened it


async def test_the_awaiting_reply_rule_can_be_switched_off() -> None:
    desk, store, _ = make_desk()
    default = store.rules.automation[1]
    store.rules.automation[1] = AutomationRule(
        default.id, default.name, default.trigger, default.actions, default.when, enabled=False)
    first = await client_writes(desk)
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "awaiting_reply"))
    await client_writes(desk, "Order 12345")
    assert store.ticket(first.ticket_id).status == "awaiting_reply"


async def test_a_resolved_ticket_nobody_answers_for_three_days_is_closed() -> None:
    desk, store, clock = make_desk()
    first = await client_writes(desk)
    resolved_at = clock.advance(HOUR)
    await agent_replies(desk, first.ticket_id, "Fixed", resolve=True)
    await tick(desk, store, resolved_at + 72 * HOUR - timedelta(seconds=1))
    assert store.ticket(first.ticket_id).status == "resolved"
    await tick(desk, store, resolved_at + 72 * HOUR)
    assert statuses(store, first.ticket_id)[-1] == ("closed", "system")


async def test_activity_on_a_resolved_ticket_restarts_the_three_days() -> None:
    desk, store, clock = make_desk()
    first = await client_writes(desk)
    await agent_replies(desk, first.ticket_id, "Fixed", resolve=True)
    clock.advance(48 * HOUR)
    await desk.handle(c.AddPrivateNote(first.ticket_id, ANNA, "client called, all good"))
    noted = clock.now()
    await tick(desk, store, noted + 71 * HOUR)
    assert store.ticket(first.ticket_id).status == "resolved"
    await tick(desk, store, noted + 72 * HOUR)
    assert store.ticket(first.ticket_id).status == "closed"


async def test_a_reopened_ticket_is_not_auto_closed() -> None:
    desk, store, clock = make_desk()
    first = await client_writes(desk)
    await agent_replies(desk, first.ticket_id, "Fixed", resolve=True)
    clock.advance(HOUR)
    await client_writes(desk, "Still broken")
    await tick(desk, store, clock.now() + 100 * HOUR)
    assert store.ticket(first.ticket_id).status == "open"
    assert not [r for r in store.rules.timers.values()
                if r.state == "pending" and r.timer.kind == "idle"]


# --- triggers and actions -----------------------------------------------------------------------
async def test_a_new_incident_from_a_client_is_raised_and_noted() -> None:
    desk, store, _ = make_desk()
    store.rules.automation[5] = rule(5, Trigger.CREATED, SetPriority("high"), SetType("incident"),
                                     AddNote("Auto-triaged for {{ client_name }}"))
    first = await client_writes(desk)
    ticket = store.ticket(first.ticket_id)
    assert (ticket.priority, ticket.type_code) == ("high", "incident")
    [note] = [x for x in store.comments_of(first.ticket_id) if not x.public]
    assert note.body == "Auto-triaged for Ivan Klientov" and note.author == Actor.system()


async def test_an_agent_reply_triggers_its_rule_and_a_client_reply_its_own() -> None:
    desk, store, _ = make_desk()
    store.rules.automation[5] = rule(5, Trigger.AGENT_REPLIED, SetStatus("awaiting_reply"))
    first = await client_writes(desk)
    await agent_replies(desk, first.ticket_id, "Which model is it?")
    assert store.ticket(first.ticket_id).status == "awaiting_reply"
    await client_writes(desk, "LaserJet")  # the default rule
    assert store.ticket(first.ticket_id).status == "open"


async def test_a_field_rule_listens_to_its_field_only() -> None:
    desk, store, _ = make_desk()
    store.rules.automation[5] = rule(5, Trigger.FIELD_CHANGED, SetLine(2), field="priority",
                                     when=Conditions(priorities=frozenset({"urgent"})))
    first = await client_writes(desk)
    await desk.handle(c.SetTicketField(first.ticket_id, ANNA, "subject", "Printer on fire"))
    assert store.ticket(first.ticket_id).line == 1
    await desk.handle(c.SetTicketField(first.ticket_id, ANNA, "priority", "urgent"))
    assert store.ticket(first.ticket_id).line == 2


async def test_a_status_rule_can_ask_where_the_ticket_came_from() -> None:
    desk, store, _ = make_desk()
    store.rules.automation[5] = rule(5, Trigger.STATUS_CHANGED, Notify("Back from hold"),
                                     from_statuses=frozenset({"on_hold"}))
    first = await client_writes(desk)
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "awaiting_reply"))
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "on_hold",
                                     until=datetime(2025, 3, 4, tzinfo=UTC)))
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "open"))
    notes = [m for m in store.messages_of(first.ticket_id) if m.kind == "notify"]
    assert [m.payload["text"] for m in notes] == ["Back from hold"]


async def test_an_sla_breach_can_escalate_and_notify_the_second_line() -> None:
    from core.calendar import BusinessCalendar
    from core.sla import ServiceCalendar, SlaRule

    desk, store, clock = make_desk()
    store.rules.calendars[1] = ServiceCalendar(1, "24/7", BusinessCalendar.always())
    store.rules.sla[1] = SlaRule(1, "Fast", 1, 10 * timedelta(minutes=1), None)
    store.rules.automation[5] = rule(
        5, Trigger.SLA_BREACHED, SetResponsible(group_id=LINE2_GROUP),
        Notify("#{{ ticket_number }} missed its reaction time", employee_ids=(ANNA,)))
    first = await client_writes(desk)
    await tick(desk, store, clock.now() + HOUR)
    ticket = store.ticket(first.ticket_id)
    assert (ticket.responsible_id, ticket.group_id) == (BORIS, LINE2_GROUP)
    [notice] = [m for m in store.messages_of(first.ticket_id) if m.kind == "notify"]
    assert notice.payload == {"text": f"#{first.ticket_id} missed its reaction time",
                              "employee_ids": [ANNA, BORIS]}


async def test_a_canned_answer_sent_by_a_rule_reaches_the_client() -> None:
    desk, store, _ = make_desk()
    store.canned_groups.append(CannedGroup(1, "Greetings"))
    store.canned_answers.append(CannedAnswer(1, 1, "Hello", "Hi {{ client_name }}, we are on it"))
    store.rules.automation[5] = rule(5, Trigger.CREATED, SendCanned(1))
    first = await client_writes(desk)
    [reply] = [m for m in store.messages_of(first.ticket_id)
               if m.audience is Audience.CLIENT and m.kind == "agent_reply"]
    assert store.comments[reply.comment_id or 0].body == "Hi Ivan Klientov, we are on it"


async def test_a_rule_whose_action_is_refused_does_not_fail_the_clients_message() -> None:
    desk, store, _ = make_desk()
    store.rules.automation[5] = rule(5, Trigger.CREATED, SetPriority("no-such"),
                                     SetStatus("resolved"))
    first = await client_writes(desk)
    assert store.ticket(first.ticket_id).status == "resolved"
    assert len(store.comments_of(first.ticket_id)) == 1


# --- loops -------------------------------------------------------------------------------------
async def test_a_rule_never_retriggers_itself() -> None:
    desk, store, _ = make_desk()
    store.rules.automation[5] = rule(5, Trigger.FIELD_CHANGED, SetPriority("urgent"),
                                     field="priority")
    first = await client_writes(desk)
    await desk.handle(c.SetTicketField(first.ticket_id, ANNA, "priority", "high"))
    changes = [(h.new, h.actor.kind.value) for h in store.history_of(first.ticket_id, "priority")]
    assert changes == [("high", "employee"), ("urgent", "system")]


async def test_two_rules_undoing_each_other_stop_after_one_round() -> None:
    desk, store, _ = make_desk()
    store.rules.automation[5] = rule(5, Trigger.STATUS_CHANGED, SetStatus("awaiting_reply"),
                                     when=Conditions(statuses=frozenset({"open"})))
    store.rules.automation[6] = rule(6, Trigger.STATUS_CHANGED, SetStatus("open"),
                                     when=Conditions(statuses=frozenset({"awaiting_reply"})))
    first = await client_writes(desk)
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "awaiting_reply"))
    assert statuses(store, first.ticket_id) == [
        ("open", "client"), ("awaiting_reply", "employee"), ("open", "system"),
        ("awaiting_reply", "system")]


async def test_a_long_chain_is_cut_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    desk, store, _ = make_desk()
    cycle = ["low", "normal", "high", "urgent", "low"]
    for n, (now, then) in enumerate(zip(cycle, cycle[1:], strict=False)):
        store.rules.automation[10 + n] = rule(
            10 + n, Trigger.FIELD_CHANGED, SetPriority(then), field="priority",
            when=Conditions(priorities=frozenset({now})))
    first = await client_writes(desk)
    with caplog.at_level(logging.WARNING, logger="core.automation"):
        await desk.handle(c.SetTicketField(first.ticket_id, ANNA, "priority", "low"))
    assert len(store.history_of(first.ticket_id, "priority")) == 1 + MAX_CHAIN
    assert "cut" in caplog.text


PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("open", "awaiting_reply", "on_hold", "resolved")
action_st = st.one_of(st.builds(SetPriority, st.sampled_from(PRIORITIES)),
                      st.builds(SetStatus, st.sampled_from(STATUSES)))
rule_st = st.builds(
    lambda i, trigger, actions, when: AutomationRule(i, f"r{i}", trigger, tuple(actions),
                                                     Conditions(statuses=frozenset(when))),
    st.integers(1, 30), st.sampled_from([Trigger.STATUS_CHANGED, Trigger.FIELD_CHANGED]),
    st.lists(action_st, min_size=1, max_size=2), st.sets(st.sampled_from(STATUSES), max_size=2))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=st.lists(rule_st, min_size=1, max_size=6, unique_by=lambda r: r.id),
       first_status=st.sampled_from(STATUSES[1:]))
async def test_any_rule_set_terminates_and_no_rule_fires_twice_in_a_chain(
    rules: list[AutomationRule], first_status: str
) -> None:
    _, store, clock = make_desk()
    store.tickets[1] = Ticket("s", "telegram", 1, clock.now(), id=1)
    async with InMemoryUnitOfWork(store) as uow:
        ctx = HandlerContext(uow, clock.now())
        ticket = await uow.tickets.get(1)
        ticket.change_status(await ctx.workflow(), first_status, Actor.employee(ANNA),
                             clock.now(), until=clock.now() + HOUR)

        async def facts(t: Ticket) -> TicketFacts:
            return TicketFacts(t)

        fired = await run_rules(ticket, rules, facts, ctx)
    n = len(rules)
    # one event starts it; along any chain each rule fires at most once, up to MAX_CHAIN deep
    bound = sum(n ** depth * 2 ** (depth - 1) for depth in range(1, MAX_CHAIN + 1))
    assert fired <= bound


# --- macros ------------------------------------------------------------------------------------
async def test_a_macro_applies_all_its_actions_as_the_agent() -> None:
    desk, store, _ = make_desk()
    store.rules.macros[1] = Macro(1, "Escalate to hardware",
                                  (SetType("incident"), SetPriority("high"), SetLine(2)))
    first = await client_writes(desk)
    await desk.handle(c.ApplyMacro(first.ticket_id, ANNA, "escalate TO hardware"))
    ticket = store.ticket(first.ticket_id)
    assert (ticket.type_code, ticket.priority, ticket.line) == ("incident", "high", 2)
    assert {h.actor for h in store.history_of(first.ticket_id, "priority")} == {
        Actor.employee(ANNA)}


async def test_an_unknown_macro_is_refused_with_the_names_there_are() -> None:
    desk, store, _ = make_desk()
    store.rules.macros[1] = Macro(1, "Close politely", (SetStatus("resolved"),))
    first = await client_writes(desk)
    with pytest.raises(NotFound, match="Close politely"):
        await desk.handle(c.ApplyMacro(first.ticket_id, ANNA, "close rudely"))


async def test_a_macro_with_a_refused_action_changes_nothing() -> None:
    desk, store, _ = make_desk()
    store.rules.macros[1] = Macro(1, "Broken", (SetPriority("high"), SetPriority("no-such")))
    first = await client_writes(desk)
    before = store.snapshot()
    with pytest.raises(Exception, match="no-such"):
        await desk.handle(c.ApplyMacro(first.ticket_id, ANNA, "broken"))
    assert store.snapshot() == before


async def test_the_desk_setting_auto_close_after_is_the_rules_idle_time() -> None:
    desk, store, clock = make_desk()
    await desk.handle(c.SetDeskSettings(ANNA, 7 * 86400, 86400))
    first = await client_writes(desk)
    await agent_replies(desk, first.ticket_id, "Fixed", resolve=True)
    await tick(desk, store, clock.now() + 24 * HOUR)
    assert store.ticket(first.ticket_id).status == "closed"
    await desk.handle(c.SetDeskSettings(ANNA, 7 * 86400, 0))  # never
    second = await client_writes(desk, external_id="5002")
    await agent_replies(desk, second.ticket_id, "Fixed", resolve=True)
    await tick(desk, store, clock.now() + 30 * 24 * HOUR)
    assert store.ticket(second.ticket_id).status == "resolved"
