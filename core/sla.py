"""SLA (docs/DOMAIN.md §4): which rule applies to a ticket, and when its reaction and resolution
fall due on the rule's service calendar, leaving out time in pausing and closed statuses."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from core.calendar import BusinessCalendar
from core.conditions import Conditions, TicketFacts, first_match
from core.metrics import StatusSpan

DEFAULT_WARNING_SHARE = 0.8


class Target(StrEnum):
    REACTION = "reaction"
    RESOLUTION = "resolution"


@dataclass(frozen=True)
class ServiceCalendar:
    """A named calendar an administrator edits; `hours` does the arithmetic."""

    id: int
    name: str
    hours: BusinessCalendar


@dataclass(frozen=True)
class SlaRule:
    id: int
    name: str
    calendar_id: int
    reaction: timedelta | None = None
    resolution: timedelta | None = None
    when: Conditions = field(default_factory=Conditions)
    warning_share: float = DEFAULT_WARNING_SHARE  # warn when this share of a target is used
    enabled: bool = True
    position: int = 0

    def target(self, which: Target) -> timedelta | None:
        return self.reaction if which is Target.REACTION else self.resolution


def rule_for(
    rules: Iterable[SlaRule], facts: TicketFacts, calendars: Mapping[int, ServiceCalendar]
) -> SlaRule | None:
    """The first enabled rule whose conditions hold; registration windows are read in the
    rule's calendar zone. A rule whose calendar is gone is skipped."""

    def accepts(rule: SlaRule) -> bool:
        calendar = calendars.get(rule.calendar_id)
        return calendar is not None and rule.when.matches(facts, calendar.hours.timezone)

    return first_match(rules, accepts)


def due_times(
    calendar: BusinessCalendar,
    targets: Sequence[timedelta],
    spans: Sequence[StatusSpan],
    counts: Callable[[str], bool],
) -> list[datetime | None]:
    """For each target, the instant at which that much working time has been spent in
    statuses that count (§4.5): in the past if it already was, in the future while the clock
    runs, None while it is stopped (a pausing or closed status) short of the target."""
    due: list[datetime | None] = [None] * len(targets)
    order = sorted(range(len(targets)), key=lambda i: targets[i])
    spent, k = timedelta(0), 0
    for span in spans:
        if k == len(order):
            break
        if not counts(span.status):
            continue
        if span.end is None:
            for i in order[k:]:
                due[i] = calendar.add_working_time(span.start, targets[i] - spent)
            break
        worked = calendar.working_time_between(span.start, span.end)
        while k < len(order) and targets[order[k]] - spent <= worked:
            i = order[k]
            due[i] = calendar.add_working_time(span.start, targets[i] - spent)
            k += 1
        spent += worked
    return due


@dataclass(frozen=True)
class Deadline:
    due_at: datetime | None
    warn_at: datetime | None


def deadlines(
    rule: SlaRule,
    calendar: BusinessCalendar,
    spans: Sequence[StatusSpan],
    counts: Callable[[str], bool],
) -> dict[Target, Deadline]:
    """The rule's targets placed on a ticket's status timeline, with their warning moments."""
    wanted = [(t, rule.target(t)) for t in Target]
    targets = [(t, d) for t, d in wanted if d is not None]
    share = min(max(rule.warning_share, 0.0), 1.0)
    times = due_times(calendar, [d for _, d in targets] + [d * share for _, d in targets],
                      spans, counts)
    n = len(targets)
    return {t: Deadline(times[i], times[n + i]) for i, (t, _) in enumerate(targets)}
