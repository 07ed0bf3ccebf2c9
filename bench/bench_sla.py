"""Benchmark of SLA deadline recomputation (core/sla.py, core/sla_policy.py).

Run by hand from the repository root:

    .venv/bin/python bench/bench_sla.py

10,000 tickets registered at random moments of 2025, each with a status history of one to
seven spans (Open, On hold, Awaiting reply, Resolved, Open again ...), matched against an SLA
rules table of six rules (priority, type, client category and night/weekend registration
conditions, the catch-all last) on a Europe/Berlin calendar with a lunch break and 15
holidays; each ticket gets its reaction and resolution deadlines and their 80 % warning
moments, paused and closed time left out.

- "rules + deadlines": the pure computation (`rule_for` + `deadlines`), what a recompute
  costs once the history is read;
- "policy on SQLite": `recompute_deadlines` for each ticket in one unit of work on a SQLite
  file (the rule table, the client's company and each ticket's history read through the
  repositories), i.e. a mass recompute after an administrator edits the rules.

"cold" is the first pass on a fresh calendar (days resolved and cached as met), "warm" the
best of three further passes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import shutil
import sys
import tempfile
import time as clock
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.calendar import BusinessCalendar, WorkingInterval  # noqa: E402
from core.conditions import Conditions, TicketFacts, TimeWindow  # noqa: E402
from core.context import HandlerContext  # noqa: E402
from core.metrics import StatusSpan  # noqa: E402
from core.rulebook import rulebook  # noqa: E402
from core.sla import ServiceCalendar, SlaRule, deadlines, rule_for  # noqa: E402
from core.sla_policy import recompute_deadlines  # noqa: E402
from core.statuses import Workflow, default_statuses  # noqa: E402
from core.tickets import Ticket  # noqa: E402
from storage import models as m  # noqa: E402
from storage.db import close_database, migrate, open_database  # noqa: E402
from storage.seed import ensure_reference_data  # noqa: E402
from storage.uow import TortoiseUnitOfWork  # noqa: E402

N = 10_000
SEED = 20251127
HOLIDAYS = [
    date(2025, 1, 1), date(2025, 3, 8), date(2025, 4, 18), date(2025, 4, 21),
    date(2025, 5, 1), date(2025, 5, 29), date(2025, 6, 9), date(2025, 10, 3),
    date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1), date(2026, 4, 3),
    date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 14),
]
MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)
WORKFLOW = Workflow(default_statuses())


def counts(code: str) -> bool:
    return WORKFLOW.get(code).counts_for_sla


def make_calendars() -> dict[int, ServiceCalendar]:
    day = [WorkingInterval(time(9), time(13)), WorkingInterval(time(14), time(18))]
    hours = BusinessCalendar("Europe/Berlin", {weekday: day for weekday in range(5)},
                             {holiday: [] for holiday in HOLIDAYS})
    return {1: ServiceCalendar(1, "Berlin office", hours),
            2: ServiceCalendar(2, "Around the clock", BusinessCalendar.always("Europe/Berlin"))}


RULES = [
    SlaRule(1, "VIP urgent", 2, 15 * MINUTE, 4 * HOUR,
            Conditions(priorities=frozenset({"urgent"}), categories=frozenset({"VIP"}))),
    SlaRule(2, "Urgent", 1, 30 * MINUTE, 8 * HOUR, Conditions(priorities=frozenset({"urgent"})),
            position=1),
    SlaRule(3, "Incidents", 1, HOUR, 16 * HOUR, Conditions(types=frozenset({"incident"})),
            position=2),
    SlaRule(4, "Nights", 1, 2 * HOUR, 24 * HOUR,
            Conditions(registered=TimeWindow(frozenset(range(5)), time(18), time(9))),
            position=3),
    SlaRule(5, "Weekends", 1, 3 * HOUR, 24 * HOUR,
            Conditions(registered=TimeWindow(frozenset({5, 6}))), position=4),
    SlaRule(6, "Everyone else", 1, 4 * HOUR, 40 * HOUR, position=5),
]


def make_tickets(rng: random.Random) -> list[tuple[TicketFacts, list[StatusSpan]]]:
    year = 365 * 86_400
    made = []
    for n in range(N):
        created = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(year))
        ticket = Ticket("s", "telegram", 1, created, priority=rng.choice(
            ["low", "normal", "high", "urgent"]), type_code=rng.choice(
            [None, "question", "incident"]), id=n + 1)
        statuses = ["open"] + [rng.choice(["on_hold", "awaiting_reply", "resolved", "open"])
                               for _ in range(rng.randint(0, 6))]
        spans, at = [], created
        for i, status in enumerate(statuses):
            end = at + timedelta(minutes=rng.randint(5, 3 * 24 * 60))
            spans.append(StatusSpan(status, at, end if i + 1 < len(statuses) else None))
            at = end
        made.append((TicketFacts(ticket, 7, rng.choice(["Client", "Partner", "VIP"])), spans))
    return made


def measure(label: str, work: Callable[[dict[int, ServiceCalendar]], None]) -> str:
    def rate() -> float:
        began = clock.perf_counter()
        work(calendars)
        return N / (clock.perf_counter() - began)

    calendars = make_calendars()
    cold = rate()
    warm = max(rate() for _ in range(3))
    return f"{label:<34} cold {cold:>9,.0f} tickets/s   warm {warm:>9,.0f} tickets/s"


def pure(tickets: list[tuple[TicketFacts, list[StatusSpan]]]
         ) -> Callable[[dict[int, ServiceCalendar]], None]:
    def work(calendars: dict[int, ServiceCalendar]) -> None:
        for facts, spans in tickets:
            rule = rule_for(RULES, facts, calendars)
            assert rule is not None
            deadlines(rule, calendars[rule.calendar_id].hours, spans, counts)
    return work


async def on_sqlite(tickets: list[tuple[TicketFacts, list[StatusSpan]]]) -> str:
    """`recompute_deadlines` for every ticket in one unit of work on a SQLite file: the rule
    table, the client's company and each ticket's history read through the repositories."""
    folder = tempfile.mkdtemp()
    url = f"sqlite://{folder}/bench.sqlite3"
    await migrate(url)
    await open_database(url)
    try:
        await ensure_reference_data()
        async with TortoiseUnitOfWork() as uow:
            for calendar in make_calendars().values():
                await uow.rules.calendars.save(dataclasses.replace(calendar, id=0))
            for rule in RULES:
                await uow.rules.sla.save(dataclasses.replace(rule, id=0))
            await uow.commit()
        company = await m.CompanyRow.create(name="Acme", category="VIP")
        contact = await m.ContactRow.create(name="Ivan", company_id=company.id)
        await m.TicketRow.bulk_create([m.TicketRow(
            id=f.ticket.id, subject="s", channel="telegram", contact_id=contact.id,
            status=spans[-1].status, priority=f.ticket.priority, type_code=f.ticket.type_code,
            created_at=f.ticket.created_at) for f, spans in tickets], batch_size=1000)
        await m.HistoryRow.bulk_create([m.HistoryRow(
            ticket_id=f.ticket.id, at=s.start, actor_kind="system", field="status", new=s.status)
            for f, spans in tickets for s in spans], batch_size=1000)

        async def rate() -> float:
            began = clock.perf_counter()
            async with TortoiseUnitOfWork() as uow:
                ctx = HandlerContext(uow, datetime(2026, 1, 1, tzinfo=UTC))
                book = await rulebook(ctx)
                for facts, _ in tickets:
                    await recompute_deadlines(await uow.tickets.get(facts.ticket.id), book, ctx)
            return N / (clock.perf_counter() - began)

        cold = await rate()
        warm = max([await rate() for _ in range(3)])
    finally:
        await close_database()
        shutil.rmtree(folder, ignore_errors=True)
    label = "policy on SQLite (reads via ports)"
    return f"{label:<34} cold {cold:>9,.0f} tickets/s   warm {warm:>9,.0f} tickets/s"


def main() -> None:
    tickets = make_tickets(random.Random(SEED))
    print(f"Python {sys.version.split()[0]}, {N:,} tickets, {len(RULES)} SLA rules, "
          f"seed {SEED}")
    print(measure("rules + deadlines (pure)", pure(tickets)))
    print(asyncio.run(on_sqlite(tickets)))


if __name__ == "__main__":
    main()
