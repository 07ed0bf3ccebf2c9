"""SLA on business calendars (docs/DOMAIN.md §4): deadlines at registration, recomputed when the
priority or type changes or the ticket resumes, warnings and breaches reported once."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from core import commands as c
from core.calendar import BusinessCalendar
from core.catalog import DeskSettings
from core.conditions import Conditions, TicketFacts, TimeWindow
from core.metrics import StatusSpan
from core.outbox import Audience
from core.services import Desk
from core.sla import ServiceCalendar, SlaRule, due_times, rule_for
from core.statuses import ObjectState, Status
from core.tickets import Ticket
from tests.core.steps import agent_replies, client_writes
from tests.fake_rules import fire_due_timers
from tests.fakes import ANNA, FakeClock, InMemoryStore, make_desk

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = BusinessCalendar.weekdays("Europe/Berlin", time(9), time(18))
MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)
REJECTED = Status("rejected", "Rejected", ObjectState.CLOSED, position=6)


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """March 2025 in Berlin (CET): the 3rd is a Monday, the 7th a Friday."""
    return datetime(2025, 3, day, hour, minute, tzinfo=BERLIN)


def sla_desk(*rules: SlaRule, now: datetime | None = None) -> tuple[Desk, InMemoryStore,
                                                                     FakeClock]:
    """A desk whose new tickets go to Anna, on a 9-18 Monday-Friday Berlin calendar with the
    given rules (default: reaction 30 min, resolution 8 h); Monday 10:00 unless `now`."""
    desk, store, clock = make_desk(now=(now or berlin(3, 10)).astimezone(UTC),
                                   settings=DeskSettings(default_responsible_id=ANNA))
    store.rules.calendars[1] = ServiceCalendar(1, "Office", OFFICE)
    for rule in rules or (SlaRule(1, "Standard", 1, 30 * MINUTE, 8 * HOUR),):
        store.rules.sla[rule.id] = rule
    return desk, store, clock


def sla_messages(store: InMemoryStore, ticket_id: int) -> list[tuple[str, str]]:
    return [(m.kind, m.payload["target"]) for m in store.messages_of(ticket_id)
            if m.audience is Audience.AGENTS and m.kind.startswith("sla_")]


async def tick(desk: Desk, store: InMemoryStore, clock: FakeClock, at: datetime) -> None:
    """Time passes; the timer worker fires what fell due."""
    clock.set(at.astimezone(UTC))
    await fire_due_timers(desk, store.rules)


# --- deadlines at registration -------------------------------------------------------------
async def test_ticket_registered_friday_1755_has_its_reaction_due_monday_0925() -> None:
    desk, store, _ = sla_desk(now=berlin(7, 17, 55))
    ticket = store.ticket((await client_writes(desk)).ticket_id)
    assert ticket.planned_reaction_at == berlin(10, 9, 25)
    assert ticket.planned_resolution_at == berlin(10, 16, 55)  # 5 min Friday + 7 h 55


async def test_a_ticket_no_rule_matches_has_no_deadlines_and_no_alerts() -> None:
    desk, store, clock = sla_desk(SlaRule(1, "VIP only", 1, HOUR, HOUR,
                                          Conditions(categories=frozenset({"VIP"}))))
    first = await client_writes(desk)
    ticket = store.ticket(first.ticket_id)
    assert (ticket.planned_reaction_at, ticket.planned_resolution_at) == (None, None)
    await tick(desk, store, clock, berlin(20, 10))
    assert sla_messages(store, first.ticket_id) == []


async def test_night_and_weekend_tickets_get_the_night_rule() -> None:
    nights = TimeWindow(frozenset(range(5)), time(18), time(9))
    weekend = TimeWindow(frozenset({5, 6}))
    desk, store, clock = sla_desk(
        SlaRule(1, "Nights", 1, 2 * HOUR, None, Conditions(registered=nights), position=0),
        SlaRule(2, "Weekends", 1, 3 * HOUR, None, Conditions(registered=weekend), position=1),
        SlaRule(3, "Day", 1, 30 * MINUTE, None, position=2),
    )
    expected = {berlin(4, 20): berlin(5, 11), berlin(5, 8, 59): berlin(5, 11),
                berlin(8, 12): berlin(10, 12), berlin(5, 9): berlin(5, 9, 30)}
    for n, (registered, due) in enumerate(expected.items()):
        clock.set(registered.astimezone(UTC))
        first = await client_writes(desk, external_id=f"70{n}")
        assert store.ticket(first.ticket_id).planned_reaction_at == due, registered


# --- recomputation ---------------------------------------------------------------------------
async def test_raising_the_priority_recomputes_the_deadlines_from_registration() -> None:
    desk, store, clock = sla_desk(
        SlaRule(1, "Urgent", 1, 10 * MINUTE, 2 * HOUR,
                Conditions(priorities=frozenset({"urgent"}))),
        SlaRule(2, "Standard", 1, 30 * MINUTE, 8 * HOUR, position=1),
    )
    first = await client_writes(desk)
    assert store.ticket(first.ticket_id).planned_resolution_at == berlin(3, 18)
    clock.set(berlin(3, 11).astimezone(UTC))
    await desk.handle(c.SetTicketField(first.ticket_id, ANNA, "priority", "urgent"))
    assert store.ticket(first.ticket_id).planned_resolution_at == berlin(3, 12)


async def test_changing_the_type_moves_the_ticket_to_another_rule() -> None:
    desk, store, clock = sla_desk(
        SlaRule(1, "Incidents", 1, 15 * MINUTE, 4 * HOUR,
                Conditions(types=frozenset({"incident"}))),
        SlaRule(2, "Standard", 1, 30 * MINUTE, 8 * HOUR, position=1),
    )
    first = await client_writes(desk)
    await desk.handle(c.SetTicketField(first.ticket_id, ANNA, "type_code", "incident"))
    assert store.ticket(first.ticket_id).planned_resolution_at == berlin(3, 14)


async def test_on_hold_until_tomorrow_resumes_by_itself_and_moves_the_resolution_deadline() -> None:
    desk, store, clock = sla_desk()
    first = await client_writes(desk)  # Monday 10:00, due Monday 18:00
    before = store.ticket(first.ticket_id).planned_resolution_at
    clock.set(berlin(3, 11).astimezone(UTC))
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "on_hold", until=berlin(4, 11)))
    await tick(desk, store, clock, berlin(4, 10, 59))
    assert store.ticket(first.ticket_id).status == "on_hold"
    await tick(desk, store, clock, berlin(4, 11))
    ticket = store.ticket(first.ticket_id)
    assert ticket.status == "open"
    assert ticket.planned_resolution_at == berlin(4, 18)
    paused = OFFICE.working_time_between(berlin(3, 11), berlin(4, 11))
    assert before is not None and paused == 9 * HOUR
    assert ticket.planned_resolution_at == OFFICE.add_working_time(before, paused)
    [resume] = [h for h in store.history_of(first.ticket_id, "status") if h.new == "open"][1:]
    assert resume.actor.kind == "system" and resume.at == berlin(4, 11)


async def test_resuming_early_by_hand_recomputes_and_drops_the_resume_timer() -> None:
    desk, store, clock = sla_desk()
    first = await client_writes(desk)
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "on_hold", until=berlin(5, 11)))
    clock.set(berlin(3, 12).astimezone(UTC))
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "open"))
    assert store.ticket(first.ticket_id).planned_resolution_at == berlin(4, 11)
    await tick(desk, store, clock, berlin(5, 12))
    assert [h.new for h in store.history_of(first.ticket_id, "status")] == [
        "open", "on_hold", "open"]


async def test_moving_the_on_hold_date_keeps_the_pause_and_resumes_at_the_new_time() -> None:
    desk, store, clock = sla_desk()
    first = await client_writes(desk)  # Monday 10:00, due Monday 18:00
    before = store.ticket(first.ticket_id).planned_resolution_at
    clock.set(berlin(3, 11).astimezone(UTC))
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "on_hold", until=berlin(4, 11)))
    clock.set(berlin(3, 12).astimezone(UTC))
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "On hold", until=berlin(5, 11)))
    assert [(h.old, h.new) for h in store.history_of(first.ticket_id, "on_hold_until")] == [
        (None, berlin(4, 11).isoformat()), (berlin(4, 11).isoformat(), berlin(5, 11).isoformat())]
    await tick(desk, store, clock, berlin(4, 11))  # the old date and the old deadline pass
    assert store.ticket(first.ticket_id).status == "on_hold"
    assert sla_messages(store, first.ticket_id) == []
    await tick(desk, store, clock, berlin(5, 11))
    ticket = store.ticket(first.ticket_id)
    assert ticket.status == "open"
    assert [h.new for h in store.history_of(first.ticket_id, "status")] == [
        "open", "on_hold", "open"]
    paused = OFFICE.working_time_between(berlin(3, 11), berlin(5, 11))
    assert before is not None and ticket.planned_resolution_at == OFFICE.add_working_time(
        before, paused)


async def test_a_custom_closed_status_stops_the_sla_like_closed() -> None:
    desk, store, clock = sla_desk()
    store.statuses.append(REJECTED)
    first = await client_writes(desk)
    clock.set(berlin(3, 11).astimezone(UTC))
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "Rejected"))
    await tick(desk, store, clock, berlin(4, 11))
    assert sla_messages(store, first.ticket_id) == []
    assert not [r for r in store.rules.timers.values()
                if r.state == "pending" and r.timer.ticket_id == first.ticket_id]


async def test_a_resolution_time_set_by_hand_is_kept_when_the_priority_changes() -> None:
    desk, store, clock = sla_desk()
    first = await client_writes(desk)
    await desk.handle(c.SetTicketField(first.ticket_id, ANNA, "planned_resolution_at",
                                       berlin(6, 12)))
    await desk.handle(c.SetTicketField(first.ticket_id, ANNA, "priority", "high"))
    assert store.ticket(first.ticket_id).planned_resolution_at == berlin(6, 12)
    await tick(desk, store, clock, berlin(5, 12))
    assert ("sla_breached", "resolution") not in sla_messages(store, first.ticket_id)
    await tick(desk, store, clock, berlin(6, 12))
    assert ("sla_breached", "resolution") in sla_messages(store, first.ticket_id)


# --- reaction, warnings, breaches ------------------------------------------------------------
async def test_a_public_agent_answer_meets_the_reaction_target() -> None:
    desk, store, clock = sla_desk()
    first = await client_writes(desk)
    clock.set(berlin(3, 10, 10).astimezone(UTC))
    await agent_replies(desk, first.ticket_id)
    assert store.ticket(first.ticket_id).reacted_at == berlin(3, 10, 10)
    await tick(desk, store, clock, berlin(3, 11))
    assert sla_messages(store, first.ticket_id) == []


async def test_a_private_note_does_not_meet_the_reaction_target() -> None:
    desk, store, clock = sla_desk()
    first = await client_writes(desk)
    await desk.handle(c.AddPrivateNote(first.ticket_id, ANNA, "looking"))
    await tick(desk, store, clock, berlin(3, 10, 25))
    await tick(desk, store, clock, berlin(3, 11))
    assert sla_messages(store, first.ticket_id) == [
        ("sla_warning", "reaction"), ("sla_breached", "reaction")]


async def test_warning_at_80_percent_then_breach_each_reported_once() -> None:
    desk, store, clock = sla_desk()
    first = await client_writes(desk)
    await tick(desk, store, clock, berlin(3, 10, 23))
    assert sla_messages(store, first.ticket_id) == []
    await tick(desk, store, clock, berlin(3, 10, 24))
    assert sla_messages(store, first.ticket_id) == [("sla_warning", "reaction")]
    await tick(desk, store, clock, berlin(3, 10, 30))
    await desk.handle(c.SetTicketField(first.ticket_id, ANNA, "priority", "high"))
    await tick(desk, store, clock, berlin(3, 16, 24))
    await tick(desk, store, clock, berlin(3, 18, 30))
    assert sla_messages(store, first.ticket_id) == [
        ("sla_warning", "reaction"), ("sla_breached", "reaction"),
        ("sla_warning", "resolution"), ("sla_breached", "resolution")]
    breach = [m for m in store.messages_of(first.ticket_id) if m.kind == "sla_breached"][0]
    assert breach.payload["due_at"] == berlin(3, 10, 30).astimezone(UTC).isoformat()
    assert breach.payload["employee_ids"] == [ANNA]  # the responsible


async def test_after_downtime_past_the_deadline_only_the_breach_is_reported() -> None:
    desk, store, clock = sla_desk()
    first = await client_writes(desk)
    await tick(desk, store, clock, berlin(3, 12))
    assert sla_messages(store, first.ticket_id) == [("sla_breached", "reaction")]


async def test_the_warning_share_is_configurable_per_rule() -> None:
    desk, store, clock = sla_desk(SlaRule(1, "Half", 1, HOUR, None, warning_share=0.5))
    first = await client_writes(desk)
    await tick(desk, store, clock, berlin(3, 10, 30))
    assert sla_messages(store, first.ticket_id) == [("sla_warning", "reaction")]


async def test_on_hold_stops_the_alerts_until_the_ticket_resumes() -> None:
    desk, store, clock = sla_desk(SlaRule(1, "Standard", 1, None, 2 * HOUR))
    first = await client_writes(desk)
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "on_hold", until=berlin(4, 9)))
    await tick(desk, store, clock, berlin(3, 17))
    assert sla_messages(store, first.ticket_id) == []
    await tick(desk, store, clock, berlin(4, 10, 36))
    assert sla_messages(store, first.ticket_id) == [("sla_warning", "resolution")]


# --- properties --------------------------------------------------------------------------------
PRIORITIES = ("low", "normal", "high", "urgent")
rules_st = st.lists(
    st.builds(lambda i, prio, on, pos: SlaRule(
        i, f"r{i}", 1, HOUR, HOUR, Conditions(priorities=frozenset(prio)), enabled=on,
        position=pos),
        st.integers(1, 50), st.sets(st.sampled_from(PRIORITIES), max_size=2), st.booleans(),
        st.integers(0, 5)),
    max_size=8, unique_by=lambda r: r.id)


@given(rules=rules_st, priority=st.sampled_from(PRIORITIES))
def test_the_first_enabled_matching_rule_in_table_order_wins(
    rules: list[SlaRule], priority: str
) -> None:
    ticket = Ticket("s", "telegram", 1, berlin(3, 10), priority=priority)
    chosen = rule_for(rules, TicketFacts(ticket), {1: ServiceCalendar(1, "Office", OFFICE)})
    candidates = sorted((r for r in rules if r.enabled and (
        not r.when.priorities or priority in r.when.priorities)),
        key=lambda r: (r.position, r.id))
    assert chosen == (candidates[0] if candidates else None)


def _spans(draw: st.DrawFn) -> list[StatusSpan]:
    start = berlin(3, 0) + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60)))
    lengths = draw(st.lists(st.integers(1, 3 * 24 * 60), min_size=0, max_size=5))
    statuses = draw(st.lists(st.sampled_from(["open", "on_hold", "resolved"]),
                             min_size=len(lengths) + 1, max_size=len(lengths) + 1))
    spans, at = [], start
    for status, minutes in zip(statuses, [*lengths, None], strict=True):
        end = None if minutes is None else at + timedelta(minutes=minutes)
        spans.append(StatusSpan(status, at, end))
        at = end or at
    return spans


@settings(max_examples=200, deadline=None)
@given(data=st.data(), target_minutes=st.lists(st.integers(1, 40 * 60), min_size=1,
                                               max_size=4))
def test_a_deadline_is_exactly_where_the_counted_working_time_reaches_the_target(
    data: st.DataObject, target_minutes: list[int]
) -> None:
    spans = data.draw(st.composite(lambda draw: _spans(draw))())
    counts = {"open": True, "on_hold": False, "resolved": False}.__getitem__
    targets = [timedelta(minutes=m) for m in target_minutes]
    far = berlin(31, 0) + timedelta(days=365)

    def spent_until(instant: datetime) -> timedelta:
        return sum((OFFICE.working_time_between(s.start, min(s.end or far, instant))
                    for s in spans if counts(s.status) and s.start < instant), timedelta(0))

    for target, due in zip(targets, due_times(OFFICE, targets, spans, counts), strict=True):
        if due is None:
            assert not counts(spans[-1].status) and spent_until(far) < target
        else:
            assert spent_until(due) == target


async def test_a_calendar_without_working_time_leaves_no_deadline_and_fails_nothing() -> None:
    desk, store, _ = sla_desk()
    store.rules.calendars[1] = ServiceCalendar(1, "Closed for good", BusinessCalendar("UTC", {}))
    first = await client_writes(desk)
    ticket = store.ticket(first.ticket_id)
    assert (ticket.planned_reaction_at, ticket.planned_resolution_at) == (None, None)
