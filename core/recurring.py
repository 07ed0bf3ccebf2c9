"""Recurring tickets (docs/DOMAIN.md §6.3): a schedule opens a ticket from a template for a
client (the timer handlers run it). Each schedule keeps one pending timer at its next run;
runs missed while the desk was down are caught up by a single ticket, and the next run
counts from then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.cron import CronSchedule


@dataclass(frozen=True)
class TicketTemplate:
    subject: str  # may use {{ date }} (the run's local date)
    text: str = ""  # becomes a private note on the new ticket
    type_code: str | None = None
    priority: str | None = None


@dataclass(frozen=True)
class RecurringSchedule:
    id: int
    name: str
    cron: str  # "minute hour day month weekday", e.g. "0 9 * * mon#1"
    timezone: str
    contact_id: int
    template: TicketTemplate
    starts_at: datetime  # runs before this moment never happen
    last_run_at: datetime | None = None
    enabled: bool = True
    position: int = 0

    def next_run(self) -> datetime | None:
        after = self.last_run_at or self.starts_at
        return CronSchedule.parse(self.cron).next_after(after, self.timezone)
