"""Reports and the dashboard series (docs/DOMAIN.md §9.3-9.4), computed from each ticket's history
and comments with core.metrics: first response, resolution time, SLA compliance,
satisfaction, agent load, created vs resolved per day."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from core.metrics import first_response, left_open_at, resolution_time
from core.statuses import Workflow
from core.tickets import Comment, HistoryEntry, Ticket


@dataclass(frozen=True)
class TicketFacts:
    ticket: Ticket
    history: Sequence[HistoryEntry]
    comments: Sequence[Comment]


@dataclass(frozen=True)
class DurationRow:
    employee_id: int | None  # None: nobody (yet)
    tickets: int
    average: timedelta


@dataclass(frozen=True)
class DurationReport:
    rows: list[DurationRow]
    tickets: int
    average: timedelta | None


def _average(values: Sequence[timedelta]) -> timedelta:
    return sum(values, timedelta(0)) / len(values)


def _by_employee(pairs: Iterable[tuple[int | None, timedelta]]) -> DurationReport:
    grouped: dict[int | None, list[timedelta]] = defaultdict(list)
    for employee_id, value in pairs:
        grouped[employee_id].append(value)
    everything = [v for values in grouped.values() for v in values]
    rows = [DurationRow(e, len(v), _average(v)) for e, v in grouped.items()]
    rows.sort(key=lambda r: (r.employee_id is None, r.employee_id or 0))
    return DurationReport(rows, len(everything), _average(everything) if everything else None)


def first_response_report(facts: Iterable[TicketFacts]) -> DurationReport:
    """Per employee who reacted first, and the average over all tickets that had a reaction."""
    pairs = []
    for f in facts:
        response = first_response(f.history, f.comments)
        if response is not None:
            pairs.append((response.by.id, response.after))
    return _by_employee(pairs)


def resolution_report(facts: Iterable[TicketFacts], workflow: Workflow,
                      now: datetime) -> DurationReport:
    """Resolved or closed tickets only, per responsible; paused and closed time left out."""
    pairs = []
    for f in facts:
        status = f.ticket.status
        if status in workflow and not workflow.get(status).is_open:
            pairs.append((f.ticket.responsible_id, resolution_time(f.history, workflow, now)))
    return _by_employee(pairs)


@dataclass(frozen=True)
class SlaReport:
    reaction_met: int
    reaction_missed: int
    resolution_met: int
    resolution_missed: int

    @staticmethod
    def _percent(met: int, missed: int) -> float | None:
        return None if met + missed == 0 else round(100 * met / (met + missed), 1)

    @property
    def reaction_percent(self) -> float | None:
        return self._percent(self.reaction_met, self.reaction_missed)

    @property
    def resolution_percent(self) -> float | None:
        return self._percent(self.resolution_met, self.resolution_missed)


def _resolved_at(f: TicketFacts, workflow: Workflow) -> datetime | None:
    return left_open_at(f.history, workflow)


MET, MISSED, PENDING = "met", "missed", "pending"


def sla_outcomes(f: TicketFacts, workflow: Workflow,
                 now: datetime) -> tuple[str | None, str | None]:
    """The ticket's reaction and resolution targets: met, missed (also when still pending
    and already late), pending, or None without a target."""
    t = f.ticket
    reaction = resolution = None
    if t.planned_reaction_at is not None:
        response = first_response(f.history, f.comments)
        reacted = t.created_at + response.after if response else None
        reaction = outcome(reacted, t.planned_reaction_at, now)
    if t.planned_resolution_at is not None:
        resolution = outcome(_resolved_at(f, workflow), t.planned_resolution_at, now)
    return reaction, resolution


def outcome(done: datetime | None, due: datetime, now: datetime) -> str:
    if done is not None:
        return MET if done <= due else MISSED
    return MISSED if now > due else PENDING


def sla_report(facts: Iterable[TicketFacts], workflow: Workflow, now: datetime) -> SlaReport:
    """A target counts once it is decided: met or missed, or still pending and already late."""
    counts = Counter[str]()
    for f in facts:
        reaction, resolution = sla_outcomes(f, workflow, now)
        counts[f"reaction_{reaction}"] += 1
        counts[f"resolution_{resolution}"] += 1
    return SlaReport(counts["reaction_met"], counts["reaction_missed"],
                     counts["resolution_met"], counts["resolution_missed"])


@dataclass(frozen=True)
class SatisfactionRow:
    employee_id: int | None
    ratings: int
    average: float


@dataclass(frozen=True)
class SatisfactionReport:
    rows: list[SatisfactionRow]
    ratings: int
    average: float | None
    distribution: dict[int, int]  # score -> how many


def satisfaction_report(tickets: Iterable[Ticket]) -> SatisfactionReport:
    grouped: dict[int | None, list[int]] = defaultdict(list)
    for t in tickets:
        if t.rating is not None:
            grouped[t.responsible_id].append(t.rating)
    scores = [s for values in grouped.values() for s in values]
    rows = [SatisfactionRow(e, len(v), round(sum(v) / len(v), 2)) for e, v in grouped.items()]
    rows.sort(key=lambda r: (r.employee_id is None, r.employee_id or 0))
    return SatisfactionReport(rows, len(scores),
                              round(sum(scores) / len(scores), 2) if scores else None,
                              {s: scores.count(s) for s in range(1, 6)})


def agent_load(tickets: Iterable[Ticket], workflow: Workflow) -> dict[int, int]:
    """§5.4: open tickets per responsible, in statuses not excluded from load."""
    load: Counter[int] = Counter()
    for t in tickets:
        if t.responsible_id is not None and t.status in workflow \
                and workflow.get(t.status).counts_for_load:
            load[t.responsible_id] += 1
    return dict(load)


@dataclass(frozen=True)
class DayCount:
    day: date
    created: int
    resolved: int


def per_day(created: Iterable[datetime], resolved: Iterable[datetime], last_day: date,
            days: int, zone: tzinfo) -> list[DayCount]:
    """Created and resolved tickets per local day, for `days` days ending with `last_day`."""
    first = last_day - timedelta(days=days - 1)
    made = Counter(d.astimezone(zone).date() for d in created)
    done = Counter(d.astimezone(zone).date() for d in resolved)
    return [DayCount(first + timedelta(days=i), made[first + timedelta(days=i)],
                     done[first + timedelta(days=i)]) for i in range(days)]
