"""The demo stories by kind (quick, dialog, on hold, escalated, reopened, spam, ...): each
plays its ticket's life as steps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chatdesk.demo_people import COMPANIES
from chatdesk.demo_steps import StorySteps
from chatdesk.demo_story import working_time
from chatdesk.demo_words import CLIENT_SAYS, LINE2_NOTES, NOTES, RATING_COMMENTS, SPAM
from core import commands as c
from core.errors import DomainError

AUTO_CLOSE_AFTER = timedelta(days=3)  # the default of §2.6


class Script(StorySteps):
    """The steps of one story, by kind."""

    def play(self) -> None:
        getattr(self, f"story_{self.s.kind}")()

    def opening(self) -> None:
        s = self.s
        self.client(timedelta(0), s.topic.texts[self.lang])
        if s.rng.random() < 0.2:
            self.client(s.minutes(1, 10), CLIENT_SAYS["details"][self.lang], photo=True)

    def reaction(self) -> None:
        s = self.s
        self.take(s.minutes(3, 30) if s.rng.random() < 0.7 else s.hours(0.5, 5))
        if s.rng.random() < 0.7:
            self.field("type_code", s.topic.type_code)
        if s.topic.priority or (s.contact.company is not None
                                and COMPANIES[s.contact.company][1] == "VIP"):
            self.field("priority", s.topic.priority or "high")

    def finish(self) -> None:
        s, roll = self.s, self.s.rng.random()
        if roll < 0.6:
            score = s.rng.choices([5, 4, 3, 2, 1], [45, 25, 15, 8, 7])[0]
            comment = RATING_COMMENTS.get(score, {}).get(self.lang) if s.rng.random() < 0.5 \
                else None
            self.client_action(s.hours(0.2, 60), lambda contact, t: c.ClientRatesTicket(
                contact, t, score, comment), closes=True)
        elif roll < 0.75:
            self.client_action(s.hours(1, 30), c.ClientClosesTicket, closes=True)
        else:
            self.system(AUTO_CLOSE_AFTER, "closed")

    def story_quick(self) -> None:
        self.opening()
        self.reaction()
        self.reply(self.s.minutes(2, 25), "solved", resolve=True)
        self.finish()

    def story_dialog(self) -> None:
        s = self.s
        self.opening()
        self.reaction()
        self.reply(s.minutes(1, 5), "ask")
        self.status(s.minutes(0.2, 1), "awaiting_reply")
        if s.rng.random() < 0.25:  # the client never answers: closed a week later
            self.note(timedelta(days=7), "No answer from the client for a week, closing.")
            self.status(s.minutes(0.2, 1), "closed")
            return
        self.client(s.minutes(10, 1500), CLIENT_SAYS["details"][self.lang], photo=True)
        if s.rng.random() < 0.5:
            self.note(s.minutes(5, 60), s.rng.choice(NOTES))
        self.reply(s.minutes(10, 120), "solved", resolve=True)
        self.finish()

    def story_progress(self) -> None:
        s = self.s
        self.opening()
        self.reaction()
        self.status(s.minutes(1, 3), "In progress")
        self.reply(s.minutes(0.5, 2), "working")
        self.note(s.hours(1, 6), s.rng.choice(NOTES))
        if s.rng.random() < 0.4:
            self.client(s.hours(2, 20), CLIENT_SAYS["news"][self.lang])
        self.reply(s.hours(2, 200), "solved", resolve=True)
        self.finish()

    def story_unconfirmed(self) -> None:
        """Resolved; the client has not confirmed yet (auto-closed after three days)."""
        self.opening()
        self.reaction()
        self.reply(self.s.minutes(2, 25), "solved", resolve=True)
        self.system(AUTO_CLOSE_AFTER, "closed")

    def story_waiting(self) -> None:
        """Just arrived: nobody has taken it yet."""
        self.opening()

    def story_hold(self) -> None:
        s = self.s
        self.opening()
        self.reaction()
        plan: dict[str, Any] = {}
        self.reply(s.minutes(2, 20), "hold", values=plan)
        agent_id = self.loader.ids[s.agent]
        self.employee(s.minutes(0.2, 1),
                      lambda t: c.ChangeStatus(t, agent_id, "on_hold", plan["until"]))
        if s.end - s.t < timedelta(days=5):  # a recent one still waits: until next week
            until = working_time(s.end + timedelta(days=s.rng.uniform(1, 4)), s.rng)
        else:
            until = working_time(s.t + timedelta(days=s.rng.randint(1, 5)), s.rng)
        plan["until"] = until
        self.system(until - s.t, "open")
        self.reply(s.minutes(5, 90), "solved", resolve=True)
        self.finish()

    def story_escalated(self) -> None:
        s = self.s
        self.opening()
        self.reaction()
        self.note(s.minutes(5, 40), f"@{s.line2} could you look at the server logs for this?")
        self.reply(s.minutes(0.5, 2), "line2")
        agent_id, group = self.loader.ids[s.agent], self.loader.line_groups[2]
        self.employee(s.minutes(0.2, 1), lambda t: c.Escalate(t, agent_id, group))
        line2_id = self.loader.ids[s.line2]
        self.employee(s.minutes(10, 300), lambda t: c.TakeTicket(t, line2_id))
        self.note(s.hours(0.5, 60), s.rng.choice(LINE2_NOTES), who=s.line2)
        if s.rng.random() < 0.6:
            self.reply(s.minutes(5, 60), "solved", who=s.line2, resolve=True)
        else:
            self.employee(s.minutes(1, 5), lambda t: c.Deescalate(t, line2_id))
            self.reply(s.minutes(10, 120), "solved", resolve=True)
        self.finish()

    def story_reopened(self) -> None:
        s = self.s
        self.opening()
        self.reaction()
        self.reply(s.minutes(5, 40), "solved", resolve=True)
        if s.rng.random() < 0.4:  # closed, then back within the reopen window
            self.client_action(s.hours(1, 10), c.ClientClosesTicket, closes=True)
            self.client(timedelta(days=s.rng.uniform(1, 5)), CLIENT_SAYS["again"][self.lang])
        else:
            self.client(s.hours(2, 40), CLIENT_SAYS["again"][self.lang])
        self.reply(s.minutes(5, 60), "working")
        self.reply(s.hours(1, 20), "solved", resolve=True)
        self.finish()

    def story_evaluation(self) -> None:
        s = self.s
        self.opening()
        self.reaction()
        self.reply(s.minutes(10, 90), "offer")
        self.status(s.minutes(0.2, 1), "Evaluation")
        self.client(timedelta(days=s.rng.uniform(1, 6)), CLIENT_SAYS["offer"][self.lang])
        self.reply(s.minutes(10, 120), "solved", resolve=True)
        self.finish()

    def registered_by_agent(self, subject: str, type_code: str, text: str) -> None:
        s, loader = self.s, self.loader
        agent_id = loader.ids[s.agent]

        async def act() -> None:
            if s.contact.id is None:
                raise DomainError("demo.not_written", name=s.contact.name)
            ticket = await loader.handle(c.OpenTicketForClient(
                agent_id, s.contact.id, subject, text, type_code))
            s.ticket_id = ticket.id
        s.add(timedelta(0), act, working=True)

    def story_phone(self) -> None:
        s = self.s
        first_line = s.topic.texts["en"].split("\n")[0].format(order=s.order)
        self.registered_by_agent(f"Phone call: {first_line}", "request",
                                 "Client called the hotline, details below.")
        self.reply(s.minutes(5, 60), "solved", resolve=True)
        self.system(AUTO_CLOSE_AFTER, "closed")

    def story_internal(self) -> None:
        s = self.s
        month = s.t.strftime("%B")
        subject = s.rng.choice([f"Invoice for {s.contact.name}, {month}",
                                f"Prepare contract renewal for {s.contact.name}",
                                f"Check the returned item from {s.contact.name}"])
        self.registered_by_agent(subject, "internal", "Internal task, not visible to the client.")
        self.status(s.minutes(5, 60), "In progress")
        self.note(s.hours(1, 24), "Done, attached to the client's card.")
        self.status(s.hours(1, 48), "resolved")
        self.status(s.hours(1, 24), "closed")

    def story_spam(self) -> None:
        s = self.s
        self.client(timedelta(0), SPAM)
        self.note(s.minutes(5, 120), "Spam, closing without an answer.")
        self.status(s.minutes(0.2, 1), "closed")
