"""What the team reads in a ticket's forum topic: the ticket card with its action buttons,
client messages, answers and notes written elsewhere, mentions, ratings and failures.
Texts are in the desk's default language."""

from __future__ import annotations

from collections.abc import Mapping

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bots.failures import FailureReason, failure_reason
from bots.i18n import Translator
from bots.telegram.render import esc, topic_link, when
from storage.views import CommentView, EmployeeRef, TicketCard
from wording.terms import display_name

MENTION_EXCERPT = 3000

# Callback data of the card buttons (parsed by the agents' callback handlers).
TAKE = "t:take:{ticket_id}"
ESCALATE = "t:escalate:{ticket_id}"
DEESCALATE = "t:deescalate:{ticket_id}"
WAIT = "t:wait:{ticket_id}"
RESOLVE = "t:resolve:{ticket_id}"
CLOSE = "t:close:{ticket_id}"
REOPEN = "t:reopen:{ticket_id}"

CHANNEL_NAMES = {"telegram": "Telegram", "vk": "VK", "viber": "Viber", "agent": "by hand",
                 "email": "e-mail", "web": "web form"}


def _row(_: Translator, label: str, value: str) -> str:
    return f"{esc(_(label))}: {value}"


def card_text(_: Translator, card: TicketCard, timezone: str = "UTC") -> str:
    contact = [f"<b>{esc(card.contact_name)}</b>"]
    contact += [esc(x) for x in (card.contact_phone, card.contact_email) if x]

    def shown(name: str, names: Mapping[str, str]) -> str:  # in the desk's language
        return esc(display_name(name, names, _.language))

    responsible = esc(card.responsible_name) if card.responsible_name else "—"
    if card.group_name:
        responsible += f" ({shown(card.group_name, card.group_names)})"
    kind = shown(card.type_name, card.type_names) if card.type_name else "—"
    lines = [
        f"🎫 <b>#{card.number} · {esc(card.subject)}</b>",
        "👤 " + _row(_, "Client", ", ".join(contact)),
        "📨 " + _row(_, "Channel", esc(_(CHANNEL_NAMES.get(card.channel, card.channel)))),
        "🏷 " + _row(_, "Type", kind),
        "⚡ " + _row(_, "Priority", shown(card.priority_name, card.priority_names)),
        "📌 " + _row(_, "Status", f"<b>{shown(card.status_name, card.status_names)}</b>"),
        "🎚 " + _row(_, "Line", str(card.line)),
        "🧑‍💼 " + _row(_, "Responsible", responsible),
    ]
    if card.internal:
        lines.append("🔒 " + esc(_("Internal ticket: the client is never notified.")))
    if card.on_hold_until:
        lines.append("⏸ " + _row(_, "On hold until", when(card.on_hold_until, timezone)))
    if card.planned_reaction_at:
        lines.append("⏱ " + _row(_, "Reaction due", when(card.planned_reaction_at, timezone)))
    if card.planned_resolution_at:
        lines.append("🏁 " + _row(_, "Resolution due", when(card.planned_resolution_at, timezone)))
    if card.rating:
        lines.append("⭐ " + _row(_, "Rating", f"{card.rating}/5"))
    if card.linked_from_id:
        lines.append("↪️ " + esc(_("Follow-up of ticket #{number}",
                                   number=card.linked_from_id)))
    if card.opening:
        lines.append(f"💬 <blockquote>{esc(card.opening.body.strip())}</blockquote>")
    if card.similar:
        lines.append("🗂 " + esc(_("Similar tickets")) + ":")
        lines += [f"  • #{s.number} · {esc(s.subject)} — {shown(s.status_name, s.status_names)}"
                  for s in card.similar]
    return "\n".join(lines)


