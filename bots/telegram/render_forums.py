"""Texts of the agents' forums themselves (not of one ticket's card): a topic opened again
after Telegram lost it, and the warning that a forum nears its message ceiling."""

from __future__ import annotations

from bots.i18n import Translator
from bots.telegram.render import esc, topic_link
from storage.views import CommentView

DIGEST_CHARACTERS = 300  # of each comment in a digest


def digest(comments: list[CommentView]) -> str:
    """The last messages of a ticket, one short paragraph each, for a topic that starts
    again without them."""
    lines = []
    for comment in comments:
        mark = "👤" if comment.by_client else "💬" if comment.public else "🔒"
        body = comment.body.strip() or " ".join(a.name or a.kind for a in comment.attachments)
        if len(body) > DIGEST_CHARACTERS:
            body = body[:DIGEST_CHARACTERS].rsplit(" ", 1)[0] + " …"
        lines.append(f"{mark} <b>{esc(comment.author_name)}</b>: {esc(body)}")
    return "\n".join(lines)


def topic_recreated(_: Translator, comments: list[CommentView]) -> str:
    head = "♻️ " + esc(_("The ticket's topic could not be found any more (deleted, or archived "
                          "by Telegram in a full forum): it continues in this new topic."))
    return with_digest(_, head, comments)


def with_digest(_: Translator, note: str, comments: list[CommentView]) -> str:
    if not comments:
        return note
    return f"{note}\n\n<i>{esc(_('The last messages:'))}</i>\n{digest(comments)}"


def handed_over_here(_: Translator, group: str | None, chat_id: int, thread_id: int) -> str:
    text = (esc(_("Handed over to {group}.").format(group=group)) if group
            else esc(_("Moved from another forum.")))
    return f'⬅️ {text} <a href="{topic_link(chat_id, thread_id)}">{esc(_("Previous topic"))}</a>'


def handed_over_away(_: Translator, group: str | None, chat_id: int, thread_id: int) -> str:
    text = (esc(_("Handed over to {group}: the ticket continues in its forum.").format(
        group=group)) if group else esc(_("The ticket continues in another forum.")))
    link = topic_link(chat_id, thread_id)
    return f'➡️ {text} <a href="{link}">{esc(_("Open the topic"))}</a>'


def forum_filling(_: Translator, count: int, capacity: int) -> str:
    share = round(100 * count / capacity)
    return "⚠️ " + esc(_(
        "This forum has about {count} messages, {share}% of the {capacity} after which "
        "Telegram stops finding old topics. Give the team a fresh forum (a group's forum on "
        "the panel's employees page, or TELEGRAM_AGENT_CHAT_ID): open tickets' topics move "
        "there with their next message."
    ).format(count=f"{count:,}", share=share, capacity=f"{capacity:,}"))
