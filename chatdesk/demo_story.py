"""One demo ticket's life as timed steps (`Story`), and when tickets arrive and how they
go: the kinds by weight, working hours, registration times."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chatdesk.demo_people import DemoContact
from chatdesk.demo_words import Topic

DAYS = 60

# How tickets go, by weight. Older tickets are mostly simple ones (and cheaper to load);
# the last weeks get the whole range, and the last days some of each unfinished state.
KINDS = {"quick": 24, "dialog": 18, "progress": 12, "hold": 8, "escalated": 12,
         "reopened": 9, "evaluation": 5, "phone": 5, "internal": 4, "spam": 3}
OLD_KINDS = {"quick": 60, "dialog": 12, "progress": 5, "hold": 3, "escalated": 7,
             "reopened": 5, "evaluation": 1, "phone": 3, "internal": 2, "spam": 2}
OLD_AFTER = timedelta(days=21)
# The newest tickets, newest first: one of each unfinished state the panel should show.
RECENT_MIX = ["waiting", "hold", "unconfirmed", "progress", "escalated", "evaluation",
              "dialog", "hold", "waiting", "unconfirmed"]
RECENT = timedelta(days=3)


@dataclass
class Story:
    """One ticket's life as a list of timed steps; steps past the end moment are never run,
    so recent tickets stay in the middle of their story (open, on hold, awaiting reply)."""

    no: int
    kind: str
    contact: DemoContact
    topic: Topic
    agent: str
    line2: str
    rng: random.Random
    t: datetime
    end: datetime
    order: int
    agent_is_responsible: bool = False
    steps: list[tuple[datetime, Callable[[], Awaitable[None]]]] = field(default_factory=list)
    ticket_id: int | None = None
    closed_at: datetime | None = None
    cut: bool = False

    def add(self, delay: timedelta, action: Callable[[], Awaitable[None]],
            working: bool = False) -> bool:
        when = self.t + delay
        if working:
            when = working_time(when, self.rng)
        if self.cut or when >= self.end:
            self.cut = True
            return False
        self.t = when
        self.steps.append((when, action))
        return True

    def minutes(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(low, high))

    def hours(self, low: float, high: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(low, high))


def working_time(when: datetime, rng: random.Random) -> datetime:
    """Agents answer 08:00-20:00, Monday to Saturday (UTC, for simplicity)."""
    if when.hour >= 20:
        when = (when + timedelta(days=1)).replace(hour=8, minute=0)
        when += timedelta(minutes=rng.uniform(0, 50))
    elif when.hour < 8:
        when = when.replace(hour=8, minute=0) + timedelta(minutes=rng.uniform(0, 50))
    if when.weekday() == 6:
        when = (when + timedelta(days=1)).replace(hour=8) + timedelta(minutes=rng.uniform(0, 40))
    return when


def registration_time(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """Busier on weekdays and in the daytime, like a real inbox."""
    while True:  # half spread evenly, half growing towards today: a desk that gets busier
        share = rng.random() if rng.random() < 0.5 else rng.random() ** 0.5
        day = start + timedelta(days=share * DAYS)
        if day.weekday() >= 5 and rng.random() < 0.5:
            continue
        hour = min(23.9, max(0.0, rng.gauss(13, 4)))
        when = day.replace(hour=int(hour), minute=int(hour % 1 * 60),
                           second=rng.randint(0, 59), microsecond=0)
        if start <= when < end - timedelta(minutes=30):
            return when