def card_keyboard(_: Translator, card: TicketCard) -> InlineKeyboardMarkup:
    def button(label: str, pattern: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(text=_(label), callback_data=pattern.format(
            ticket_id=card.id))

    if not card.status_open:
        return InlineKeyboardMarkup(inline_keyboard=[[button("Reopen", REOPEN)]])
    first = [button("Take", TAKE)] if card.responsible_id is None else []
    first.append(button("Escalate", ESCALATE) if card.line == 1
                 else button("De-escalate", DEESCALATE))
    return InlineKeyboardMarkup(inline_keyboard=[
        first,
        [button("Awaiting reply", WAIT), button("Resolve", RESOLVE), button("Close", CLOSE)],
    ])


def client_header(comment: CommentView) -> str:
    return f"👤 <b>{esc(comment.author_name)}</b>"


def _html(_: Translator, template: str, **markup: str) -> str:
    """A translated template, escaped, then filled with values that are already HTML."""
    return esc(_(template)).format(**markup)


def team_header(_: Translator, comment: CommentView) -> str:
    """An answer or a note written outside the topic (panel, API)."""
    values = {"author": f"<b>{esc(comment.author_name)}</b>", "origin": esc(comment.channel)}
    if comment.public:
        return "💬 " + _html(_, "{author} answered the client ({origin}):", **values)
    return "🔒 " + _html(_, "{author} wrote a private note ({origin}):", **values)


def mention(_: Translator, comment: CommentView | None, people: list[EmployeeRef]) -> str:
    names = ", ".join(
        f'<a href="tg://user?id={p.telegram_id}">{esc(p.name)}</a>' if p.telegram_id
        else f"<b>{esc(p.name)}</b>" for p in people)
    author = f"<b>{esc(comment.author_name if comment else 'ChatDesk')}</b>"
    head = f"🔔 {names}: " + _html(_, "{author} mentioned you in a note:", author=author)
    if comment and comment.body:
        body = comment.body  # an excerpt of a long note: the mention must fit in one post
        if len(body) > MENTION_EXCERPT:
            body = body[:MENTION_EXCERPT - 1] + "…"
        return f"{head}\n<blockquote>{esc(body)}</blockquote>"
    return head


def rated(_: Translator, score: int, comment: str | None) -> str:
    stars = "★" * score + "☆" * (5 - score)
    text = "⭐ " + esc(_("The client rated the ticket: {stars} ({score}/5)",
                        stars=stars, score=score))
    if comment:
        text += "\n" + esc(_("Comment: {comment}", comment=comment))
    return text


# Why a message did not reach the client, in the desk's language (the platform's own words
# stay in the log and on the ticket page's tooltip).
FAILURE_WORDS = {
    FailureReason.NO_CHAT: "the messenger has no chat with this client",
    FailureReason.BLOCKED: "the client blocked the bot or turned off messages from it",
    FailureReason.TOO_LONG: "the message is too long for the messenger",
    FailureReason.NETWORK: "the messenger could not be reached",
    FailureReason.OTHER: "the messenger refused it",
}


def delivery_failed(_: Translator, error: str, comment: CommentView | None) -> str:
    reason = _(FAILURE_WORDS[failure_reason(error)])
    text = "🔒 ⚠️ " + esc(_("Could not deliver a message to the client: {error}", error=reason))
    text += "\n" + esc(_("Private note: the client does not see it."))
    if comment and comment.body:
        excerpt = comment.body if len(comment.body) <= 300 else comment.body[:299] + "…"
        text += f"\n<blockquote>{esc(excerpt)}</blockquote>"
    return text


def moved_away(_: Translator, line: int, chat_id: int, thread_id: int) -> str:
    """The last post in a topic the ticket leaves for the other line's group."""
    if line == 2:
        text = esc(_("Escalated to the second line: the ticket continues in its group."))
    else:
        text = esc(_("Returned to the first line: the ticket continues in its group."))
    link = topic_link(chat_id, thread_id)
    return f'➡️ {text} <a href="{link}">{esc(_("Open the topic"))}</a>'


def moved_here(_: Translator, line: int, chat_id: int, thread_id: int) -> str:
    if line == 2:
        text = esc(_("Escalated from the first line."))
    else:
        text = esc(_("Returned from the second line."))
    link = topic_link(chat_id, thread_id)
    return f'⬅️ {text} <a href="{link}">{esc(_("Previous topic"))}</a>'


def _people(people: list[EmployeeRef]) -> str:
    return ", ".join(
        f'<a href="tg://user?id={p.telegram_id}">{esc(p.name)}</a>' if p.telegram_id
        else f"<b>{esc(p.name)}</b>" for p in people)


def sla_alert(_: Translator, breached: bool, target: str, due_at: str,
              people: list[EmployeeRef]) -> str:
    what = _("reaction") if target == "reaction" else _("resolution")
    if breached:
        line = _("SLA breached: the {target} deadline {due} has passed.", target=what, due=due_at)
    else:
        line = _("SLA warning: the {target} deadline is {due}.", target=what, due=due_at)
    head = ("🚨 " if breached else "⏰ ") + esc(line)
    return f"{head}\n{_people(people)}" if people else head


NEWS = {"ticket_opened": "new ticket", "responsible_changed": "responsible changed",
        "status_changed": "status changed", "comment": "new comment"}


def heads_up(_: Translator, news: list[str], people: list[EmployeeRef],
             status: tuple[str, str] | None = None) -> str:
    """§7.3: the ticket's people (responsible, group's list, observers) named in its topic;
    `status`: the names of the statuses a status change went from and to."""
    def said(item: str) -> str:
        if item == "status_changed" and status:
            return _("status changed from “{old}” to “{new}”", old=status[0], new=status[1])
        return _(NEWS[item])
    what = "; ".join(said(n) for n in news if n in NEWS)
    return f"🔔 {_people(people)}: {esc(what)}"


def team_notice(text: str, people: list[EmployeeRef]) -> str:
    head = "🔔 " + esc(text)
    return f"{head}\n{_people(people)}" if people else head


def callback_new(_: Translator, payload: dict[str, object], panel_url: str | None) -> str:
    """§10: a new call-back request, in the team chat's general topic."""
    lines = ["📞 " + esc(_("New call-back request #{number}", number=payload.get("request_id"))),
             esc(_("Name: {name}", name=payload.get("name") or "")),
             esc(_("Phone: {phone}", phone=payload.get("phone") or ""))]
    if payload.get("comment"):
        lines.append(esc(_("Comment: {comment}", comment=payload["comment"])))
    if panel_url:
        link = esc(panel_url.rstrip("/") + "/callbacks").replace('"', "&quot;")
        lines.append(f'<a href="{link}">{esc(_("Open the call-back queue"))}</a>')
    return "\n".join(lines)
