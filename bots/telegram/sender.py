"""The Telegram sender of the outbox relay: delivers planned messages to clients' private
chats and into each ticket's forum topic of the team chat, within Telegram's limits.

Destinations (the relay delivers the messages of one destination in order):
    chat:<user id>            a client's private chat: CLIENT messages, "text" answers
    chat:<chat id>:<thread>   a "text" answer into a thread (e.g. a topic)
    topic:<ticket id>         the ticket's forum topic: AGENTS messages
    chat:<agents' chat id>    the team chat's general topic: AGENTS messages of no ticket
                              (callback_new, with a link to the panel's call-backs page)

Callback data of the buttons posted here (at most 64 bytes; the handlers parse them):
    ticket card in its topic:   t:take:<ticket id>   t:escalate:<ticket id>
                                t:deescalate:<ticket id>   t:wait:<ticket id>
                                t:resolve:<ticket id>   t:close:<ticket id>
                                t:reopen:<ticket id> (only button of a closed-state ticket)
    resolution question to the client:   c:close:<ticket id> (confirm and close)
                                c:reopen:<ticket id>   c:rate:<ticket id>:<score 1-5>
                                then c:comment:<ticket id>   c:skip:<ticket id>

Topics (opened with the ticket card, kept in step with the ticket, moved between the line-1
and line-2 groups) are kept by `bots.telegram.topics`. Every text is HTML with user-supplied
parts escaped; texts over 4096 characters (captions over 1024) are cut at line or word
boundaries. Several queued text-only client messages for one topic are merged into posts of
up to 4096 characters (the group limit is 20 posts a minute).

Outcomes: 429 -> Retry after retry_after (and that chat pauses); 5xx, network errors,
timeouts -> Retry; 403 (bot blocked) -> Failed; 400 -> Failed with Telegram's description,
except "message is not modified" (Sent) and a deleted topic (a new topic is opened and
the message is posted there)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    CloseForumTopic,
    CreateForumTopic,
    DeleteMessage,
    EditForumTopic,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    ReopenForumTopic,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import Message

from bots.i18n import translator
from bots.messenger.compose import status_name
from bots.relay import Failed, Outcome, Retry, Sent
from bots.telegram import render_agents as ra
from bots.telegram import render_client as rc
from bots.telegram import render_forums as rf
from bots.telegram.forums import ForumGauge
from bots.telegram.limits import RateLimiter
from bots.telegram.merging import mergeable_run, only_news_of_comments, posts_of
from bots.telegram.posts import Post, answer_methods, file_methods, text_methods
from bots.telegram.reactions import KINDS as REACTION_KINDS
from bots.telegram.reactions import Reactions
from bots.telegram.render import (
    PARSE_MODE,
    esc,
    telegram_markup,
)
from bots.telegram.team_forums import TeamForums
from bots.telegram.topics import TopicKeeper, not_modified, topic_gone
from bots.templates import NoticeSource, administrators_notices
from core.errors import NotFound
from core.outbox import Audience, OutboundMessage
from core.ports import Clock
from storage.delivery import Topic, TopicStore
from storage.views import CommentView, EmployeeRef, TicketViews
from wording.terms import display_names

log = logging.getLogger(__name__)

T = TypeVar("T")
_UNCOUNTED = (EditMessageText, EditMessageCaption, EditMessageReplyMarkup, DeleteMessage,
              AnswerCallbackQuery)


class UnknownKind(Exception):
    pass


@dataclass
class Poster:
    """A bot that posts, with its own limits and what it measured (for the channels page)."""

    bot: Bot
    limiter: RateLimiter
    posts: int = 0
    refused: int = 0  # 429 answers

    @property
    def bot_id(self) -> int:
        return self.bot.id


# Agents' messages an administrator's template may word (§7); the rest are comments.
TEMPLATED_FOR_TEAM = frozenset({"mention", "sla_warning", "sla_breached", "notify",
                                "heads_up"})
# Agents' messages of no ticket: posted in the team chat's general topic (forum_filling: in
# the general topic of the forum its payload names).
TEAM_CHAT_KINDS = frozenset({"callback_new", "forum_filling"})
# A group's budget goes to what clients wrote first, then cards and notices, then titles.
URGENT, ORDINARY, DEFERRABLE = 0, 1, 2
CLIENTS_WORDS = frozenset({"client_comment", "ticket_opened"})
_TITLES = (EditForumTopic, CloseForumTopic, ReopenForumTopic)
_PRIORITY: ContextVar[int] = ContextVar("telegram_priority", default=ORDINARY)
# whether a plain text post may go out through a helper bot (a client's words in a topic)
_SPREAD: ContextVar[bool] = ContextVar("telegram_spread", default=False)


class TelegramSender:
    channel = "telegram"

    def __init__(self, bot: Bot, agent_chat_id: int, line2_chat_id: int | None,
                 default_language: str, limiter: RateLimiter, *,
                 views: TicketViews | None = None, topics: TopicStore | None = None,
                 timezone: str = "UTC", notices: NoticeSource | None = None,
                 panel_url: str | None = None, clock: Clock | None = None,
                 forums: TeamForums | None = None,
                 helpers: Sequence[tuple[Bot, RateLimiter]] = ()) -> None:
        self.bot = bot
        # who posts: the main bot (cards with buttons, files, everything else) and the helper
        # bots, which post clients' text messages into topics, each with its own budget
        self.posters = [Poster(bot, limiter), *(Poster(b, lim) for b, lim in helpers)]
        self.gauge = ForumGauge(clock=clock)
        self.agent_chat_id = agent_chat_id
        self.panel_url = panel_url  # CHATDESK_PUBLIC_URL: links to the panel's pages
        self.default_language = default_language
        self.limiter = limiter
        self.views = views or TicketViews()
        self._ = translator(default_language, "notices", default_language)
        self.timezone = timezone
        wording = notices or administrators_notices(html=True)  # §7: the administrators'

        async def checked(message: OutboundMessage) -> str | None:
            text = await wording(message)
            return telegram_markup(text) if text else None
        self.notices: NoticeSource = checked
        self.keeper = TopicKeeper(self._call, self.views, topics or TopicStore(cache=True), self._,
                                  agent_chat_id, line2_chat_id, timezone,
                                  busy=lambda chat_id: limiter.load(chat_id) > 0,
                                  forums=forums)
        self._progress: dict[int, int] = {}  # message id -> API calls already done
        self.reactions = Reactions()

    def destination(self, message: OutboundMessage) -> str:
        if message.kind == "text":
            chat_id, thread_id = message.payload["chat_id"], message.payload.get("thread_id")
            return f"chat:{chat_id}" if thread_id is None else f"chat:{chat_id}:{thread_id}"
        if message.audience is Audience.CLIENT:
            return f"chat:{message.recipient}"
        if message.kind in TEAM_CHAT_KINDS:
            return f"chat:{message.payload.get('chat_id') or self.agent_chat_id}"
        return f"topic:{message.ticket_id}"

    async def send(self, messages: Sequence[OutboundMessage]) -> list[Outcome]:
        comment_ids = [m.comment_id for m in messages if m.comment_id]
        if comment_ids:  # what a digest need not repeat: it is about to be posted
            self.keeper.unposted[messages[0].ticket_id] = min(comment_ids)
        try:
            return await self._send(messages)
        finally:
            self.keeper.unposted.pop(messages[0].ticket_id, None)

    async def _send(self, messages: Sequence[OutboundMessage]) -> list[Outcome]:
        comments = await self._client_comments(messages)
        on_card = await self._on_cards(messages)
        outcomes: list[Outcome] = []
        cards = [i for i, m in enumerate(messages) if m.kind == "card_changed"]
        index = 0
        while index < len(messages):
            _PRIORITY.set(URGENT if messages[index].kind in CLIENTS_WORDS else ORDINARY)
            _SPREAD.set(messages[index].kind == "client_comment")
            run = mergeable_run(messages[index:], comments)
            after = messages[index + len(run)] if run and index + len(run) < len(messages) else None
            if messages[index].kind == "card_changed" and index < cards[-1]:
                result: list[Outcome] = [Sent()]  # folded: the run's last card change shows all
            elif messages[index].comment_id in on_card:
                result = [await self._shown_on_card(messages[index])]
            elif after is not None and only_news_of_comments(after):
                # the heads-up rides on the comments' post: one post, not two, per message
                footer = await self._rendered_heads_up(after)
                result = await self._merged(messages[index].ticket_id, run, footer)
                if len(result) == len(run) and all(isinstance(o, Sent) for o in result):
                    result.append(Sent())
            elif len(run) > 1:
                result = await self._merged(messages[index].ticket_id, run)
            else:
                result = [await self._one(messages[index], comments)]
            outcomes += result
            index += len(result)
            if not isinstance(result[-1], Sent):
                break
        return outcomes

    def owes(self) -> bool:
        """Work deferred under load waits for a quiet moment (`idle`)."""
        return bool(self.keeper.owed)

    async def idle(self) -> None:
        """The relay has nothing due: make the topic title edits deferred under load."""
        _PRIORITY.set(DEFERRABLE)
        try:
            await self.keeper.settle()
        except Exception as exc:  # owed still: the next quiet moment tries again
            log.warning("telegram: deferred topic edits failed: %s", exc)

    # --- one message ----------------------------------------------------------------------
    async def _one(self, message: OutboundMessage, comments: dict[int, CommentView]) -> Outcome:
        try:
            if message.kind == "text":
                await self._run(message.id, answer_methods(message.payload))
            elif message.kind in REACTION_KINDS:
                await self._run(message.id, await self.reactions.methods(message))
            elif message.audience is Audience.CLIENT:
                await self._run(message.id, await self._to_client(message))
            elif message.kind == "forum_filling":
                payload = message.payload
                await self._run(message.id, text_methods(Post(
                    int(payload["chat_id"]), None,
                    rf.forum_filling(self._, int(payload["count"]), int(payload["capacity"])))))
            elif message.kind in TEAM_CHAT_KINDS:
                await self._run(message.id, text_methods(Post(
                    self.agent_chat_id, None,
                    ra.callback_new(self._, message.payload, self.panel_url))))
            elif message.ticket_id <= 0:  # e.g. a refusal to a stranger that bounced
                log.warning("telegram %s without a ticket: nowhere to post it", message.kind)
            else:
                async def post(topic: Topic) -> None:
                    done = await self._run(message.id,
                                           await self._in_topic(message, topic, comments))
                    await self._remember_copy(message, done)

                await self._with_topic(message.ticket_id, post, message.id)
            outcome: Outcome = Sent()
        except Exception as exc:
            outcome = self._outcome(exc, message)
        if not isinstance(outcome, Retry):
            self._progress.pop(message.id, None)
        return outcome

    async def _run(self, key: int, methods: Sequence[TelegramMethod[Any]]) -> list[Any]:
        """Make the calls in order; a retry resumes after the ones that got through.
        Returns the answers of the calls made now."""
        answers = []
        for index in range(self._progress.get(key, 0), len(methods)):
            answers.append(await self._call(methods[index]))
            self._progress[key] = index + 1
        return answers

    async def _remember_copy(self, message: OutboundMessage, answers: list[Any]) -> None:
        """A reply written in the panel or the API, posted here as a copy: its 👍 goes on
        the copy's first post once the client has it, as on a reply written in the topic."""
        if message.kind != "agent_comment" or not message.comment_id:
            return
        posted = next((a for a in answers if isinstance(a, Message)), None)
        if posted is not None:
            await self.reactions.remember(message.comment_id, posted.chat.id,
                                          posted.message_id)

    async def _with_topic(self, ticket_id: int, action: Callable[[Topic], Awaitable[T]],
                          key: int | None = None) -> T:
        topic = await self.keeper.topic(ticket_id)
        try:
            return await action(topic)
        except TelegramBadRequest as exc:
            if not topic_gone(exc):
                raise
        log.warning("the topic of ticket %d is gone; opening a new one", ticket_id)
        if key is not None:
            self._progress.pop(key, None)
        note = await self._lost_note(ticket_id)
        return await action(await self.keeper.open(ticket_id, note=note))

    async def _lost_note(self, ticket_id: int) -> str:
        """The agents are told once, in the new topic, with the messages they no longer see
        (those being delivered now follow it)."""
        return rf.topic_recreated(self._, await self.keeper.last_messages(ticket_id))

    async def _call(self, method: TelegramMethod[T]) -> T:
        chat_id = getattr(method, "chat_id", None)
        if isinstance(method, _UNCOUNTED) or not isinstance(chat_id, int):
            return await self.bot(method)
        priority = DEFERRABLE if isinstance(method, _TITLES) else _PRIORITY.get()
        poster = self._poster(method, chat_id)
        async with poster.limiter.slot(chat_id, priority):
            try:
                result = await poster.bot(method)
            except TelegramRetryAfter as exc:
                poster.limiter.pause(chat_id, exc.retry_after)
                poster.refused += 1
                raise
        poster.posts += 1
        if chat_id < 0:
            number = getattr(result, "message_id", None) or getattr(
                result, "message_thread_id", None)
            if isinstance(number, int):
                await self.gauge.saw(chat_id, number)
        return result

    def _poster(self, method: TelegramMethod[Any], chat_id: int) -> Poster:
        """The bot with the soonest free slot in the group, for a new topic and for a
        client's text in a topic (one ticket's posts still go one after another: the relay
        waits for each); the main bot for everything else (cards and other posts with
        buttons, whose presses go to the bot that posted them; files, whose ids are per
        bot; edits, which only the poster may make)."""
        if len(self.posters) == 1 or chat_id > 0:
            return self.posters[0]
        if isinstance(method, CreateForumTopic):  # any admin bot may open a topic
            return self._least_busy(chat_id)
        if (not _SPREAD.get() or not isinstance(method, SendMessage)
                or method.reply_markup is not None):
            return self.posters[0]
        return self._least_busy(chat_id)

    def _least_busy(self, chat_id: int) -> Poster:
        """The helpers before the main bot when they are as free: the main bot's budget is
        the only one for the cards."""
        def busy(poster: Poster) -> tuple[float, bool, int, int]:
            wait, load, used = poster.limiter.estimate(chat_id)
            return wait, poster is self.posters[0], load, used
        return min(self.posters, key=busy)

    def poster_stats(self) -> list[tuple[int, int, int]]:
        """(bot id, posts, 429 answers) of each bot, the main one first."""
        return [(p.bot_id, p.posts, p.refused) for p in self.posters]

    def _outcome(self, exc: Exception, message: OutboundMessage) -> Outcome:
        if isinstance(exc, TelegramRetryAfter):
            return Retry(exc.message, after=float(exc.retry_after))
        if isinstance(exc, TelegramForbiddenError | TelegramEntityTooLarge):
            return Failed(exc.message)
        if isinstance(exc, TelegramBadRequest):
            return Sent() if not_modified(exc) else Failed(exc.message)
        if isinstance(exc, TelegramAPIError | TimeoutError | aiohttp.ClientError | OSError):
            return Retry(f"{type(exc).__name__}: {exc}")
        if isinstance(exc, NotFound | UnknownKind):
            return Failed(str(exc))
        log.exception("telegram message %d (%s) could not be sent", message.id, message.kind)
        return Retry(f"{type(exc).__name__}: {exc}")

    # --- what each kind becomes ---------------------------------------------------------------
    async def _to_client(self, message: OutboundMessage) -> list[TelegramMethod[Any]]:
        if not message.recipient:
            raise UnknownKind("the client has no Telegram chat")
        chat_id = int(message.recipient)
        card = await self.views.ticket_card(message.ticket_id, similar=False)
        _ = translator(card.contact_language, "notices", self.default_language)
        custom = None if message.kind == "agent_reply" else await self.notices(message)
        if custom and message.kind == "resolution_request":
            return text_methods(Post(chat_id, None, custom,
                                     reply_markup=rc.resolution_request(_, card)[1]))
        if custom:
            return text_methods(Post(chat_id, None, custom))
        if message.kind == "ticket_opened":
            return text_methods(Post(chat_id, None, esc(rc.ticket_opened(_, card.number))))
        if message.kind == "agent_reply":
            comment = await self.views.comment(message.comment_id or 0)
            return self._comment_methods(Post(
                chat_id, None, rc.reply_header(_, card.number, comment.author_name)), comment)
        if message.kind == "status_changed":
            new = str(message.payload.get("new") or card.status)
            names = display_names(await self.views.statuses(), _.language)
            until = card.on_hold_until if new == card.status else None
            text = rc.status_notice(_, card.number, new, names, until, self.timezone,
                                    message.payload.get("old"))
            return text_methods(Post(chat_id, None, text))
        if message.kind == "resolution_request":
            text, keyboard = rc.resolution_request(_, card)
            return text_methods(Post(chat_id, None, text, reply_markup=keyboard))
        raise UnknownKind(f"no Telegram rendering for a client message {message.kind!r}")

    async def _in_topic(self, message: OutboundMessage, topic: Topic,
                        comments: dict[int, CommentView]) -> list[TelegramMethod[Any]]:
        _, kind, payload = self._, message.kind, message.payload
        here = Post(topic.chat_id, topic.thread_id, "")
        if kind == "ticket_opened":  # opening the topic (with its card) was all, unless the
            custom = await self.notices(message)  # administrators wrote a notice for it
            return text_methods(here.with_header(custom)) if custom else []
        if kind == "card_changed":
            await self.keeper.refresh(topic)
            return []
        if kind in TEMPLATED_FOR_TEAM and (custom := await self.notices(message)):
            return text_methods(here.with_header(custom))
        if kind in ("agent_comment", "private_note") and payload.get("origin") == "telegram":
            return []  # written in this topic: it is already there
        comment = None
        if message.comment_id:
            comment = comments.get(message.comment_id) or await self._comment_or_none(
                message.comment_id)
        if kind == "client_comment" and comment:
            return self._comment_methods(here.with_header(ra.client_header(comment)), comment)
        if kind in ("agent_comment", "private_note") and comment:
            return self._comment_methods(here.with_header(ra.team_header(_, comment)), comment)
        if kind == "mention":
            people = await self.views.employees(payload.get("employee_ids") or [])
            return text_methods(here.with_header(ra.mention(_, comment, people)))
        if kind == "rated":
            return text_methods(here.with_header(
                ra.rated(_, int(payload.get("score") or 0), payload.get("comment"))))
        if kind == "delivery_failed":
            return text_methods(here.with_header(
                ra.delivery_failed(_, str(payload.get("error") or ""), comment)))
        if kind in ("sla_warning", "sla_breached", "notify", "heads_up"):
            people = await self.views.employees(payload.get("employee_ids") or [])
            if kind == "heads_up":
                return text_methods(here.with_header(await self._heads_up(message, people)))
            if kind == "notify":
                return text_methods(here.with_header(
                    ra.team_notice(str(payload.get("text") or ""), people)))
            due = str(payload.get("due_at") or "")[:16].replace("T", " ")
            return text_methods(here.with_header(ra.sla_alert(
                _, kind == "sla_breached", str(payload.get("target") or ""), due, people)))
        raise UnknownKind(f"no Telegram rendering for {kind!r} (comment {message.comment_id})")

    def _comment_methods(self, post: Post, comment: CommentView) -> list[TelegramMethod[Any]]:
        """A comment's text and files: Telegram files are re-sent by file id; files of other
        channels or of the panel are listed by name (and link)."""
        telegram_files = comment.channel == "telegram"
        files = [a for a in comment.attachments if telegram_files]
        listed = [f"📎 {a.name or a.kind}" + (f" {a.ref}" if a.ref.startswith("http") else "")
                  for a in comment.attachments if not telegram_files]
        body = "\n".join([comment.body, *listed]).strip()
        return file_methods(post.with_body(body), files)

    async def _comment_or_none(self, comment_id: int) -> CommentView | None:
        try:
            return await self.views.comment(comment_id)
        except NotFound:
            return None

    # --- the opening message, which the card shows ---------------------------------------------
    async def _on_cards(self, messages: Sequence[OutboundMessage]) -> set[int]:
        """Ids of client messages that opened their ticket and are shown on its card. Such a
        message is queued with the ticket's opening for the team, so only tickets opened in
        this run are looked at (after a retry that split them, it is simply posted)."""
        opened = {m.ticket_id for m in messages
                  if m.kind == "ticket_opened" and m.audience is Audience.AGENTS}
        tickets = {m.ticket_id for m in messages if m.ticket_id in opened
                   and m.kind == "client_comment" and m.audience is Audience.AGENTS}
        openings = [await self.views.opening(t) for t in tickets]
        return {o.comment_id for o in openings if o is not None}

    async def _shown_on_card(self, message: OutboundMessage) -> Outcome:
        """Nothing to post but the topic with its card (it is there already, normally):
        one post fewer against the group's 20 a minute for every new ticket."""
        async def present(topic: Topic) -> None:
            return None

        try:
            await self._with_topic(message.ticket_id, present)
        except Exception as exc:
            return self._outcome(exc, message)
        return Sent()

    # --- merging queued client messages (`bots.telegram.merging`) ----------------------------
    async def _client_comments(
            self, messages: Sequence[OutboundMessage]) -> dict[int, CommentView]:
        ids = [m.comment_id for m in messages
               if m.kind == "client_comment" and m.comment_id is not None]
        return {c.id: c for c in await self.views.comments(ids)} if ids else {}

    async def _rendered_heads_up(self, message: OutboundMessage) -> str:
        custom = await self.notices(message)
        if custom:
            return custom
        people = await self.views.employees(message.payload.get("employee_ids") or [])
        return await self._heads_up(message, people)

    async def _heads_up(self, message: OutboundMessage, people: list[EmployeeRef]) -> str:
        payload, status = message.payload, None
        if payload.get("old") and payload.get("new"):
            names = display_names(await self.views.statuses(), self._.language)
            status = (status_name(self._, names, str(payload["old"])),
                      status_name(self._, names, str(payload["new"])))
        return ra.heads_up(self._, list(payload.get("news") or []), people, status)

    async def _merged(self, ticket_id: int, run: list[CommentView],
                      footer: str | None = None) -> list[Outcome]:
        posts = posts_of(run, footer)

        async def post_all(topic: Topic) -> list[Outcome]:
            outcomes: list[Outcome] = []
            for part, text in posts:
                try:
                    await self._call(SendMessage(
                        chat_id=topic.chat_id, message_thread_id=topic.thread_id,
                        text=text, parse_mode=PARSE_MODE))
                except Exception as exc:
                    if isinstance(exc, TelegramBadRequest) and topic_gone(exc):
                        raise
                    return [*outcomes, self._outcome_for(exc, part[0])]
                outcomes += [Sent()] * len(part)
            return outcomes

        try:
            return await self._with_topic(ticket_id, post_all)
        except Exception as exc:
            return [self._outcome_for(exc, run[0])]

    def _outcome_for(self, exc: Exception, comment: CommentView) -> Outcome:
        return self._outcome(exc, OutboundMessage(self.channel, Audience.AGENTS,
                                                  "client_comment", comment.ticket_id,
                                                  comment.created_at, None, comment.id))

