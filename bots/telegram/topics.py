"""Each ticket's forum topic in the team chat: opened with the ticket card on first need,
kept in step with the ticket (card edited in place, title showing the status, closed with
the ticket and reopened with it), and moved between the first and second line's groups.

Line 2: with a line-2 chat configured, a ticket on line 2 lives in a topic of that group.
Escalation moves it there (card first, then a link back) and leaves a last post with a link
in the old topic, which is closed; de-escalation does the same the other way. A ticket that
had a topic in the group it moves to returns to that topic (reopened, card and title
edited), so each group sees the ticket's whole thread there; only a first move, or a topic
someone deleted, opens a new one.

Team forums (bots.telegram.team_forums): a ticket whose responsible group has its own forum
lives there. A hand-over to another group (or a group given a fresh forum) moves the topic
the same way: a new topic in the other forum with the card and a digest of the last
messages, a last post with a link in the old one, which is closed.

Under load (other posts wait for the group's budget) a topic's title and closed flag are
not edited at once: the ticket is owed its edit, which `settle()` makes when the group is
quiet, from the ticket's state then (the latest state wins; several changes cost one edit).
What is owed lives in memory: after a restart the next change of the ticket brings it up
to date."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.methods import (
    CloseForumTopic,
    CreateForumTopic,
    EditForumTopic,
    EditMessageText,
    ReopenForumTopic,
    SendMessage,
    TelegramMethod,
)

from bots.i18n import Translator
from bots.telegram import render_agents as ra
from bots.telegram import render_forums as rf
from bots.telegram.render import PARSE_MODE, topic_title
from bots.telegram.team_forums import TeamForums
from storage.delivery import Topic, TopicStore
from storage.forum_views import ticket_place
from storage.views import CommentView, TicketCard, TicketViews

log = logging.getLogger(__name__)

Call = Callable[[TelegramMethod[Any]], Awaitable[Any]]

DIGEST_COMMENTS = 5  # the last messages shown in a topic opened anew
_GONE = ("message thread not found", "topic_deleted", "topic_id_invalid", "thread not found")


def topic_gone(exc: TelegramAPIError) -> bool:
    """The topic was deleted by someone in the group."""
    return isinstance(exc, TelegramBadRequest) and any(
        text in exc.message.lower() for text in _GONE)


def not_modified(exc: TelegramAPIError) -> bool:
    text = exc.message.lower()
    return isinstance(exc, TelegramBadRequest) and (
        "message is not modified" in text or "topic_not_modified" in text)


class TopicKeeper:
    def __init__(self, call: Call, views: TicketViews, topics: TopicStore, team: Translator,
                 agent_chat_id: int, line2_chat_id: int | None, timezone: str = "UTC",
                 busy: Callable[[int], bool] | None = None,
                 forums: TeamForums | None = None) -> None:
        self._call = call
        self.forums = forums or TeamForums()
        self.unposted: dict[int, int] = {}  # ticket id -> first comment id being sent now
        self.busy = busy or (lambda chat_id: False)
        self.owed: set[int] = set()  # tickets whose topic title or closed flag is behind
        self.views = views
        self.topics = topics
        self._ = team
        self.agent_chat_id = agent_chat_id
        self.line2_chat_id = line2_chat_id
        self.timezone = timezone

    async def topic(self, ticket_id: int) -> Topic:
        """The ticket's topic in its line's group, opened (or moved) when needed."""
        topic = await self.topics.for_ticket(ticket_id)
        chat_id, line = await self._place(ticket_id)
        if topic is None:
            return await self.open(ticket_id, chat_id)
        if topic.chat_id != chat_id:
            return await self._move(topic, chat_id, line)
        if topic.card_message_id is None:  # opened, but the card did not get through
            await self._post_card(topic, await self.views.ticket_card(ticket_id))
        return topic

    async def _place(self, ticket_id: int) -> tuple[int, int]:
        """The forum the ticket's topic belongs in, and the ticket's line: its group's own
        forum, else the line-2 group for a second-line ticket, else the agents' chat."""
        forums = await self.forums.by_group()
        if not forums and not self.line2_chat_id:
            return self.agent_chat_id, 1
        line, group_id = await ticket_place(ticket_id)
        if group_id in forums:
            return forums[group_id], line
        if line == 2 and self.line2_chat_id:
            return self.line2_chat_id, line
        return self.agent_chat_id, line

    def _line_chat(self, chat_id: int) -> bool:
        return chat_id in (self.agent_chat_id, self.line2_chat_id)

    async def last_messages(self, ticket_id: int) -> list[CommentView]:
        """The comments a topic opened anew shows: the last few, but not those being
        posted now (they follow)."""
        return await self.views.last_comments(ticket_id, DIGEST_COMMENTS,
                                              before_id=self.unposted.get(ticket_id))

    async def open(self, ticket_id: int, chat_id: int | None = None,
                   note: str | None = None) -> Topic:
        """A new topic "#N · subject" with the ticket card (the topic was missing or gone)."""
        card = await self.views.ticket_card(ticket_id)
        if chat_id is None:
            known = await self.topics.for_ticket(ticket_id)
            chat_id = known.chat_id if known else self.agent_chat_id
        title = topic_title(card)
        created = await self._call(CreateForumTopic(chat_id=chat_id, name=title))
        topic = Topic(ticket_id, chat_id, created.message_thread_id, None, title, False)
        await self.topics.save(topic)
        await self._post_card(topic, card)
        if note:
            await self._call(self._message(topic, note))
        await self._sync(topic, card)
        return topic

    async def refresh(self, topic: Topic) -> None:
        """Edit the card in place and bring the title and the closed flag up to date."""
        card = await self.views.ticket_card(topic.ticket_id)
        if topic.card_message_id is None:
            await self._post_card(topic, card)
        else:
            try:
                await self._call(EditMessageText(
                    chat_id=topic.chat_id, message_id=topic.card_message_id,
                    text=ra.card_text(self._, card, self.timezone), parse_mode=PARSE_MODE,
                    reply_markup=ra.card_keyboard(self._, card)))
            except TelegramBadRequest as exc:
                if not_modified(exc):
                    pass
                elif "message to edit not found" in exc.message.lower():
                    await self._post_card(topic, card)  # someone deleted the card
                else:
                    raise
        await self._sync(topic, card)

    async def _post_card(self, topic: Topic, card: TicketCard) -> None:
        sent = await self._call(self._message(
            topic, ra.card_text(self._, card, self.timezone), ra.card_keyboard(self._, card)))
        topic.card_message_id = sent.message_id
        await self.topics.save(topic)

    async def _sync(self, topic: Topic, card: TicketCard, *, now: bool = False) -> None:
        title, closed = topic_title(card), not card.status_open
        if title == topic.title and closed == topic.closed:
            self.owed.discard(topic.ticket_id)
            return
        if not now and self.busy(topic.chat_id):
            self.owed.add(topic.ticket_id)
            return
        self.owed.discard(topic.ticket_id)
        if title != topic.title:
            await self._tolerant(EditForumTopic(
                chat_id=topic.chat_id, message_thread_id=topic.thread_id, name=title))
            topic.title = title
        if closed != topic.closed:
            method = CloseForumTopic if closed else ReopenForumTopic
            await self._tolerant(method(chat_id=topic.chat_id, message_thread_id=topic.thread_id))
            topic.closed = closed
        await self.topics.save(topic)

    async def settle(self) -> int:
        """Make the title edits owed in groups that are quiet now; how many were made."""
        made = 0
        for ticket_id in sorted(self.owed):
            topic = await self.topics.for_ticket(ticket_id)
            if topic is None:
                self.owed.discard(ticket_id)
            elif not self.busy(topic.chat_id):
                try:
                    await self._sync(topic, await self.views.ticket_card(ticket_id), now=True)
                except TelegramBadRequest as exc:
                    if not topic_gone(exc):
                        raise
                    self.owed.discard(ticket_id)  # its next message opens a new topic
                made += 1
        return made

    async def _move(self, old: Topic, chat_id: int, line: int) -> Topic:
        await self.topics.park(old)  # first: a retried move then finds the same topics
        by_line = self._line_chat(old.chat_id) and self._line_chat(chat_id)
        if by_line:
            note = ra.moved_here(self._, line, old.chat_id, old.thread_id)
            new = (await self._return(old.ticket_id, chat_id, note)
                   or await self.open(old.ticket_id, chat_id, note))
            away = ra.moved_away(self._, line, new.chat_id, new.thread_id)
        else:  # a hand-over to another group's forum, or a team's fresh forum
            card = await self.views.ticket_card(old.ticket_id)
            note = rf.handed_over_here(self._, card.group_name, old.chat_id, old.thread_id)
            new = await self._return(old.ticket_id, chat_id, note) or await self.open(
                old.ticket_id, chat_id,
                rf.with_digest(self._, note, await self.last_messages(old.ticket_id)))
            away = rf.handed_over_away(self._, card.group_name, new.chat_id, new.thread_id)
        try:
            await self._call(self._message(old, away))
            if not old.closed:
                await self._tolerant(CloseForumTopic(chat_id=old.chat_id,
                                                     message_thread_id=old.thread_id))
                old.closed = True
                await self.topics.park(old)
        except TelegramAPIError as exc:  # the old topic may be gone: the move still counts
            log.warning("ticket %d: could not close its old topic: %s", old.ticket_id, exc)
        return new

    async def _return(self, ticket_id: int, chat_id: int, note: str) -> Topic | None:
        """The topic the ticket had in this group before, reopened with the note and its card
        brought up to date; None when it had none there or the topic was deleted."""
        topic = await self.topics.parked(ticket_id, chat_id)
        if topic is None:
            return None
        try:
            if topic.closed:
                await self._tolerant(ReopenForumTopic(chat_id=chat_id,
                                                      message_thread_id=topic.thread_id))
                topic.closed = False
            await self._call(self._message(topic, note))
        except TelegramBadRequest as exc:
            if not topic_gone(exc):
                raise
            return None
        await self.topics.save(topic)
        await self.refresh(topic)
        return topic

    async def _tolerant(self, method: TelegramMethod[Any]) -> None:
        try:
            await self._call(method)
        except TelegramBadRequest as exc:
            if not not_modified(exc):
                raise

    @staticmethod
    def _message(topic: Topic, text: str, markup: Any = None) -> SendMessage:
        return SendMessage(chat_id=topic.chat_id, message_thread_id=topic.thread_id,
                           text=text, parse_mode=PARSE_MODE, reply_markup=markup)
