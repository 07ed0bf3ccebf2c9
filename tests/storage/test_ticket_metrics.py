"""The per-ticket metrics row the reports read in SQL is what the history says: kept by the
database in the transaction that writes history and comments (commands, the bulk loader), and
rebuilt from the history, on SQLite and PostgreSQL (docs/DOMAIN.md §3.5, §4.1)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from chatdesk.bootstrap import build_desk
from chatdesk.demo_bulk import load_bulk
from core import commands as c
from core.metrics import TicketMetrics, first_response, resolution_time, ticket_metrics
from core.reports import TicketFacts
from core.statuses import Workflow
from storage import report_views
from storage import ticket_metrics as tm
from storage.models import TicketMetricsRow
from storage.panel_views import reference
from tests.admin_web.test_reports import T0, Clock


async def _history_facts() -> list[TicketFacts]:
    scope = report_views.ReportScope(T0 - timedelta(days=400), T0 + timedelta(days=400))
    return await report_views.report_facts(scope)


def _same(kept: TicketMetrics, wanted: TicketMetrics) -> bool:
    """Equal, seconds within a millisecond (SQLite's date arithmetic stops there)."""
    def near(a: float | None, b: float | None) -> bool:
        return a == b or (a is not None and b is not None and abs(a - b) < 0.002)
    return near(kept.first_response_seconds, wanted.first_response_seconds) and near(
        kept.resolution_seconds, wanted.resolution_seconds) and dataclasses.replace(
        kept, first_response_seconds=None, resolution_seconds=0) == dataclasses.replace(
        wanted, first_response_seconds=None, resolution_seconds=0)


async def _assert_rows_follow_history(workflow: Workflow, now: datetime) -> int:
    facts = await _history_facts()
    kept = await tm.stored([f.ticket.id for f in facts])
    copies = {r.ticket_id: r for r in await TicketMetricsRow.filter(
        ticket_id__in=[f.ticket.id for f in facts])}
    for f in facts:
        copy, t = copies[f.ticket.id], f.ticket  # the ticket's columns the reports count by
        assert (copy.registered_at, copy.contact_id, copy.responsible_id, copy.status,
                copy.rating, copy.planned_reaction_at, copy.planned_resolution_at) == (
            t.created_at, t.contact_id, t.responsible_id, t.status, t.rating,
            t.planned_reaction_at, t.planned_resolution_at)
        row = kept[f.ticket.id]
        assert _same(row, ticket_metrics(f.ticket.id, f.history, f.comments, workflow))
        response = first_response(f.history, f.comments)
        assert (row.first_response_seconds is None) == (response is None)
        if response is not None:
            assert abs(row.first_response_seconds - response.after.total_seconds()) < 0.01
        assert abs((row.resolution_time(now)
                    - resolution_time(f.history, workflow, now)).total_seconds()) < 0.01
    return len(facts)


async def test_a_tickets_metrics_follow_its_commands_and_a_rebuild_agrees(
        database: str) -> None:
    clock = Clock()
    desk = build_desk(clock=clock)
    ann = (await desk.handle(c.AddEmployee("Ann", "ann", "specialist"))).id
    first = await desk.handle(c.ClientWrites("telegram", "7", "Rita", "Where is my parcel?"))
    ticket = first.ticket_id
    await desk.handle(c.AssignTicket(ticket, ann, ann))
    clock.at = T0 + timedelta(minutes=20)
    await desk.handle(c.AddAgentReply(ticket, ann, "Looking", resolve=False))
    clock.at = T0 + timedelta(hours=1)
    await desk.handle(c.ChangeStatus(ticket, ann, "on_hold", T0 + timedelta(days=2)))
    clock.at = T0 + timedelta(hours=5)
    await desk.handle(c.ChangeStatus(ticket, ann, "open"))
    clock.at = T0 + timedelta(hours=6)
    await desk.handle(c.AddAgentReply(ticket, ann, "Found it", resolve=True))
    clock.at = T0 + timedelta(days=3)
    await desk.handle(c.ClientWrites("telegram", "7", "Rita", "It never came"))
    clock.at = T0 + timedelta(days=3, minutes=30)
    await desk.handle(c.AddAgentReply(ticket, ann, "Resent", resolve=True))
    waiting = await desk.handle(c.ClientWrites("viber", "8", "Omid", "Hello?"))
    clock.at = T0 + timedelta(days=3, hours=1)
    await desk.handle(c.AddPrivateNote(waiting.ticket_id, ann, "spam?"))  # not a reaction

    workflow = (await reference()).workflow
    now = T0 + timedelta(days=4)
    assert await _assert_rows_follow_history(workflow, now) == 2
    kept = await tm.stored([ticket, waiting.ticket_id])
    # open 1 h before the hold, 1 h after it, then 30 min after the reopening (§3.5)
    assert kept[ticket].resolution_seconds == 2.5 * 3600
    assert kept[ticket].first_response_seconds == 20 * 60
    assert kept[ticket].first_responder_id == ann
    assert kept[ticket].left_open_at == T0 + timedelta(hours=6)
    assert kept[waiting.ticket_id].first_response_at is None
    assert kept[waiting.ticket_id].counting_since is not None  # still open, still counting

    await tm.rebuild()
    rebuilt = await tm.stored([ticket, waiting.ticket_id])
    assert all(_same(rebuilt[t], kept[t]) for t in kept)


async def test_the_bulk_loader_gets_metrics_rows_that_match_the_history(database: str) -> None:
    end = datetime(2026, 3, 20, 15, 30, tzinfo=UTC)
    await load_bulk(200, seed=3, days=60, end=end)
    workflow = (await reference()).workflow
    assert await _assert_rows_follow_history(workflow, end) == 200
    before = await tm.stored(list(range(1, 400)))
    assert await tm.rebuild(batch=64) == 200
    after = await tm.stored(list(range(1, 400)))
    assert after.keys() == before.keys() and all(_same(after[t], before[t]) for t in before)
    assert await _assert_rows_follow_history(workflow, end) == 200  # the copies too
