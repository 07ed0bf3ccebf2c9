"""The rows of a big demo desk, planned in memory: tickets over the last D days with their
status history, comments, SLA due times and ratings, and what each ticket's figures must be
(first response, resolution time, SLA outcome), so a test can check the reports against
them. Deterministic for a given seed, end moment and team."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chatdesk.demo_people import DemoContact, make_contacts
from chatdesk.demo_sla import support_hours
from chatdesk.demo_words import AGENT_SAYS, CLIENT_SAYS, NOTES, RATING_COMMENTS, TOPICS
from core.metrics import StatusSpan
from core.sla import due_times

# how a desk's tickets stand, by their age: most old ones are closed, new ones still open
STATUS_MIX: list[tuple[timedelta, dict[str, float]]] = [
    (timedelta(days=2), {"open": 30, "in_progress": 15, "awaiting_reply": 20, "on_hold": 10,
                         "resolved": 25}),
    (timedelta(days=14), {"open": 4, "in_progress": 4, "awaiting_reply": 8, "on_hold": 6,
                          "resolved": 28, "closed": 50}),
    (timedelta.max, {"open": 0.5, "on_hold": 0.5, "awaiting_reply": 1, "resolved": 6,
                     "closed": 92}),
]
COUNTING = frozenset({"open", "in_progress", "awaiting_reply"})  # open, not pausing SLA
CLOSED_STATES = frozenset({"resolved", "closed"})
# priority -> (reaction, resolution) of the demo's SLA rules (chatdesk.demo_sla.RULES)
TARGETS = {"urgent": (timedelta(minutes=30), timedelta(hours=8)),
           "high": (timedelta(minutes=30), timedelta(hours=8))}
STANDARD = (timedelta(hours=2), timedelta(hours=24))
RATINGS = [1, 2, 3, 4, 5]
RATING_WEIGHTS = [4, 5, 10, 26, 55]


@dataclass(frozen=True)
class Team:
    """Who works where, by employee id: line-1 agents by client language, line-2 agents."""

    line1: dict[str, list[int]]
    line2: list[int]
    groups: dict[int, int]  # line -> group id
    companies: list[int]  # ids, in the order of chatdesk.demo_people.COMPANIES


@dataclass(frozen=True)
class PlannedTicket:
    """What the generator wrote for one ticket, as the reports should find it."""

    id: int
    created_at: datetime
    status: str
    responsible_id: int | None
    first_response: timedelta | None
    first_responder: int | None
    resolution: timedelta | None  # open, non-pausing time; closed-state tickets only
    left_open_at: datetime | None  # when it first reached a closed state
    rating: int | None
    reaction_due: datetime | None
    resolution_due: datetime | None


@dataclass
class BulkPlan:
    """What was planned: every ticket's figures, the rows not yet written (a chunk at a time
    at scale, so a million tickets never sit in memory as rows) and how many of each."""

    tickets: list[PlannedTicket] = field(default_factory=list)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)
        self.counts[table] += 1

    def take_rows(self) -> dict[str, list[dict[str, Any]]]:
        rows, self.rows = self.rows, {}
        return rows


def _minutes(rng: random.Random, median: float, spread: float, low: float,
             high: float) -> timedelta:
    return timedelta(minutes=min(high, max(low, rng.lognormvariate(0, spread) * median)))


def _created(rng: random.Random, end: datetime, days: int) -> datetime:
    """Busier in the daytime and on weekdays, a little busier towards today."""
    while True:
        share = rng.random() if rng.random() < 0.6 else rng.random() ** 0.7
        day = end - timedelta(days=share * days)
        if day.weekday() >= 5 and rng.random() < 0.4:
            continue
        hour = min(23.99, max(0.0, rng.gauss(13, 3.5)))
        when = day.replace(hour=int(hour), minute=int(hour % 1 * 60), second=rng.randrange(60),
                           microsecond=0)
        if when < end - timedelta(minutes=20):
            return when


class Planner:
    def __init__(self, team: Team, seed: int, end: datetime, days: int) -> None:
        self.team, self.end, self.days = team, end, days
        self.rng = random.Random(f"bulk:{seed}")
        self.calendar = support_hours(end)
        self.plan = BulkPlan()
        self.current: dict[int, int] = {}  # contact id -> its open ticket

    def contacts(self, count: int, first_id: int, first_identity: int) -> list[DemoContact]:
        people = make_contacts(self.rng, count)
        seen: set[tuple[str, str]] = set()
        for no, person in enumerate(people):
            person.id = first_id + no
            while (person.channel, person.external_id) in seen:
                person.external_id += "0"
            seen.add((person.channel, person.external_id))
            company = None if person.company is None else self.team.companies[person.company]
            self.plan.add("contacts", {
                "id": person.id, "name": person.name, "phone": person.phone,
                "email": person.email, "company_id": company, "manager_id": None,
                "language": person.language, "current_ticket_id": None,
                "wants_new_ticket": False, "created_at": self.end - timedelta(days=self.days)})
            self.plan.add("identities", {"id": first_identity + no, "channel": person.channel,
                                         "external_id": person.external_id,
                                         "contact_id": person.id})
        return people

    def tickets(self, count: int, people: Sequence[DemoContact], first_id: int,
                chunk: int) -> Iterator[dict[str, list[dict[str, Any]]]]:
        """The tickets' rows, `chunk` tickets at a time; `self.current` is each contact's
        current ticket once the last chunk is out."""
        times = sorted(_created(self.rng, self.end, self.days) for _ in range(count))
        for no, created in enumerate(times):
            person = self.rng.choice(people)
            planned = Story(self, first_id + no, person, created).write()
            assert person.id is not None
            if planned.status in CLOSED_STATES:
                self.current.pop(person.id, None)
            else:
                self.current[person.id] = planned.id
            self.plan.tickets.append(planned)
            if (no + 1) % chunk == 0:
                yield self.plan.take_rows()
        yield self.plan.take_rows()


class Story:
    """One ticket's life: registered by the client, answered, worked on, maybe put on hold
    or escalated to the second line, resolved, closed by the client, rated."""

    def __init__(self, planner: Planner, ticket_id: int, person: DemoContact,
                 created: datetime) -> None:
        self.p, self.id, self.person, self.created = planner, ticket_id, person, created
        self.rng = planner.rng
        self.changes: list[tuple[datetime, str, str | None, str | None, int | None]] = []
        self.statuses: list[tuple[datetime, str]] = [(created, "open")]
        self.version = 0
        self.agent = 0

    def status(self) -> str:
        age = self.p.end - self.created
        mix = next(m for limit, m in STATUS_MIX if age < limit)
        return self.rng.choices(list(mix), list(mix.values()))[0]

    def write(self) -> PlannedTicket:
        rng, final = self.rng, self.status()
        topic = rng.choice(TOPICS)
        language = self.person.language
        text = topic.texts[language].format(order=rng.randint(100_000, 999_999))
        agent = self.agent = rng.choice(self.p.team.line1[language])
        answered = final != "open" or rng.random() < 0.4
        responsible: int | None = agent if answered or rng.random() < 0.5 else None
        # the times of each step, from registration; squeezed to fit before the end
        reply = _minutes(rng, 25, 1.1, 1, 36 * 60)
        work = reply + _minutes(rng, 180, 1.2, 5, 10 * 24 * 60)
        hold = (rng.random() < 0.25) if final in CLOSED_STATES else final == "on_hold"
        paused = _minutes(rng, 24 * 60, 0.7, 60, 7 * 24 * 60) if hold else timedelta(0)
        resolve = work + paused + _minutes(rng, 60, 1.0, 2, 3 * 24 * 60)
        close = resolve + _minutes(rng, 2 * 24 * 60, 0.5, 30, 7 * 24 * 60)
        last = {"open": reply, "in_progress": reply, "awaiting_reply": reply,
                "on_hold": work, "resolved": resolve, "closed": close}[final]
        room = self.p.end - timedelta(minutes=1) - self.created
        squeeze = min(1.0, room / last) if last else 1.0

        def at(offset: timedelta) -> datetime:
            return self.created + offset * squeeze

        self.comment(self.created, "client", self.person.id, text, True)
        self.change(self.created, "client", self.person.id, "status", None, "open")
        if responsible is not None:
            self.change(self.created, "system", None, "responsible", None, str(responsible))
            self.change(self.created, "system", None, "group", None,
                        str(self.p.team.groups[1]))
        line1, line, group = None, 1, self.p.team.groups[1] if responsible else None
        if answered:
            words = AGENT_SAYS["working"].get(language, AGENT_SAYS["working"]["en"])
            self.comment(at(reply), "employee", agent, words.format(client=self.person.name),
                         True)
            if final != "open":
                self.move(at(reply), agent, "awaiting_reply" if final == "awaiting_reply"
                          else "in_progress")
        if final in ("on_hold", "resolved", "closed") and rng.random() < 0.12:
            line1, line, group = agent, 2, self.p.team.groups[2]
            responsible = rng.choice(self.p.team.line2)
            middle = at((reply + work) / 2)
            self.change(middle, "employee", agent, "responsible", str(agent), str(responsible))
            self.change(middle, "employee", agent, "group", str(self.p.team.groups[1]),
                        str(group))
            self.change(middle, "employee", agent, "line", "1", "2")
        if rng.random() < 0.3 and answered:
            self.comment(at(work) - timedelta(seconds=1), "employee", responsible,
                         rng.choice(NOTES), False)
        hold_until = None
        if hold:
            hold_until = at(work + paused) if final != "on_hold" else \
                self.p.end + _minutes(rng, 24 * 60, 0.5, 60, 5 * 24 * 60)
            self.move(at(work), responsible, "on_hold")
            self.change(at(work), "employee", responsible, "on_hold_until", None,
                        hold_until.isoformat())
            if final != "on_hold":
                self.move(hold_until, None, "in_progress")
                hold_until = None
        rating = None
        if final in CLOSED_STATES:
            solved = AGENT_SAYS["solved"].get(language, AGENT_SAYS["solved"]["en"])
            self.comment(at(resolve), "employee", responsible,
                         solved.format(client=self.person.name), True)
            self.move(at(resolve), responsible, "resolved")
            if final == "closed":
                self.comment(at(close), "client", self.person.id,
                             CLIENT_SAYS["offer"][language] if rng.random() < 0.1 else
                             "👍", True)
                self.move(at(close), None, "closed")
            if rng.random() < 0.45:
                rating = rng.choices(RATINGS, RATING_WEIGHTS)[0]
                self.change(at(close if final == "closed" else resolve), "client",
                            self.person.id, "rating", None, str(rating))
        elif rng.random() < 0.3:
            self.comment(at(reply) + timedelta(seconds=30), "client", self.person.id,
                         CLIENT_SAYS["news"][language], True)
        return self.finish(topic, text, final, responsible, group, line, line1, answered,
                           at(reply), hold_until, rating)

    def move(self, when: datetime, by: int | None, new: str) -> None:
        old = self.statuses[-1][1]
        self.statuses.append((when, new))
        self.change(when, "system" if by is None else "employee", by, "status", old, new)

    def change(self, when: datetime, kind: str, who: int | None, name: str, old: str | None,
               new: str | None) -> None:
        self.version += 1
        self.p.plan.add("history", {"ticket_id": self.id, "at": when, "actor_kind": kind,
                                    "actor_id": who, "field": name, "old": old, "new": new})

    def comment(self, when: datetime, kind: str, who: int | None, body: str,
                public: bool) -> None:
        self.p.plan.add("comments", {
            "ticket_id": self.id, "author_kind": kind, "author_id": who, "body": body,
            "public": public, "channel": self.person.channel if kind == "client" else "panel",
            "attachments": [], "created_at": when,
            "delivery": "sent" if kind == "employee" and public else "n/a"})

    def finish(self, topic: Any, text: str, final: str, responsible: int | None,
               group: int | None, line: int, line1: int | None, answered: bool,
               replied: datetime, hold_until: datetime | None,
               rating: int | None) -> PlannedTicket:
        spans = [StatusSpan(s, t, self.statuses[i + 1][0] if i + 1 < len(self.statuses)
                            else None) for i, (t, s) in enumerate(self.statuses)]
        reaction, resolution = TARGETS.get(topic.priority or "normal", STANDARD)
        internal = topic.type_code == "internal"
        targets = [resolution] if internal else [reaction, resolution]
        due = due_times(self.p.calendar, targets, spans, COUNTING.__contains__)
        reaction_due, resolution_due = (None, due[0]) if internal else (due[0], due[1])
        left = next((t for t, s in self.statuses if s in CLOSED_STATES), None)
        worked = sum(((s.end or self.p.end) - s.start for s in spans if s.status in COUNTING),
                     timedelta(0))
        resolved_at = next((t for t, s in reversed(self.statuses) if s == "resolved"), None)
        self.p.plan.add("tickets", {
            "id": self.id, "subject": text.split("\n")[0][:200], "channel": self.person.channel,
            "contact_id": self.person.id, "status": final, "priority": topic.priority or "normal",
            "type_code": topic.type_code, "line": line, "responsible_id": responsible,
            "group_id": group, "observer_ids": [], "observer_group_ids": [], "attributes": {},
            "on_hold_until": hold_until, "resolved_at": resolved_at,
            "closed_at": self.statuses[-1][0] if final == "closed" else None,
            "linked_from_id": None, "line1_responsible_id": line1, "rating": rating,
            "rating_comment": RATING_COMMENTS.get(rating or 0, {}).get(self.person.language),
            "planned_reaction_at": reaction_due, "planned_resolution_at": resolution_due,
            "resolution_set_by_hand": False, "reacted_at": replied if answered else None,
            "created_at": self.created, "version": self.version})
        return PlannedTicket(
            self.id, self.created, final, responsible,
            replied - self.created if answered else None,
            self.agent if answered else None, worked if final in CLOSED_STATES else None,
            left, rating, reaction_due, resolution_due)


def plan_desk(team: Team, tickets: int, seed: int, end: datetime, days: int,
              first_ids: dict[str, int], chunk: int = 20_000
              ) -> tuple[BulkPlan, Iterator[dict[str, list[dict[str, Any]]]]]:
    """The plan, and the desk's rows in chunks as they are planned: the contacts first, then
    `chunk` tickets at a time with their comments and history, then each contact's current
    ticket (table `current`). The plan is complete once the chunks are exhausted."""
    end = end.astimezone(UTC)
    planner = Planner(team, seed, end, days)

    def chunks() -> Iterator[dict[str, list[dict[str, Any]]]]:
        people = planner.contacts(max(30, tickets // 3), first_ids["contacts"],
                                  first_ids["identities"])
        yield planner.plan.take_rows()
        yield from planner.tickets(tickets, people, first_ids["tickets"], chunk)
        yield {"current": [{"id": contact, "current_ticket_id": ticket}
                           for contact, ticket in sorted(planner.current.items())]}

    return planner.plan, chunks()
