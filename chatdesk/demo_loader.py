"""Runs the demo: sets up the team and the reference data by the panel's commands, plans
every story, then plays all their steps in time order on a clock that only moves forward."""

from __future__ import annotations

import heapq
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chatdesk.demo_people import COMPANIES, DemoContact, make_contacts
from chatdesk.demo_script import Script
from chatdesk.demo_sla import set_up_sla
from chatdesk.demo_story import (
    DAYS,
    KINDS,
    OLD_AFTER,
    OLD_KINDS,
    RECENT,
    RECENT_MIX,
    Story,
    registration_time,
)
from chatdesk.demo_team import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    CANNED,
    DEACTIVATED,
    DEMO_NAMES,
    LINE1_BY_LANGUAGE,
    LINE2,
    TEAM,
)
from chatdesk.demo_words import TOPICS
from core import commands as c
from core.errors import DomainError
from core.names import Names
from core.services import Desk
from storage import admin

log = logging.getLogger(__name__)


class DemoClock:
    """The desk's clock while the demo runs: it only moves forward."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def move_to(self, when: datetime) -> None:
        self.current = max(self.current, when)


@dataclass
class DemoResult:
    tickets: int = 0
    contacts: int = 0
    commands: int = 0
    failed_steps: int = 0
    admin_created: bool = False
    skipped: bool = False
    existing_tickets: int = 0


class DemoLoader:
    def __init__(self, desk: Desk, clock: DemoClock, seed: int, end: datetime) -> None:
        self.desk, self.clock, self.seed, self.end = desk, clock, seed, end
        self.start = end - timedelta(days=DAYS)
        self.ids: dict[str, int] = {}
        self.names: dict[str, str] = {}
        self.line_groups: dict[int, int] = {}
        self.companies: list[int] = []
        self.admin_id = 0
        self.canned: dict[str, list[tuple[str, str]]] = CANNED
        self.result = DemoResult()

    async def handle(self, command: c.Command) -> Any:
        self.result.commands += 1
        return await self.desk.handle(command)

    # -- reference data and the team --------------------------------------------------------
    async def prepare(self) -> None:
        """The team, then what an administrator sets up in the panel, by the same commands;
        what already exists (by name or code) is kept as it is."""
        from admin_web.passwords import hash_password

        for login, name, role, _ in TEAM:
            existing = await admin.employee_by_login(login)
            if existing is None:
                password = hash_password(ADMIN_PASSWORD) if login == ADMIN_LOGIN else None
                existing = await self.handle(c.AddEmployee(name, login, role,
                                                           password_hash=password))
                self.result.admin_created |= login == ADMIN_LOGIN
            self.ids[login], self.names[login] = existing.id, existing.name
        self.admin_id = await self.acting_admin()
        known = await admin.reference_names()
        for line, name in ((1, "First line"), (2, "Second line")):
            members = tuple(self.ids[login] for login, *_, on in TEAM if on == line)
            notify = (self.ids["tom" if line == 1 else "irina"],)
            self.line_groups[line] = known.groups.get(name) or (await self.handle(
                c.SaveGroup(self.admin_id, 0, name, members, notify, _names(name)))).id
        for code, name, color, pauses in (("in_progress", "In progress", "#00838f", False),
                                          ("evaluation", "Evaluation", "#ad1457", True)):
            if code not in known.statuses:
                await self.handle(c.SaveStatus(self.admin_id, code, name, "open", pauses,
                                               color=color, names=_names(name)))
        for group, answers in CANNED.items():
            group_id = known.canned_groups.get(group) or (await self.handle(
                c.SaveCannedGroup(self.admin_id, 0, group, _names(group)))).id
            for title, body in answers:
                if (group_id, title) not in known.canned_answers:
                    await self.handle(c.SaveCannedAnswer(self.admin_id, 0, group_id, title,
                                                         body, _names(title)))
        await set_up_sla(self.handle, self.admin_id, self.end)
        for name, category, domain, manager, _ in COMPANIES:
            self.companies.append(known.companies.get(name) or (await self.handle(
                c.SaveCompany(self.admin_id, 0, name, category,
                              self.ids[manager] if manager else None, domain))).id)

    async def acting_admin(self) -> int:
        """Who sets the desk up: the demo administrator, or any active one."""
        team = await admin.list_employees()
        admins = sorted(e.id for e in team if e.role.value == "admin" and e.active)
        if not admins:
            raise DomainError("demo.no_admin")
        return self.ids[ADMIN_LOGIN] if self.ids[ADMIN_LOGIN] in admins else admins[0]

    async def link_to_company(self, contact: DemoContact) -> None:
        """An administrator files the new contact under their company (§8.2)."""
        assert contact.id is not None and contact.company is not None
        known = await admin.contact(contact.id)
        await self.handle(c.SaveContact(
            self.admin_id, contact.id, known.name, known.phone, contact.email,
            self.companies[contact.company], known.manager_id))

    # -- planning ---------------------------------------------------------------------------
    def plan(self, count: int) -> list[Story]:
        rng = random.Random(self.seed)
        contacts = make_contacts(rng, min(120, max(1, count * 2 // 5)))
        times = sorted(registration_time(rng, self.start, self.end) for _ in range(count))
        order = list(range(len(contacts))) + [rng.randrange(len(contacts))
                                              for _ in range(max(0, count - len(contacts)))]
        order[:len(contacts)] = rng.sample(order[:len(contacts)], len(contacts))
        returning = [key in order[:i] for i, key in enumerate(order)]
        kinds = [rng.choices(list(table), list(table.values()))[0] for table in
                 (OLD_KINDS if self.end - t > OLD_AFTER else KINDS for t in times)]
        self.every_kind_once(kinds, times, returning, rng)
        recent = [i for i in reversed(range(count)) if self.end - times[i] < RECENT]
        step = 2 if len(recent) >= 2 * len(RECENT_MIX) else 1
        for i, kind in zip(recent[::step], RECENT_MIX, strict=False):
            kinds[i] = kind
        stories = []
        for no, (t, kind, key) in enumerate(zip(times, kinds, order, strict=True)):
            if kind in ("phone", "internal") and not returning[no]:
                kind = "quick"  # an agent registers tickets only for clients we know
            stories.append(self.story(no, kind, contacts[key], t, returning[no]))
        return stories

    def every_kind_once(self, kinds: list[str], times: list[datetime], returning: list[bool],
                        rng: random.Random) -> None:
        """Even a small demo has one ticket of each kind, finished well before the end."""
        settled = [i for i, t in enumerate(times) if self.end - t > timedelta(days=10)]
        for kind in KINDS:
            if kind in kinds:
                continue
            fits = [i for i in settled if kinds.count(kinds[i]) > 1
                    and (returning[i] or kind not in ("phone", "internal"))]
            if fits:
                kinds[rng.choice(fits)] = kind

    def story(self, no: int, kind: str, contact: DemoContact, t: datetime,
              known: bool) -> Story:
        rng = random.Random(f"{self.seed}:{no}")
        topic = rng.choice(TOPICS)
        agent = rng.choice(LINE1_BY_LANGUAGE[contact.language])
        if (kind in ("quick", "dialog") and contact.language == "en"
                and t < self.start + timedelta(days=25) and rng.random() < 0.4):
            agent = DEACTIVATED
        manager = COMPANIES[contact.company][3] if contact.company is not None else None
        story = Story(no, kind, contact, topic, agent, rng.choice(LINE2), rng, t, self.end,
                      rng.randint(100_000, 999_999))
        if manager and known:  # the ticket opens with the company's manager responsible
            story.agent, story.agent_is_responsible = manager, True
        Script(self, story).play()
        if not story.steps:  # registered by an agent after hours, past the end: a client
            story = Story(no, "quick", contact, topic, story.agent, story.line2, rng, t,
                          self.end, story.order, story.agent_is_responsible)
            Script(self, story).play()
        return story

    async def run(self, count: int) -> None:
        stories = self.plan(count)
        queue: list[tuple[datetime, int, int, Callable[[], Awaitable[None]]]] = []
        for story in stories:
            for i, (when, action) in enumerate(story.steps):
                queue.append((when, story.no, i, action))
        leave_at = self.start + timedelta(days=45)
        queue.append((leave_at, -1, 0, self.deactivate_leaver))
        heapq.heapify(queue)
        broken: set[int] = set()
        while queue:
            when, story_no, _, action = heapq.heappop(queue)
            if story_no in broken:
                continue
            self.clock.move_to(when)
            try:
                await action()
            except DomainError as exc:  # a story that went off the rails: stop it, go on
                log.warning("demo story %d stopped at %s: %s", story_no, when, exc.message)
                self.result.failed_steps += 1
                broken.add(story_no)
        self.result.tickets = sum(1 for s in stories if s.ticket_id)
        self.result.contacts = len({s.contact.key for s in stories if s.contact.id})

    async def deactivate_leaver(self) -> None:
        await self.handle(c.SetEmployeeActive(self.ids[DEACTIVATED], False))


def _names(name: str) -> Names:
    return Names(DEMO_NAMES.get(name))
