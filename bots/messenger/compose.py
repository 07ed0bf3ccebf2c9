"""What a VK or Viber client reads, platform-neutral plain text with buttons: ready answers
("text" messages of the conversation) and what the core plans for a ticket (its number on
opening, agents' answers with their files listed, status notices per docs/DOMAIN.md §7.1, the
resolution question with confirm / reopen / rating buttons). Wordings are the Telegram
bot's, from the "notices" catalog."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bots.i18n import Translator, translator
from bots.messenger.keyboards import Rows, resolution_buttons, rows_from_payload
from bots.moments import local_time
from bots.templates import NoticeSource, administrators_notices
from core.errors import NotFound
from core.outbox import OutboundMessage
from core.statuses import AWAITING_REPLY, CLOSED, ON_HOLD, OPEN
from core.tickets import Attachment
from storage.views import CommentView, TicketViews
from wording.terms import display_name, display_names


@dataclass(frozen=True)
class Settled:
    """A resolution button pressed: the messages with that ticket's `action` button (the
    one pressed: confirm, reopen, rate, comment, skip) are to show `outcome` ("Closed —
    rated 4★"), keeping the stars while `stars` (where the messenger can edit a sent
    message: VK can, Viber cannot)."""

    ticket_id: int
    outcome: str
    stars: bool = False
    action: str = "rate"

    def to_payload(self) -> dict[str, object]:
        return {"ticket_id": self.ticket_id, "outcome": self.outcome, "stars": self.stars,
                "action": self.action}

    @classmethod
    def from_payload(cls, data: object) -> Settled | None:
        if not isinstance(data, dict) or not isinstance(data.get("ticket_id"), int):
            return None
        return cls(int(data["ticket_id"]), str(data.get("outcome") or ""),
                   bool(data.get("stars")), str(data.get("action") or "rate"))


@dataclass(frozen=True)
class Outgoing:
    text: str
    language: str
    buttons: Rows = ()
    menu: bool = False  # show the main menu (VK keeps it; Viber needs it on every message)
    tracking: str | None = None
    files: tuple[Attachment, ...] = ()  # an agent's files, sent as media where possible
    files_from: str = ""  # the channel that keeps them
    comment_id: int = 0
    settles: Settled | None = None


class UnknownKind(NotFound):
    pass


class Composer:
    def __init__(self, default_language: str, views: TicketViews | None = None,
                 timezone: str = "UTC", notices: NoticeSource | None = None) -> None:
        self.default_language = default_language
        self.views = views or TicketViews()
        self.timezone = timezone
        self.notices = notices or administrators_notices(html=False)  # §7: their wording

    async def compose(self, message: OutboundMessage) -> Outgoing:
        if message.kind == "text":
            p = message.payload
            return Outgoing(str(p.get("text") or ""), str(p.get("language")
                                                          or self.default_language),
                            rows_from_payload(p.get("buttons")), bool(p.get("menu")),
                            p.get("tracking"), settles=Settled.from_payload(p.get("settles")))
        card = await self.views.ticket_card(message.ticket_id, similar=False)
        _ = translator(card.contact_language, "notices", self.default_language)
        custom = None if message.kind == "agent_reply" else await self.notices(message)
        if custom:
            buttons = (resolution_buttons(_("Confirm and close"), _("Reopen"), card.id)
                       if message.kind == "resolution_request" else ())
            return Outgoing(custom, _.language, buttons, menu=message.kind == "ticket_opened")
        if message.kind == "ticket_opened":
            return Outgoing(_("Your request is registered as ticket #{number}. We will answer "
                              "you here.", number=card.number), _.language, menu=True)
        if message.kind == "agent_reply":
            comment = await self.views.comment(message.comment_id or 0)
            return Outgoing(agent_reply(_, card.number, comment, list_files=False),
                            _.language, files=comment.attachments, files_from=comment.channel,
                            comment_id=comment.id)
        if message.kind == "status_changed":
            new = str(message.payload.get("new") or card.status)
            names = display_names(await self.views.statuses(), _.language)
            until = card.on_hold_until if new == card.status else None
            return Outgoing(status_notice(_, card.number, new, names, until, self.timezone,
                                          message.payload.get("old")), _.language)
        if message.kind == "resolution_request":
            text = "\n".join((
                "✅ " + _("Ticket #{number} is resolved.", number=card.number),
                _("Is your question solved? Confirm to close the ticket, or reopen it."),
                _("Please rate our work from 1 to 5.")))
            return Outgoing(text, _.language, resolution_buttons(
                _("Confirm and close"), _("Reopen"), card.id))
        raise UnknownKind("notice.no_rendering", kind=message.kind)


def agent_reply(_: Translator, number: int, comment: CommentView, *,
                list_files: bool = True) -> str:
    """An agent's answer: which ticket and who answers, the text, then (unless the sender
    sends them as media) its files by name."""
    header = f"💬 {_('Ticket #{number}', number=number)} · {comment.author_name}"
    files = file_lines(comment.attachments) if list_files else []
    return "\n".join([header, comment.body.strip(), *files]).strip()


def file_lines(files: tuple[Attachment, ...], note: str | None = None) -> list[str]:
    """Files by name (with their link when they have one), for a client who cannot be sent
    the files themselves; `note` says why."""
    lines = [f"📎 {a.name or a.kind}" + (f" {a.ref}" if a.ref.startswith("http") else "")
             for a in files]
    return [*lines, note] if lines and note else lines


def with_file_names(outgoing: Outgoing, files: tuple[Attachment, ...]) -> str:
    """The text with the files that could not be sent listed by name, and a note."""
    if not files:
        return outgoing.text
    _ = translator(outgoing.language, "notices")
    note = _("(The file could not be sent here; ask us and we will send it another way.)")
    return "\n".join([outgoing.text, *file_lines(files, note)])


def status_notice(_: Translator, number: int, status: str, names: Mapping[str, str],
                  until: datetime | None = None, timezone: str = "UTC",
                  old: str | None = None) -> str:
    """The notice of a status change, and from which status to which (names in the
    reader's language; `names` are the desk's names by status code)."""
    if status == OPEN:
        text = _("Ticket #{number} is open again: we are working on it.", number=number)
    elif status == ON_HOLD and until:
        text = _("Ticket #{number} is on hold until {until}. We will get back to you.",
                 number=number, until=local_time(until, timezone))
    elif status == ON_HOLD:
        text = _("Ticket #{number} is on hold. We will get back to you.", number=number)
    elif status == AWAITING_REPLY:
        text = _("We are waiting for your reply on ticket #{number}.", number=number)
    elif status == CLOSED:
        text = _("Ticket #{number} is closed. Thank you for contacting us!", number=number)
    else:
        text = _("Ticket #{number} now has the status “{status}”.", number=number,
                 status=status_name(_, names, status))
    if not old or old == status:
        return text
    return f"{text}\n{status_change(_, names, old, status)}"


def status_change(_: Translator, names: Mapping[str, str], old: str, new: str) -> str:
    return _("Status changed from “{old}” to “{new}”.", old=status_name(_, names, old),
             new=status_name(_, names, new))


def status_name(_: Translator, names: Mapping[str, str], code: str) -> str:
    """A status as the reader calls it; `names` are already in their language
    (`wording.terms.display_names`), a code missing there is shown as a seeded name."""
    return names.get(code) or display_name(code, None, _.language)
