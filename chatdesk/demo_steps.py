"""The steps people take in a demo story (a client writes, an agent takes, replies, notes,
changes the status, the timers act): each schedules one command on the story."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from chatdesk.demo_people import DemoContact
from chatdesk.demo_story import Story
from chatdesk.demo_words import AGENT_SAYS
from core import commands as c
from core.canned import render
from core.tickets import Attachment

if TYPE_CHECKING:
    from chatdesk.demo_loader import DemoLoader

REOPEN_WINDOW = timedelta(days=7)  # the default of docs/DOMAIN.md §3.4


class StorySteps:
    """What people do in one story. Every helper schedules one command."""

    def __init__(self, loader: DemoLoader, story: Story) -> None:
        self.loader, self.s = loader, story
        self.lang = story.contact.language

    # -- what people do ---------------------------------------------------------------------
    def client(self, delay: timedelta, text: str, photo: bool = False) -> None:
        s, loader = self.s, self.loader
        files = (Attachment("photo", f"demo-photo-{s.no}", "screenshot.png", "image/png",
                            184_320),) if photo else ()
        text = text.format(order=s.order)

        async def act() -> None:
            contact = s.contact
            if s.ticket_id is None and contact.id is not None and self.wants_new(contact):
                await loader.handle(c.ClientStartsNewTicket(contact.id))
            elif s.ticket_id is not None and contact.current_ticket != s.ticket_id:
                assert contact.id is not None
                await loader.handle(c.ClientPicksTicket(contact.id, s.ticket_id))
            result = await loader.handle(c.ClientWrites(
                contact.channel, contact.external_id, contact.name, text, files,
                contact.language, contact.phone))
            if contact.id is None:
                contact.id = result.contact_id
                if contact.company is not None:
                    await loader.link_to_company(contact)
            s.ticket_id, s.closed_at = s.ticket_id or result.ticket_id, None
            contact.current_ticket, contact.current_story = result.ticket_id, s
        s.add(delay, act)

    def wants_new(self, contact: DemoContact) -> bool:
        """A client who comes back long after their last ticket was closed just writes, and
        gets a new ticket linked to the old one (§3.4); otherwise they ask for a new one."""
        last = contact.current_story
        return not (last and last.closed_at
                    and self.loader.clock.now() - last.closed_at > REOPEN_WINDOW)

    def employee(self, delay: timedelta, build: Callable[[int], c.Command]) -> None:
        s, loader = self.s, self.loader

        async def act() -> None:
            assert s.ticket_id is not None
            await loader.handle(build(s.ticket_id))
        s.add(delay, act, working=True)

    def take(self, delay: timedelta) -> None:
        s, ids = self.s, self.loader.ids
        if s.agent_is_responsible:
            return
        if s.rng.random() < 0.3:  # the lead hands it out
            self.employee(delay, lambda t: c.AssignTicket(t, ids["irina"], ids[s.agent],
                                                          self.loader.line_groups.get(1)))
        else:
            self.employee(delay, lambda t: c.TakeTicket(t, ids[s.agent]))

    def reply(self, delay: timedelta, key: str, who: str | None = None, resolve: bool = False,
              values: dict[str, Any] | None = None) -> None:
        """`values` may be filled in after planning this step (a date planned later)."""
        login = who or self.s.agent
        template, agent_id = self.agent_text(key, login), self.loader.ids[login]

        def build(ticket_id: int) -> c.Command:
            text = render(template.format(**(values or {})), {"ticket_number": ticket_id})
            return c.AddAgentReply(ticket_id, agent_id, text, resolve=resolve)
        self.employee(delay, build)

    def note(self, delay: timedelta, text: str, who: str | None = None) -> None:
        agent_id = self.loader.ids[who or self.s.agent]
        self.employee(delay, lambda t: c.AddPrivateNote(t, agent_id, text))

    def status(self, delay: timedelta, status: str) -> None:
        agent_id = self.loader.ids[self.s.agent]
        self.employee(delay, lambda t: c.ChangeStatus(t, agent_id, status))

    def field(self, name: str, value: str) -> None:
        agent_id = self.loader.ids[self.s.agent]
        self.employee(self.s.minutes(0.2, 2), lambda t: c.SetTicketField(t, agent_id, name,
                                                                          value))

    def system(self, delay: timedelta, status: str) -> None:
        """What the timers will do (issue 4): resume from hold, auto-close a resolution."""
        s = self.s

        async def act() -> None:
            assert s.ticket_id is not None
            await self.loader.handle(c.ChangeStatus(s.ticket_id, None, status))
            if status == "closed":
                s.closed_at = self.loader.clock.now()
        s.add(delay, act)

    def client_action(self, delay: timedelta, build: Callable[[int, int], c.Command],
                      closes: bool = False) -> None:
        s = self.s

        async def act() -> None:
            assert s.ticket_id is not None and s.contact.id is not None
            await self.loader.handle(build(s.contact.id, s.ticket_id))
            if closes:
                s.closed_at = self.loader.clock.now()
        s.add(delay, act)

    def agent_text(self, key: str, login: str) -> str:
        """A canned answer (English) or a phrase in the client's language, as a str.format
        template: what is left to fill is `{until}`-style values, then {{ ticket_number }}."""
        name = self.s.contact.name
        if self.lang == "en" and key == "ask":
            _, body = self.s.rng.choice(self.loader.canned[self.s.topic.canned])
            text = render(body, {"client_name": name, "agent_name": self.loader.names[login]})
            return text.replace("{", "{{").replace("}", "}}")
        text = AGENT_SAYS[key].get(self.lang, AGENT_SAYS[key].get("en", ""))
        return text.replace("{client}", name.replace("{", "{{").replace("}", "}}"))
