"""A realistic demo data set, loaded the way real traffic arrives: every change to a ticket is a
command handed to `Desk.handle`, on a clock that walks forward through the last 60 days, so the
history, the metrics and the reports look like a desk that has been working for two months.

The team, groups, custom statuses, canned answers and companies are set up by the commands
the panel uses, acting as the demo administrator. Nothing is queued for the bots: the desk
used here has no channels switched on, so a demo never messages real people. Deterministic
for a given seed and end moment.

This module is the entry point, `load_demo`; the demo's parts live in `demo_team`,
`demo_people`, `demo_words` (the data), `demo_story`, `demo_steps`, `demo_script` (the
stories) and `demo_loader` (running them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chatdesk.bootstrap import build_desk
from chatdesk.demo_loader import DemoClock, DemoLoader, DemoResult
from chatdesk.demo_story import DAYS
from core.errors import DomainError
from core.outbox import Routing
from storage import admin
from storage.demo_data import mark_past_replies_delivered


async def load_demo(tickets: int = 300, seed: int = 1, *, if_empty: bool = False,
                    end: datetime | None = None) -> DemoResult:
    """Load the demo set into the open database. Refuses (DomainError) when tickets exist,
    unless `if_empty`, which then does nothing."""
    existing = await admin.count_tickets()
    if existing:
        if if_empty:
            return DemoResult(skipped=True, existing_tickets=existing)
        raise DomainError("demo.not_empty", count=existing)
    end = (end or datetime.now(UTC)).replace(second=0, microsecond=0)
    clock = DemoClock(end - timedelta(days=DAYS + 1))
    loader = DemoLoader(build_desk(clock=clock, routing=Routing()), clock, seed, end)
    await admin.relax_durability_for_bulk_load()
    await loader.prepare()
    await loader.run(tickets)
    await mark_past_replies_delivered()
    return loader.result
