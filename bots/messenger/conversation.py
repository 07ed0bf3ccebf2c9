"""The client's side of a VK or Viber chat, the same experience as in Telegram: writing opens
or joins a ticket, buttons list and pick tickets, start a new one, close, confirm or reopen
a resolution and rate it 1-5 (then "Add a comment" or "Skip"; only after "Add a comment" is
the next message the rating's comment). Each message becomes one command for the core (or one
answer through the outbox); a refusal is answered in the client's language, and a resolution
button that no longer applies is answered politely and changes nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bots.i18n import Translator, translator
from bots.messenger.compose import Settled
from bots.messenger.incoming import ClientMessage
from bots.messenger.keyboards import (
    MAX_LIST_BUTTONS,
    Button,
    Rows,
    rows_to_payload,
)
from bots.resolution import ADD_COMMENT, ASK_COMMENT, COMMENT_PROMPT, COMMENT_WINDOW, SKIP, Answered
from bots.telegram.handlers.errors import describe
from core import commands as c
from core.clean import as_id
from core.errors import DomainError, InvalidInput, NotAllowed
from core.outbox import Audience, InboundRef, OutboundMessage
from core.ports import Clock
from core.services import Desk
from core.statuses import CLOSED, RESOLVED
from core.tickets import Ticket
from storage.lists import TicketLists
from storage.messenger_state import CommentModes
from wording.terms import display_name

log = logging.getLogger(__name__)

GREETING = ("Hello, {name}! This is the support chat. Write your question here — text, "
            "photos, files or voice messages — and our team will answer right in this chat.")
HELP = ("Write your question right here — text, photos or files — and our team will answer "
        "in this chat. “My tickets” lists your tickets (tap one to make it the current "
        "one), “New ticket” makes your next message open a new ticket, “Close ticket” "
        "closes the current one.")


@dataclass(frozen=True)
class Texts:
    """The client's language, for the Telegram client wordings and the messenger ones."""

    client: Translator
    messenger: Translator

    @classmethod
    def of(cls, language: str | None, default: str) -> Texts:
        return cls(translator(language, "client", default),
                   translator(language, "messenger", default))

    @property
    def language(self) -> str:
        return self.client.language


