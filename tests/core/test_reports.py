"""Reports from history (docs/DOMAIN.md §9.3-9.4): what a lead reads in the report tables."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.people import Actor
from core.reports import (
    TicketFacts,
    agent_load,
    first_response_report,
    per_day,
    resolution_report,
    satisfaction_report,
    sla_report,
)
from core.statuses import Workflow, default_statuses
from core.tickets import Comment, HistoryEntry, Ticket

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WORKFLOW = Workflow(default_statuses())
CLIENT, SAM, OLI = Actor.client(1), Actor.employee(10), Actor.employee(11)


def _facts(ticket_id: int, changes: list[tuple[timedelta, Actor, str | None, str]],
           replies: list[tuple[timedelta, Actor]], responsible: int | None = 10,
           **fields: object) -> TicketFacts:
    ticket = Ticket("s", "telegram", 1, T0, id=ticket_id, responsible_id=responsible,
                    status=changes[-1][3], **fields)  # type: ignore[arg-type]
    history = [HistoryEntry(ticket_id, T0 + at, who, "status", old, new)
               for at, who, old, new in changes]
    comments = [Comment(ticket_id, who, "text", True, "telegram", T0 + at)
                for at, who in replies]
    return TicketFacts(ticket, history, comments)


def test_worked_example_resolution_is_an_hour_and_a_half() -> None:
    facts = _facts(1, [(timedelta(0), CLIENT, None, "open"),
                       (timedelta(hours=1), SAM, "open", "resolved"),
                       (timedelta(days=7), CLIENT, "resolved", "open"),
                       (timedelta(days=7, minutes=30), SAM, "open", "closed")],
                   [(timedelta(0), CLIENT), (timedelta(hours=1), SAM)])
    report = resolution_report([facts], WORKFLOW, T0 + timedelta(days=30))
    assert report.average == timedelta(hours=1, minutes=30)
    assert report.rows[0].employee_id == 10


def test_first_response_is_averaged_per_employee_and_overall() -> None:
    a = _facts(1, [(timedelta(0), CLIENT, None, "open")],
               [(timedelta(minutes=10), SAM)])
    b = _facts(2, [(timedelta(0), CLIENT, None, "open")],
               [(timedelta(minutes=30), OLI)])
    c = _facts(3, [(timedelta(0), CLIENT, None, "open")], [])  # nobody reacted yet
    report = first_response_report([a, b, c])
    assert [(r.employee_id, r.average) for r in report.rows] == [
        (10, timedelta(minutes=10)), (11, timedelta(minutes=30))]
    assert report.tickets == 2 and report.average == timedelta(minutes=20)


def test_sla_counts_met_missed_and_late_pending_targets() -> None:
    met = _facts(1, [(timedelta(0), CLIENT, None, "open"),
                     (timedelta(hours=1), SAM, "open", "resolved")],
                 [(timedelta(minutes=5), SAM)],
                 planned_reaction_at=T0 + timedelta(minutes=15),
                 planned_resolution_at=T0 + timedelta(hours=2))
    late = _facts(2, [(timedelta(0), CLIENT, None, "open")], [],
                  planned_reaction_at=T0 + timedelta(minutes=15),
                  planned_resolution_at=T0 + timedelta(hours=2))
    waiting = _facts(3, [(timedelta(0), CLIENT, None, "open")], [],
                     planned_reaction_at=T0 + timedelta(days=9))
    report = sla_report([met, late, waiting], WORKFLOW, T0 + timedelta(hours=3))
    assert (report.reaction_met, report.reaction_missed) == (1, 1)
    assert (report.resolution_met, report.resolution_missed) == (1, 1)
    assert report.reaction_percent == 50.0


def test_satisfaction_and_load() -> None:
    rated = [Ticket("s", "telegram", 1, T0, responsible_id=10, rating=r, status="closed")
             for r in (5, 4)]
    report = satisfaction_report(rated + [Ticket("s", "telegram", 1, T0)])
    assert report.average == 4.5 and report.distribution[5] == 1
    load = agent_load([Ticket("s", "telegram", 1, T0, responsible_id=10),
                       Ticket("s", "telegram", 1, T0, responsible_id=10, status="on_hold"),
                       Ticket("s", "telegram", 1, T0, responsible_id=11, status="closed")],
                      WORKFLOW)
    assert load == {10: 1}  # on hold is excluded from load, closed never counts


def test_per_day_counts_in_the_desk_time_zone() -> None:
    from zoneinfo import ZoneInfo

    tehran = ZoneInfo("Asia/Tehran")
    late_evening_utc = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)  # 01:30 on the 2nd in Tehran
    days = per_day([late_evening_utc], [T0], date(2026, 3, 2), 3, tehran)
    assert [(d.day.day, d.created, d.resolved) for d in days] == [(28, 0, 0), (1, 0, 0),
                                                                   (2, 1, 1)]
