"""`chatdesk demo --bulk`: a desk of tens or hundreds of thousands of tickets for benchmarks
and tests. The team, groups, statuses, SLA rules and companies are set up by the same commands
as the ordinary demo; the contacts, tickets, comments and history are planned in memory
(chatdesk.demo_bulk_plan) and written set-based (storage.bulk_load), thousands of rows per
statement, instead of one command per change."""

from __future__ import annotations

from datetime import UTC, datetime

from chatdesk.bootstrap import build_desk
from chatdesk.demo_bulk_plan import BulkPlan, Team, plan_desk
from chatdesk.demo_loader import DemoClock, DemoLoader, DemoResult
from chatdesk.demo_team import LINE1_BY_LANGUAGE, LINE2
from core.errors import DomainError
from core.outbox import Routing
from storage import admin
from storage.bulk_load import finish_bulk_load, first_ids, write_rows

DAYS = 365


async def load_bulk(tickets: int, seed: int = 1, days: int = DAYS, *,
                    end: datetime | None = None) -> tuple[DemoResult, BulkPlan]:
    """Load a bulk demo desk into the open, empty database; returns the result and the plan
    it wrote (what each ticket's figures are). Refuses (DomainError) when tickets exist."""
    existing = await admin.count_tickets()
    if existing:
        raise DomainError("demo.not_empty", count=existing)
    end = (end or datetime.now(UTC)).replace(second=0, microsecond=0)
    clock = DemoClock(end)
    loader = DemoLoader(build_desk(clock=clock, routing=Routing()), clock, seed, end)
    await loader.prepare()
    team = Team({lang: [loader.ids[login] for login in logins]
                 for lang, logins in LINE1_BY_LANGUAGE.items()},
                [loader.ids[login] for login in LINE2], dict(loader.line_groups),
                list(loader.companies))
    plan, chunks = plan_desk(team, tickets, seed, end, days, await first_ids())
    await admin.relax_durability_for_bulk_load()
    for rows in chunks:
        await write_rows(rows)
    await finish_bulk_load()
    result = loader.result
    result.tickets, result.contacts = len(plan.tickets), plan.counts["contacts"]
    return result, plan