class ClientConversation:
    def __init__(self, channel: str, desk: Desk, clock: Clock, lists: TicketLists,
                 default_language: str = "en", modes: CommentModes | None = None) -> None:
        self.channel = channel
        self.desk = desk
        self.clock = clock
        self.lists = lists
        self.default_language = default_language
        self.modes = modes or CommentModes()

    def texts(self, language: str | None) -> Texts:
        return Texts.of(language, self.default_language)

    async def handle(self, msg: ClientMessage, source: InboundRef) -> None:
        tr = self.texts(msg.language)
        try:
            command = msg.command
            comment_for = None if command else await self.modes.take(
                self.channel, msg.user_id, self.clock.now())
            if command:
                await self._act(command, msg, tr, source)
            elif comment_for is not None and msg.text.strip() and not msg.attachments \
                    and await self._rating_comment(comment_for, msg, tr, source):
                return
            else:
                await self.desk.handle(c.ClientWrites(
                    self.channel, msg.user_id, msg.name, msg.text, msg.attachments,
                    language=msg.language, phone=msg.phone), source=source)
        except DomainError as error:
            await self.say(msg, describe(error, tr.client), source=source)

    # --- answers ------------------------------------------------------------------------------
    def answer(self, user_id: str, text: str, language: str, *, buttons: Rows = (),
               menu: bool = False, ticket_id: int = 0, tracking: str | None = None,
               settles: Settled | None = None) -> OutboundMessage:
        """A ready text for one client; it leaves through the outbox like everything else."""
        payload: dict[str, object] = {
            "text": text, "buttons": rows_to_payload(buttons), "menu": menu,
            "language": language, "tracking": tracking}
        if settles:
            payload["settles"] = settles.to_payload()
        return OutboundMessage(self.channel, Audience.CLIENT, "text", ticket_id,
                               self.clock.now(), user_id, payload=payload)

    async def say(self, msg: ClientMessage, text: str, *, source: InboundRef | None = None,
                  buttons: Rows = (), menu: bool = False, ticket_id: int = 0,
                  tracking: str | None = None, settles: Settled | None = None) -> None:
        """Answer the client. Without `source` it acknowledges a command committed just
        before (the update is recorded with the command); `settles`: the ticket's resolution
        question now shows this outcome (edited where the messenger can)."""
        language = self.texts(msg.language).language
        await self.desk.reply([self.answer(msg.user_id, text, language, buttons=buttons,
                                           menu=menu, ticket_id=ticket_id, tracking=tracking,
                                           settles=settles)], source=source)

    def welcome(self, name: str, language: str | None) -> str:
        tr = self.texts(language)
        return f"{tr.client(GREETING, name=name)}\n\n{tr.messenger(HELP)}"

    # --- buttons and commands -----------------------------------------------------------------
    async def _act(self, command: str, msg: ClientMessage, tr: Texts,
                   source: InboundRef) -> None:
        action, _, rest = command.partition(":")
        if action == "start":
            await self.say(msg, self.welcome(msg.name, msg.language), source=source,
                           menu=True)
        elif action == "help":
            await self.say(msg, tr.messenger(HELP), source=source, menu=True)
        elif action == "tickets":
            await self._list(msg, tr, source)
        elif action == "new":
            await self._new(msg, tr, source)
        elif action == "close":
            await self._close_current(msg, tr, source)
        elif action in ("pick", "confirm", "reopen", "rate", "comment", "skip"):
            await self._on_ticket(action, _numbers(rest, 2 if action == "rate" else 1), msg,
                                  tr, source)
        else:
            raise InvalidInput("button.outdated")

    async def _contact(self, msg: ClientMessage) -> int | None:
        return await self.lists.contact_id(self.channel, msg.user_id)

    async def _list(self, msg: ClientMessage, tr: Texts, source: InboundRef) -> None:
        contact_id = await self._contact(msg)
        tickets = await self.lists.client_tickets(contact_id) if contact_id is not None else []
        if not tickets:
            await self.say(msg, tr.client("You have no tickets yet. Just write your question "
                                          "and we will open one."), source=source)
            return
        current = await self.lists.current_ticket(contact_id) if contact_id else None
        lines = [tr.client("Your tickets:")]
        for t in tickets:
            mark = "▶ " if current and current.id == t.id else ""
            status = display_name(t.status_name, t.status_names, tr.language)
            lines.append(f"{mark}#{t.number} · {t.subject} — {status}")
        lines += ["", tr.client("Tap a ticket to make it the current one: your messages go "
                                "there.")]
        buttons = tuple((Button(_short(f"#{t.number} · {t.subject}"), f"pick:{t.id}"),)
                        for t in tickets[:MAX_LIST_BUTTONS])
        await self.say(msg, "\n".join(lines), source=source, buttons=buttons)

    async def _new(self, msg: ClientMessage, tr: Texts, source: InboundRef) -> None:
        text = tr.client("Your next message will open a new ticket.")
        contact_id = await self._contact(msg)
        if contact_id is None:  # no tickets yet: the next message opens one anyway
            await self.say(msg, text, source=source)
            return
        await self.desk.handle(c.ClientStartsNewTicket(contact_id), source=source)
        await self.say(msg, text)

    async def _close_current(self, msg: ClientMessage, tr: Texts, source: InboundRef) -> None:
        contact_id = await self._contact(msg)
        current = await self.lists.current_ticket(contact_id) if contact_id else None
        if contact_id is None or current is None or current.status == CLOSED:
            await self.say(msg, tr.client("You have no open ticket to close."), source=source)
            return
        await self.desk.handle(c.ClientClosesTicket(contact_id, current.id), source=source)
        await self.say(msg, tr.client("Ticket #{number} is closed. Thank you! Write any time "
                                      "if you need more help.", number=current.number),
                       ticket_id=current.id)

    async def _on_ticket(self, action: str, ids: list[int], msg: ClientMessage, tr: Texts,
                         source: InboundRef) -> None:
        contact_id = await self._contact(msg)
        if contact_id is None:
            raise NotAllowed("ticket.not_yours")
        ticket_id = ids[0]
        if action == "pick":
            ticket = await self.desk.handle(c.ClientPicksTicket(contact_id, ticket_id),
                                            source=source)
            await self.say(msg, tr.client("Your messages now go to ticket #{number} "
                                          "«{subject}».", number=ticket.number,
                                          subject=ticket.subject), ticket_id=ticket.id)
            return
        brief = await self.lists.brief(ticket_id)
        if brief is None or brief.contact_id != contact_id:
            raise NotAllowed("ticket.not_yours")
        before = Answered(brief.number, brief.status, brief.rating)
        if before.stale(action):
            await self.say(msg, before.refusal(tr.client, action), source=source,
                           ticket_id=ticket_id, menu=True,
                           settles=_settled(tr, action, ticket_id, before))
        elif action == "confirm":
            ticket = await self.desk.handle(c.ClientClosesTicket(contact_id, ticket_id),
                                            source=source)
            await self.say(msg, tr.client("Ticket #{number} is closed. Thank you!",
                                          number=ticket_id), ticket_id=ticket_id,
                           settles=_settled(tr, action, ticket_id, _answered(ticket)))
        elif action == "reopen":
            ticket = await self.desk.handle(c.ClientReopensTicket(contact_id, ticket_id),
                                            source=source)
            await self.say(msg, tr.client("Ticket #{number} is open again. Tell us what is "
                                          "still wrong.", number=ticket.number),
                           ticket_id=ticket.id,
                           settles=_settled(tr, action, ticket_id, _answered(ticket)))
        elif action == "rate":
            await self._rate(contact_id, ticket_id, ids[1], msg, tr, source)
        elif action == "comment":
            await self.modes.start(self.channel, msg.user_id, ticket_id,
                                   self.clock.now() + COMMENT_WINDOW)
            await self.say(msg, tr.client(COMMENT_PROMPT, number=ticket_id), source=source,
                           ticket_id=ticket_id, settles=_settled(tr, action, ticket_id, before))
        else:
            await self.say(msg, tr.client("Thank you!"), source=source, ticket_id=ticket_id,
                           menu=True, settles=_settled(tr, action, ticket_id, before))

    async def _rate(self, contact_id: int, ticket_id: int, score: int, msg: ClientMessage,
                    tr: Texts, source: InboundRef) -> None:
        ticket = await self.desk.handle(c.ClientRatesTicket(contact_id, ticket_id, score),
                                        source=source)
        text = f"{tr.client('Thank you for your rating!')} {tr.client(ASK_COMMENT)}"
        buttons = ((Button("✍ " + tr.client(ADD_COMMENT), f"comment:{ticket.id}", "primary"),
                    Button(tr.client(SKIP), f"skip:{ticket.id}")),)
        await self.say(msg, text, ticket_id=ticket.id, buttons=buttons,
                       settles=_settled(tr, "rate", ticket.id, _answered(ticket)))

    async def _rating_comment(self, ticket_id: int, msg: ClientMessage, tr: Texts,
                              source: InboundRef) -> bool:
        contact_id = await self._contact(msg)
        ticket = await self.lists.brief(ticket_id)
        if contact_id is None or ticket is None or ticket.contact_id != contact_id or (
                ticket.rating is None):
            return False  # not a rating of theirs after all: an ordinary message
        await self.desk.handle(c.ClientRatesTicket(contact_id, ticket.id, ticket.rating,
                                                   msg.text), source=source)
        await self.say(msg, tr.client("Thank you for your comment!"), ticket_id=ticket.id)
        return True


def _answered(ticket: Ticket) -> Answered:
    return Answered(ticket.number, ticket.status, ticket.rating)


def _settled(tr: Texts, action: str, ticket_id: int, answered: Answered) -> Settled | None:
    """The outcome the messages with the pressed button show (none while the ticket is
    resolved: the question is live again)."""
    if answered.status == RESOLVED:
        return None
    return Settled(ticket_id, answered.outcome(tr.client), answered.stars_left, action)


def _numbers(text: str, count: int) -> list[int]:
    parts = text.split(":")
    if len(parts) != count or any(as_id(p) is None or p != p.strip() for p in parts):
        raise InvalidInput("button.outdated")
    return [int(p) for p in parts]


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
