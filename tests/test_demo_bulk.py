"""The bulk demo desk (`chatdesk demo --bulk`): written set-based, on SQLite and PostgreSQL,
its history gives the reports exactly the figures the generator says it wrote."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chatdesk.bootstrap import build_desk
from chatdesk.demo_bulk import load_bulk
from chatdesk.demo_bulk_plan import CLOSED_STATES, PlannedTicket
from core import commands as c
from core import reports
from core.errors import DomainError
from storage import report_sql, report_views
from storage.panel_views import reference
from tests.test_demo import _summary, chatdesk, fresh_query_cache  # noqa: F401

END = datetime(2026, 3, 20, 15, 30, tzinfo=UTC)
DAYS = 90
CLOSED_CODES = frozenset({"resolved", "closed"})


@pytest.fixture(autouse=True)
def quick_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    from admin_web import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64,
                                                             parallelism=1))


def _averages(pairs: list[tuple[int | None, timedelta]]) -> dict[int | None, tuple[int, float]]:
    grouped: dict[int | None, list[timedelta]] = defaultdict(list)
    for who, value in pairs:
        grouped[who].append(value)
    return {who: (len(v), sum(v, timedelta(0)).total_seconds() / len(v))
            for who, v in grouped.items()}


def _rows(report: reports.DurationReport) -> dict[int | None, tuple[int, float]]:
    return {r.employee_id: (r.tickets, r.average.total_seconds()) for r in report.rows}


def _close(found: dict[int | None, tuple[int, float]],
           wanted: dict[int | None, tuple[int, float]]) -> bool:
    return found.keys() == wanted.keys() and all(
        found[k][0] == wanted[k][0] and abs(found[k][1] - wanted[k][1]) < 0.01 for k in found)


def _same_durations(found: reports.DurationReport, wanted: reports.DurationReport) -> bool:
    """The same rows and averages, to the millisecond (SQLite's date arithmetic)."""
    def near(a: timedelta | None, b: timedelta | None) -> bool:
        return a == b or (a is not None and b is not None and abs(a - b) < timedelta(
            milliseconds=2))
    return found.tickets == wanted.tickets and near(found.average, wanted.average) and [
        (r.employee_id, r.tickets) for r in found.rows] == [
        (r.employee_id, r.tickets) for r in wanted.rows] and all(
        near(a.average, b.average) for a, b in zip(found.rows, wanted.rows, strict=True))


def _outcome(done: datetime | None, due: datetime | None) -> str | None:
    if due is None:
        return None
    if done is not None:
        return "met" if done <= due else "missed"
    return "missed" if due < END else "pending"


def _sla(planned: list[PlannedTicket]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for t in planned:
        reacted = t.created_at + t.first_response if t.first_response is not None else None
        counts[f"reaction_{_outcome(reacted, t.reaction_due)}"] += 1
        counts[f"resolution_{_outcome(t.left_open_at, t.resolution_due)}"] += 1
    return counts


async def test_the_reports_find_the_figures_the_generator_wrote(database: str) -> None:
    result, plan = await load_bulk(300, seed=7, days=DAYS, end=END)
    planned = plan.tickets
    assert result.tickets == 300 == len(planned)
    statuses = Counter(t.status for t in planned)
    assert {"open", "awaiting_reply", "on_hold", "resolved", "closed"} <= set(statuses)
    assert statuses["closed"] > statuses["open"]  # a desk that has been working a while

    snapshot = await report_views.metrics_snapshot()
    assert snapshot.tickets_by_status == dict(statuses)
    ref = await reference()
    scope = report_views.ReportScope(END - timedelta(days=DAYS + 1), END + timedelta(days=1))
    facts = await report_views.report_facts(scope)
    assert len(facts) == 300
    assert sum(len(f.comments) for f in facts) == plan.counts["comments"]

    answered = [(t.first_responder, t.first_response) for t in planned
                if t.first_response is not None]
    first = reports.first_response_report(facts)
    assert first.tickets == len(answered) < 300  # some still wait for their first reply
    assert _close(_rows(first), _averages(answered))

    resolved = [(t.responsible_id, t.resolution) for t in planned if t.resolution is not None]
    resolution = reports.resolution_report(facts, ref.workflow, END)
    assert resolution.tickets == len(resolved) == statuses["resolved"] + statuses["closed"]
    assert _close(_rows(resolution), _averages(resolved))

    sla = reports.sla_report(facts, ref.workflow, END)
    wanted = _sla(planned)
    assert (sla.reaction_met, sla.reaction_missed, sla.resolution_met,
            sla.resolution_missed) == (wanted["reaction_met"], wanted["reaction_missed"],
                                       wanted["resolution_met"], wanted["resolution_missed"])
    assert sla.reaction_met and sla.reaction_missed  # both outcomes occur

    scores = [t.rating for t in planned if t.rating is not None]
    assert all(t.status in CLOSED_STATES for t in planned if t.rating is not None)
    rated = reports.satisfaction_report(f.ticket for f in facts)
    assert rated.ratings == len(scores) > 0
    assert rated.average == round(sum(scores) / len(scores), 2)
    assert rated.distribution == {s: scores.count(s) for s in range(1, 6)}

    # the reports the panel reads, counted by the database, say what the history says
    assert _same_durations(await report_sql.first_response_report(scope), first)
    found = await report_sql.resolution_report(scope, ref)
    assert _same_durations(found, resolution)
    assert await report_sql.sla_report(scope, END) == sla
    assert await report_sql.satisfaction_report(scope) == rated
    open_tickets = await report_views.open_tickets(ref)
    assert await report_sql.agent_load(ref) == reports.agent_load(open_tickets, ref.workflow)
    for company in {f.ticket.contact_id for f in facts[:5]}:  # a filter, as §9.4's
        one = report_views.ReportScope(scope.start, scope.end, contact_id=company)
        mine = [f for f in facts if f.ticket.contact_id == company]
        assert _same_durations(await report_sql.first_response_report(one),
                               reports.first_response_report(mine))
    zone = ZoneInfo("Europe/Moscow")
    first_day = (END - timedelta(days=20)).astimezone(zone).date()
    since = datetime.combine(first_day, time(0), zone)
    made = [f.ticket.created_at for f in facts if f.ticket.created_at >= since]
    done = [h.at for f in facts for h in f.history if h.field == "status" and h.at >= since
            and h.old in ref.open_codes and h.new in CLOSED_CODES]
    assert await report_sql.per_day(ref, report_views.ReportScope(since, END), first_day, 21,
                                    zone) == reports.per_day(made, done, first_day
                                                             + timedelta(days=20), 21, zone)

    counts = await report_views.dashboard_counts(None, ref, END, END + timedelta(hours=8))
    assert counts.open == sum(n for s, n in statuses.items() if s not in CLOSED_STATES)
    assert counts.on_hold == statuses["on_hold"]

    arrived = await build_desk().handle(c.ClientWrites("telegram", "1", "New", "Hello"))
    assert arrived.ticket_id == max(t.id for t in planned) + 1  # ids go on after the bulk

    with pytest.raises(DomainError):  # a desk with tickets is left alone
        await load_bulk(10, end=END)


def test_the_command_loads_a_bulk_desk_once(tmp_path: Path) -> None:
    loaded = chatdesk(tmp_path, "demo", "--bulk", "--tickets", "200", "--days", "30")
    assert loaded.returncode == 0, loaded.stderr
    assert "demo: 200 tickets" in loaded.stdout
    url = f"sqlite://{tmp_path / 'data' / 'chatdesk.sqlite3'}"
    assert asyncio.run(_summary(url)).tickets == 200
    again = chatdesk(tmp_path, "demo", "--bulk", "--tickets", "200", "--if-empty")
    assert again.returncode == 0 and "nothing to do" in again.stdout
    rebuilt = chatdesk(tmp_path, "metrics", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "metrics: 200 tickets rebuilt from their history" in rebuilt.stdout


async def test_the_list_and_dashboard_indexes_exist_on_both_engines(database: str) -> None:
    from storage.plain_sql import select

    sql = ("SELECT name AS name FROM sqlite_master WHERE type = 'index'"
           if database.startswith("sqlite") else
           "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public'")
    names = {r["name"] for r in await select(sql, [])}
    assert {"idx_tickets_status_due", "idx_tickets_channel", "idx_history_field_at"} <= names
