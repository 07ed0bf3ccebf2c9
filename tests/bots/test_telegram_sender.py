"""The Telegram sender end to end: the desk's outbox is relayed by the real aiogram Bot to the
Telegram emulator, and each test checks what a client or an agent would see there."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bots.i18n import translator
from bots.relay import OutboxRelay
from bots.telegram import render_agents as ra
from bots.telegram.limits import RateLimiter, TelegramLimits
from bots.telegram.sender import TelegramSender
from chatdesk.bootstrap import build_desk
from core import commands as c
from core.client_handlers import ClientWriteResult
from core.outbox import Audience, OutboundMessage, Routing
from core.services import Desk
from core.statuses import OPEN
from core.tickets import Attachment
from emulators.telegram.emulator import TelegramEmulator
from emulators.telegram.limits import RateLimits
from emulators.telegram.models import ForumTopic, StoredMessage
from storage.delivery import OutboxStore
from storage.forum_views import forum_counts
from storage.views import CommentView, EmployeeRef, TicketViews

pytestmark = pytest.mark.e2e

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TOKEN = "7000000001:test-token"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


class CompressedClock:
    """Desk time that runs `scale` times faster than real time (as the emulator's does)."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale
        self.origin = time.monotonic()

    def now(self) -> datetime:
        return START + timedelta(seconds=(time.monotonic() - self.origin) * self.scale)


@dataclass
class World:
    emulator: TelegramEmulator
    bot: Bot
    desk: Desk
    relay: OutboxRelay
    sender: TelegramSender
    team: int
    line2: int

    def topics(self, chat_id: int | None = None) -> list[ForumTopic]:
        return self.emulator.topics(self.team if chat_id is None else chat_id)

    def posts(self, thread_id: int, chat_id: int | None = None) -> list[StoredMessage]:
        return self.emulator.bot_messages(self.team if chat_id is None else chat_id,
                                          thread_id=thread_id)

    def topic(self, thread_id: int, chat_id: int | None = None) -> ForumTopic:
        topic = self.emulator.topic(self.team if chat_id is None else chat_id, thread_id)
        assert topic is not None
        return topic

    def card(self, message_id: int) -> StoredMessage:
        card = self.emulator.message(self.team, message_id)
        assert card is not None
        return card

    def client_chat(self, user_id: int) -> list[StoredMessage]:
        return self.emulator.bot_messages(user_id)

    async def deliver(self, seconds: float = 20.0) -> None:
        """Relay until the outbox has nothing pending (waiting out retries)."""
        store = OutboxStore()
        async with asyncio.timeout(seconds):
            while True:
                await self.relay.drain(seconds)
                if not await store.pending("telegram"):
                    return
                await asyncio.sleep(0.02)


@asynccontextmanager
async def make_world(*, scale: float = 1.0, limiter_scale: float = 50.0,
                     emulator_limits: RateLimits | None = None,
                     limits: TelegramLimits | None = None, line2: bool = False,
                     helpers: int = 0) -> AsyncIterator[World]:
    emulator = TelegramEmulator(token=TOKEN, rate_limits=emulator_limits or RateLimits.off())
    await emulator.start()
    team = emulator.create_supergroup("Support team").id
    second = emulator.create_supergroup("Second line").id
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url)))
    clock = CompressedClock(scale)
    def limiter_() -> RateLimiter:
        return RateLimiter.compressed(limits or TelegramLimits(), max(scale, limiter_scale))

    helper_bots = []
    for n in range(helpers):
        token = f"70000001{n + 1:02d}:helper-token"
        emulator.add_helper_bot(token, f"helper_{n + 1}_bot", [team, second])
        helper_bots.append((Bot(token, session=AiohttpSession(
            api=TelegramAPIServer.from_base(emulator.base_url))), limiter_()))
    sender = TelegramSender(bot, team, second if line2 else None, "en", limiter_(), clock=clock,
                            helpers=helper_bots)
    desk = build_desk(clock=clock, routing=Routing(frozenset({"telegram"}), "telegram"))
    relay = OutboxRelay(sender, clock, poll_interval=0.01)
    try:
        yield World(emulator, bot, desk, relay, sender, team, second)
    finally:
        await bot.session.close()
        for helper, _ in helper_bots:
            await helper.session.close()
        await emulator.stop()
    assert not emulator.internal_errors


@pytest.fixture
async def world(database: str) -> AsyncIterator[World]:
    async with make_world() as w:
        yield w


async def client_writes(w: World, user_id: int, text: str, *, name: str = "Anna Petrova",
                        language: str | None = None,
                        attachments: tuple[Attachment, ...] = ()) -> ClientWriteResult:
    w.emulator.add_user(user_id, name.split()[0], language_code=language)
    result: ClientWriteResult = await w.desk.handle(c.ClientWrites(
        "telegram", str(user_id), name, text, attachments, language=language))
    return result


async def agent(w: World, login: str = "olga", name: str = "Olga Smirnova",
                telegram_id: int | None = None) -> int:
    employee = await w.desk.handle(c.AddEmployee(name, login, "specialist", telegram_id))
    return int(employee.id)


def text(message: StoredMessage) -> str:
    return message.text or message.caption or ""


def texts(messages: list[StoredMessage]) -> list[str]:
    return [text(m) for m in messages]


# --- the team chat -----------------------------------------------------------------------
async def test_a_new_ticket_gets_a_topic_with_its_card_and_the_clients_messages(
        world: World) -> None:
    opened = await client_writes(world, 501, "Printer is on fire\nSecond floor")
    ticket, contact = opened.ticket_id, opened.contact_id
    await client_writes(world, 501, "It smells of <b>smoke</b> & plastic")
    await world.deliver()

    [topic] = world.topics()
    assert topic.name == f"#{ticket} · Printer is on fire"
    card, *posts = world.posts(topic.message_thread_id)
    assert "Anna Petrova" in text(card) and "Telegram" in text(card) and "Open" in text(card)
    assert card.callback_data == [f"t:take:{ticket}", f"t:escalate:{ticket}", f"t:wait:{ticket}",
                                  f"t:resolve:{ticket}", f"t:close:{ticket}"]
    # the opening message is on the card, not posted again: one post fewer per new ticket
    assert "Printer is on fire\nSecond floor" in text(card)
    assert len(posts) == 1 and "Printer is on fire" not in text(posts[0])
    assert "It smells of <b>smoke</b> & plastic" in text(posts[-1])  # shown, not parsed
    assert not any(e["type"] == "bold" and e["length"] == 5 for e in posts[-1].entities)
    [number] = world.client_chat(501)
    assert f"ticket #{ticket}" in text(number)

    await world.desk.handle(c.ClientStartsNewTicket(contact_id=contact))
    second = (await client_writes(world, 501, "Scanner too")).ticket_id
    await world.deliver()
    [new] = [t for t in world.topics() if t.message_thread_id != topic.message_thread_id]
    assert f"#{ticket} · Printer is on fire — Open" in text(world.posts(new.message_thread_id)[0])

    status, _ = await world.emulator.call("deleteForumTopic", chat_id=world.team,
                                          message_thread_id=new.message_thread_id)
    assert status == 200
    await client_writes(world, 501, "Hello again?")
    await world.deliver()
    [reopened] = [t for t in world.topics() if t.message_thread_id != topic.message_thread_id]
    assert reopened.name == f"#{second} · Scanner too"
    assert texts(world.posts(reopened.message_thread_id))[-1] == "👤 Anna Petrova\nHello again?"


async def test_an_opening_message_with_a_file_or_too_long_for_the_card_is_posted(
        world: World) -> None:
    upload = world.emulator.inject_private_message(511, photo=PNG, caption="see the screen")
    assert upload.message is not None
    photo = Attachment("photo", upload.message.file_ids[0])
    await client_writes(world, 511, "see the screen", attachments=(photo,))
    long_text = "The whole story. " * 100
    await client_writes(world, 512, long_text)
    await world.deliver()

    for thread in [t.message_thread_id for t in world.topics()]:
        card, *posts = world.posts(thread)
        assert "💬" not in text(card)
        assert len(posts) == 1
    captions = [text(p) for t in world.topics() for p in world.posts(t.message_thread_id)[1:]]
    assert any("see the screen" in x for x in captions)
    assert any(x.count("The whole story.") == 100 for x in captions)


async def test_queued_client_messages_are_merged_into_few_posts(world: World) -> None:
    await client_writes(world, 503, "message 0")
    for n in range(1, 30):
        await client_writes(world, 503, f"message {n} " + "word " * 40)
    await world.deliver()
    [topic] = world.topics()
    posts = world.posts(topic.message_thread_id)[1:]
    assert len(posts) <= 3 and all(len(p.text or "") <= 4096 for p in posts)
    joined = "\n".join(texts(posts))
    positions = [joined.index(f"message {n} ") for n in range(1, 30)]
    assert positions == sorted(positions) and "message 0" not in joined
    assert "message 0" in text(world.posts(topic.message_thread_id)[0])  # on the card


async def test_ready_answers_go_to_their_chat_and_thread(world: World) -> None:
    await client_writes(world, 502, "Hi")
    await world.deliver()
    [topic] = world.topics()
    keyboard = {"inline_keyboard": [[{"text": "Pick", "callback_data": "c:pick:1"}]]}
    answers = [("client", 502, None, "Your <b>tickets</b>", keyboard),
               ("agents", world.team, topic.message_thread_id, "Done &amp; dusted", None)]
    await world.desk.reply([
        OutboundMessage("telegram", Audience(audience), "text", 0, START, str(chat), payload={
            "text": text, "reply_markup": markup, "chat_id": chat, "thread_id": thread,
            "parse_mode": "HTML"})
        for audience, chat, thread, text, markup in answers])
    await world.deliver()
    answer = world.client_chat(502)[-1]
    assert answer.text == "Your tickets" and answer.callback_data == ["c:pick:1"]
    assert texts(world.posts(topic.message_thread_id))[-1] == "Done & dusted"


async def test_answers_notes_mentions_ratings_and_files_reach_the_topic(world: World) -> None:
    upload = world.emulator.inject_private_message(504, photo=PNG, caption="look")
    assert upload.message is not None
    photo = upload.message.file_ids[0]
    opened = await client_writes(world, 504, "look", attachments=(Attachment("photo", photo),))
    ticket, contact = opened.ticket_id, opened.contact_id
    olga = await agent(world)
    await agent(world, "ivan", "Ivan Orlov")
    handle = world.desk.handle
    await handle(c.AddAgentReply(ticket, olga, "From the panel", origin="panel"))
    await handle(c.AddPrivateNote(ticket, olga, "Secret <i>", origin="api"))
    await handle(c.AddAgentReply(ticket, olga, "Typed here", origin="telegram"))
    await handle(c.AddPrivateNote(ticket, olga, "Noted here", origin="telegram"))
    await handle(c.AddPrivateNote(ticket, olga, "@ivan please check"))
    await handle(c.AddAgentReply(ticket, olga, "Done", resolve=True))
    await handle(c.ClientRatesTicket(contact, ticket, 4, "quick"))
    await world.deliver()

    [topic] = world.topics()
    posts = world.posts(topic.message_thread_id)
    pictured = next(m for m in posts if m.media_kind == "photo")
    assert pictured.file_ids == [photo] and pictured.caption == "👤 Anna Petrova\nlook"
    shown = "\n".join(texts(posts))
    assert "Olga Smirnova answered the client (panel):\nFrom the panel" in shown
    assert "🔒 Olga Smirnova wrote a private note (api):\nSecret <i>" in shown
    assert "Typed here" not in shown and "Noted here" not in shown
    assert "🔔 Ivan Orlov: Olga Smirnova mentioned you in a note:\n@ivan please check" in shown
    assert "The client rated the ticket: ★★★★☆ (4/5)\nComment: quick" in shown
    assert texts(world.client_chat(504))[1:3] == [
        f"💬 Ticket #{ticket} · Olga Smirnova\nFrom the panel",
        f"💬 Ticket #{ticket} · Olga Smirnova\nTyped here"]


def test_a_mention_links_colleagues_with_a_telegram_account() -> None:
    note = CommentView(1, 1, "look <here>", False, "panel", "employee", 1, "Olga", (),
                       "n/a", START)
    people = [EmployeeRef(2, "Ivan", "ivan", 9001), EmployeeRef(3, "Eve & Co", "eve", None)]
    assert ra.mention(translator("en", "notices"), note, people) == (
        '🔔 <a href="tg://user?id=9001">Ivan</a>, <b>Eve &amp; Co</b>: '
        "<b>Olga</b> mentioned you in a note:\n<blockquote>look &lt;here&gt;</blockquote>")


async def test_status_changes_edit_the_card_and_show_in_the_topic_title(
        world: World) -> None:
    ticket = (await client_writes(world, 506, "Broken login", language="ru")).ticket_id
    employee = await agent(world)
    await world.desk.handle(c.AddAgentReply(ticket, employee, "Уже чиним"))
    await world.deliver()
    [topic] = world.topics()
    thread = topic.message_thread_id
    card = world.posts(thread)[0]
    opened, reply = world.client_chat(506)
    assert "Ваше обращение зарегистрировано" in text(opened)
    assert reply.text == f"💬 Обращение #{ticket} · Olga Smirnova\nУже чиним"

    await world.desk.handle(c.ChangeStatus(ticket, employee, "awaiting_reply"))
    await world.deliver()
    assert world.topic(thread).name == f"⏳ #{ticket} · Broken login"
    assert "Awaiting reply" in text(world.card(card.message_id))
    assert "Мы ждём вашего ответа" in text(world.client_chat(506)[-1])

    await world.desk.handle(c.AddAgentReply(ticket, employee, "Fixed it", resolve=True))
    await world.deliver()
    shown = world.topic(thread)
    assert shown.name == f"✅ #{ticket} · Broken login" and shown.closed
    edited = world.card(card.message_id)
    assert "Resolved" in text(edited) and edited.callback_data == [f"t:reopen:{ticket}"]
    question = world.client_chat(506)[-1]
    assert question.callback_data == [f"c:close:{ticket}", f"c:reopen:{ticket}"] + [
        f"c:rate:{ticket}:{n}" for n in range(1, 6)]
    assert sum(bool(m.callback_data) for m in world.client_chat(506)) == 1

    await world.desk.handle(c.ChangeStatus(ticket, employee, OPEN))
    await world.deliver()
    shown = world.topic(thread)
    assert shown.name == f"#{ticket} · Broken login" and not shown.closed
    assert len(world.topics()) == 1


async def escalated(w: World, user_id: int) -> tuple[int, int, ForumTopic, ForumTopic]:
    """A new ticket escalated with a note "over to you": the ticket, the agent who escalated
    it, its topic in the team chat and its topic in the line-2 group."""
    ticket = (await client_writes(w, user_id, "Needs an expert")).ticket_id
    employee = await agent(w)
    await w.deliver()
    [first] = w.topics()
    await w.desk.handle(c.Escalate(ticket, employee))
    await w.desk.handle(c.AddPrivateNote(ticket, employee, "over to you"))
    await w.deliver()
    [second] = w.topics(w.line2)
    return ticket, employee, first, second


async def test_escalation_moves_the_ticket_to_the_second_line_group_and_back(
        database: str) -> None:
    async with make_world(line2=True) as w:
        ticket, employee, first, second = await escalated(w, 508)
        line2_posts = texts(w.posts(second.message_thread_id, w.line2))
        assert "Line: 2" in line2_posts[0] and "over to you" in line2_posts[-1]
        assert w.topic(first.message_thread_id).closed
        assert "second line" in texts(w.posts(first.message_thread_id))[-1]

        await w.desk.handle(c.Deescalate(ticket, employee))
        await w.deliver()
        assert w.topic(second.message_thread_id, w.line2).closed
        back = [t for t in w.topics() if not t.closed]
        assert len(back) == 1 and "Line: 1" in text(w.posts(back[0].message_thread_id)[0])


async def test_a_ticket_escalated_again_returns_to_its_earlier_topic_in_each_group(
        database: str) -> None:
    async with make_world(line2=True) as w:
        ticket, employee, first, second = await escalated(w, 509)
        await w.desk.handle(c.Deescalate(ticket, employee))
        await w.desk.handle(c.AddPrivateNote(ticket, employee, "back with us"))
        await w.deliver()
        assert w.topics() == [w.topic(first.message_thread_id)]  # the line-1 topic, reopened
        assert not w.topic(first.message_thread_id).closed
        assert w.topic(second.message_thread_id, w.line2).closed

        await w.desk.handle(c.Escalate(ticket, employee))
        await w.desk.handle(c.AddPrivateNote(ticket, employee, "once more"))
        await w.deliver()
        [again] = w.topics(w.line2)
        assert again.message_thread_id == second.message_thread_id and not again.closed
        assert w.topic(first.message_thread_id).closed and len(w.topics()) == 1
        card, *posts = w.posts(second.message_thread_id, w.line2)
        shown = texts(posts)
        assert [n for n, t in enumerate(shown) if "over to you" in t or "once more" in t] == [
            1, 4]  # the second line sees the whole earlier thread before the new post
        assert sum("Escalated from the first line" in t for t in shown) == 2
        edited = w.emulator.message(w.line2, card.message_id)
        assert edited is not None and "Line: 2" in text(edited)
        assert "back with us" in "\n".join(texts(w.posts(first.message_thread_id)))


# --- limits ---------------------------------------------------------------------------------
class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_the_rate_limiter_waits_for_a_slot_instead_of_exceeding_a_limit() -> None:
    fake = FakeTime()
    limiter = RateLimiter(clock=fake.clock, sleep=fake.sleep)
    group = []
    for _ in range(21):
        async with limiter.slot(-1001):
            group.append(fake.now)
    assert group[19] < 60 <= group[20] - group[0]  # 20 a minute in a group
    private = []
    for _ in range(4):
        async with limiter.slot(42):
            private.append(fake.now)
    assert private[2] == private[0] and private[3] - private[0] >= 3  # a burst, then 1/s
    limiter.pause(7, 5.0)  # Telegram said 429, retry after 5
    before = fake.now
    async with limiter.slot(7):
        assert fake.now - before >= 5


# --- the client's chat ---------------------------------------------------------------------
async def test_a_long_reply_arrives_split_and_a_blocked_client_is_reported(
        world: World) -> None:
    ticket = (await client_writes(world, 511, "Tell me everything")).ticket_id
    employee = await agent(world)
    lines = (" ".join(f"w{n}" for n in range(k, k + 50)) for k in range(0, 5000, 50))
    long_text = "\n".join(lines)[:10_000]
    await world.desk.handle(c.AddAgentReply(ticket, employee, long_text))
    await world.deliver()
    parts = texts(world.client_chat(511))[1:]
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)
    header = f"💬 Ticket #{ticket} · Olga Smirnova\n"
    assert parts[0].startswith(header)
    glued = "\n".join((parts[0].removeprefix(header), *parts[1:]))
    assert glued.split() == long_text.split()

    world.emulator.set_blocked(511)
    reply = await world.desk.handle(c.AddAgentReply(ticket, employee, "Are you there?"))
    await world.deliver()
    assert (await TicketViews().comment(reply.id)).delivery == "failed"
    [topic] = world.topics()
    note = texts(world.posts(topic.message_thread_id))[-1]
    assert "🔒 ⚠️ Could not deliver a message to the client" in note
    assert "the client blocked the bot" in note and "Are you there?" in note
    assert "Forbidden" not in note  # the platform's words stay in the log


async def test_a_429_is_retried_after_retry_after(database: str) -> None:
    strict = RateLimits(per_chat_per_second=1.0, per_chat_burst=1).scaled(10)
    async with make_world(scale=10, emulator_limits=strict, limits=TelegramLimits.off()) as w:
        ticket = (await client_writes(w, 513, "Hi")).ticket_id
        employee = await agent(w)
        for n in range(3):
            await w.desk.handle(c.AddAgentReply(ticket, employee, f"answer {n}"))
        await w.deliver()
        assert w.emulator.rate_limited_count >= 1 and w.relay.stats.retried >= 1
        assert [t.split("\n")[-1] for t in texts(w.client_chat(513))[1:]] == [
            "answer 0", "answer 1", "answer 2"]
        calls = [x for x in w.emulator.calls("sendMessage") if x.params["chat_id"] == 513]
        refused = next(x for x in calls if x.status == 429)
        later = next(x for x in calls if x.ok and x.seq > refused.seq)
        assert later.at - refused.at >= 0.1 * 0.9  # retry_after=1 emulated s, 10x faster


async def test_real_limits_deliver_60_messages_from_20_clients_without_a_429(
        database: str) -> None:
    scale = 100.0
    async with make_world(scale=scale, emulator_limits=RateLimits().scaled(scale)) as w:
        relay = asyncio.create_task(w.relay.run())
        try:
            for round_ in range(3):
                for client in range(20):
                    await client_writes(w, 600 + client, f"client {client} message {round_}",
                                        name=f"Client {client}")
                await asyncio.sleep(20 / scale)  # 60 messages over one emulated minute

            def all_visible(emulator: TelegramEmulator, team: int = w.team) -> bool:
                shown = "\n".join(texts(emulator.bot_messages(team)))
                return all(f"client {n} message {r}" in shown
                           for n in range(20) for r in range(3))

            await w.emulator.wait_for(all_visible, timeout=30)
        finally:
            relay.cancel()
            await asyncio.gather(relay, return_exceptions=True)
        assert w.emulator.rate_limited_count == 0
        assert len(w.topics()) == 20


def test_a_heads_up_names_the_tickets_people_and_what_happened() -> None:
    people = [EmployeeRef(2, "Ivan", "ivan", 9001), EmployeeRef(3, "Eve & Co", "eve", None)]
    assert ra.heads_up(translator("ru", "notices"), ["comment", "status_changed"], people) == (
        '🔔 <a href="tg://user?id=9001">Ivan</a>, <b>Eve &amp; Co</b>: '
        "новый комментарий; сменился статус")


async def test_the_administrators_wording_reaches_the_client_and_the_topic(world: World) -> None:
    admin = int((await world.desk.handle(c.AddEmployee("Ada Admin", "ada", "admin"))).id)
    olga = await agent(world)
    for key, body in (
            ("client.wrapper", "🏢 Acme support\n{{ content }}\n— reply here any time"),
            ("client.status.awaiting_reply",
             "{{ client.name }}, we need one detail for <{{ ticket.subject }}>"),
            ("agents.mention", "Psst: #{{ ticket.number }} needs you")):
        await world.desk.handle(c.SaveNoticeTemplate(admin, key, body))
    opened = await client_writes(world, 521, "Printer <b> jam", name="Ivan Petrov")
    ticket = opened.ticket_id
    await world.desk.handle(c.ChangeStatus(ticket, olga, "awaiting_reply"))
    await world.desk.handle(c.AddPrivateNote(ticket, olga, "@ada have a look"))
    await world.deliver()

    notices = texts(world.client_chat(521))
    assert ("🏢 Acme support\nIvan Petrov, we need one detail for <Printer <b> jam>\n"
            "— reply here any time") in notices  # their words, user text shown as typed
    assert any(f"#{ticket}" in t and "Acme support" not in t for t in notices)  # default
    [topic] = world.topics()
    assert f"Psst: #{ticket} needs you" in texts(world.posts(topic.message_thread_id))


async def test_the_responsible_hears_of_a_client_message_in_the_same_post(world: World) -> None:
    olga = await agent(world, telegram_id=9101)
    opened = await client_writes(world, 531, "Printer is broken", name="Ivan Petrov")
    ticket = opened.ticket_id
    await world.desk.handle(c.TakeTicket(ticket, olga))
    await world.deliver()
    [topic] = world.topics()
    before = len(world.posts(topic.message_thread_id))
    await client_writes(world, 531, "Still broken", name="Ivan Petrov")
    await client_writes(world, 531, "Any news?", name="Ivan Petrov")
    await world.deliver()

    new = world.posts(topic.message_thread_id)[before:]
    assert len(new) <= 2  # a post per client message at most, no extra "🔔" posts
    joined = "\n".join(texts(new))
    assert "Still broken" in joined and "Any news?" in joined
    assert "🔔" in text(new[-1]) and "Olga Smirnova" in text(new[-1])


async def test_a_call_back_request_is_announced_in_the_team_chats_general_topic(
        world: World) -> None:
    world.sender.panel_url = "https://desk.example.com/"
    await world.desk.handle(c.RegisterCallback("Ivan <Ivanov>", "+7 900 123-45-67",
                                               "After 6 pm & not on Friday"))
    await world.deliver()
    [post] = world.emulator.bot_messages(world.team)
    assert post.message_thread_id is None and not world.topics()
    assert post.text is not None
    assert "Ivan <Ivanov>" in post.text and "+7 900 123-45-67" in post.text
    assert "After 6 pm & not on Friday" in post.text
    assert {"type": "text_link", "url": "https://desk.example.com/callbacks"}.items() <= (
        post.entities[-1].items())


async def test_a_call_back_request_without_a_panel_url_has_no_link(world: World) -> None:
    await world.desk.handle(c.RegisterCallback("Ivan", "+7 900 123-45-67", ""))
    await world.deliver()
    [post] = world.emulator.bot_messages(world.team)
    assert post.text is not None and "Ivan" in post.text and "Comment" not in post.text
    assert not [e for e in post.entities if e.get("type") == "text_link"]


async def test_without_a_team_chat_a_call_back_request_queues_nothing(database: str) -> None:
    desk = build_desk(routing=Routing(frozenset({"telegram"}), None))
    await desk.handle(c.RegisterCallback("Ivan", "+7 900 123-45-67", "call me"))
    assert not await OutboxStore().pending("telegram")


# --- topics that outlive their forum (#18) ---------------------------------------------------
async def test_a_topic_telegram_lost_is_opened_again_with_its_card_and_last_messages(
        world: World) -> None:
    opened = await client_writes(world, 521, "The invoice is wrong")
    for n in range(1, 4):
        await client_writes(world, 521, f"detail {n}")
    await world.deliver()
    [lost] = world.topics()
    world.emulator.archive_topic(world.team, lost.message_thread_id)

    await client_writes(world, 521, "Anyone there?")
    await client_writes(world, 521, "Hello?")
    await world.deliver()

    [new] = [t for t in world.topics() if not t.archived]
    assert new.message_thread_id != lost.message_thread_id
    assert new.name == f"#{opened.ticket_id} · The invoice is wrong"
    card, note, *rest = world.posts(new.message_thread_id)
    assert card.callback_data[0] == f"t:take:{opened.ticket_id}"
    assert "could not be found any more" in text(note)
    assert [line.split(": ", 1)[1] for line in text(note).splitlines()[-4:]] == [
        "The invoice is wrong", "detail 1", "detail 2", "detail 3"]
    assert "Anyone there?" not in text(note)  # it follows, posted once
    joined = "\n".join(texts(rest))
    assert joined.index("Anyone there?") < joined.index("Hello?")
    assert not await OutboxStore().pending("telegram")

    # told once: the next message goes straight into the new topic
    await client_writes(world, 521, "Thanks")
    await world.deliver()
    assert len([t for t in world.topics() if not t.archived]) == 1
    assert texts(world.posts(new.message_thread_id))[-1] == "👤 Anna Petrova\nThanks"


async def test_a_forum_near_its_ceiling_warns_the_administrators_once(world: World) -> None:
    await client_writes(world, 531, "First")
    await world.deliver()
    assert (await forum_counts())[world.team]["warned"] is False
    world.emulator.reserve_message_ids(world.team, 800_000)  # the team's own traffic
    await client_writes(world, 531, "Second")
    await client_writes(world, 532, "Another client")
    await world.deliver()

    general = [m for m in world.emulator.bot_messages(world.team)
               if m.message_thread_id is None]
    assert len(general) == 1 and "80% of the 1,000,000" in text(general[0])
    forum = (await forum_counts())[world.team]
    assert forum["warned"] is True and int(forum["count"]) > 800_000


# --- the group's budget goes where agents look (#18) -----------------------------------------
async def test_under_load_client_messages_go_first_and_title_edits_wait_folded(
        database: str) -> None:
    scale = 50.0
    async with make_world(scale=scale, emulator_limits=RateLimits().scaled(scale)) as w:
        tickets = [(await client_writes(w, 700 + n, f"hello {n}", name=f"Client {n}")).ticket_id
                   for n in range(8)]
        employee = await agent(w)
        await w.deliver()
        w.sender.limiter.assume_spent()  # the group's minute is used up: everything waits
        mark = len(w.emulator.calls())
        for ticket in tickets[:4]:
            await w.desk.handle(c.AddPrivateNote(ticket, employee, f"note on {ticket}"))
            await w.desk.handle(c.ChangeStatus(ticket, employee, "awaiting_reply"))
            await w.desk.handle(c.ChangeStatus(ticket, employee, "on_hold",
                                               until=START + timedelta(days=3)))
        for n in range(4, 8):
            await client_writes(w, 700 + n, f"more from {n}", name=f"Client {n}")
        await w.deliver(30)

        counted = [x for x in w.emulator.calls()[mark:] if x.ok and x.method in (
            "sendMessage", "editForumTopic") and x.params.get("chat_id") == w.team]
        order = [("client" if "more from" in str(x.params.get("text")) else "title"
                  if x.method == "editForumTopic" else "team") for x in counted]
        assert order == ["client"] * 4 + ["team"] * 4 + ["title"] * 4, order
        # two status changes each, one title edit each: the latest state
        held = {t.name for t in w.topics() if t.name.startswith("⏸")}
        assert held == {f"⏸ #{t} · hello {n}" for n, t in enumerate(tickets[:4])}
        assert w.emulator.rate_limited_count == 0


# --- team forums (#18) ---------------------------------------------------------------------
async def test_a_ticket_lives_in_its_groups_forum_and_a_hand_over_moves_it_with_a_digest(
        world: World) -> None:
    billing_forum = world.emulator.create_supergroup("Billing team").id
    tech_forum = world.emulator.create_supergroup("Tech team").id
    admin = (await world.desk.handle(c.AddEmployee("Ada Admin", "ada", "admin", None))).id
    billing = (await world.desk.handle(c.SaveGroup(admin, 0, "Billing",
                                                   telegram_chat_id=billing_forum))).id
    tech = (await world.desk.handle(c.SaveGroup(admin, 0, "Tech",
                                                telegram_chat_id=tech_forum))).id
    opened = await client_writes(world, 541, "Charged twice")
    await world.desk.handle(c.AssignTicket(opened.ticket_id, admin, None, billing))
    await client_writes(world, 541, "Order 1234")
    await world.deliver()
    assert world.topics() == []  # not in the desk's forum
    [old] = world.topics(billing_forum)
    assert "Charged twice" in text(world.posts(old.message_thread_id, billing_forum)[0])

    await world.desk.handle(c.AssignTicket(opened.ticket_id, admin, None, tech))
    await client_writes(world, 541, "Still waiting")
    await world.deliver()
    [new] = world.topics(tech_forum)
    card, note, *rest = world.posts(new.message_thread_id, tech_forum)
    assert card.callback_data[0] == f"t:take:{opened.ticket_id}" and "Tech" in text(card)
    assert "Handed over to Tech." in text(note)
    assert "Charged twice" in text(note) and "Order 1234" in text(note)
    assert "Still waiting" not in text(note) and "Still waiting" in text(rest[-1])
    last = world.posts(old.message_thread_id, billing_forum)[-1]
    assert "continues in its forum" in text(last)
    assert any(f"/{new.message_thread_id}" in (e.get("url") or "") for e in last.entities)
    assert world.topic(old.message_thread_id, billing_forum).closed


# --- helper bots (#18) -----------------------------------------------------------------------
async def test_helper_bots_post_client_messages_when_the_main_bots_minute_is_spent(
        database: str) -> None:
    scale = 50.0
    async with make_world(scale=scale, emulator_limits=RateLimits().scaled(scale),
                          helpers=2) as w:
        tickets = [(await client_writes(w, 800 + n, f"hello {n}", name=f"Client {n}")).ticket_id
                   for n in range(10)]
        await w.deliver()
        w.sender.limiter.assume_spent()  # the main bot's minute in the group is used up
        started = time.monotonic()
        for round_ in range(2):
            for n in range(10):
                await client_writes(w, 800 + n, f"client {n} says {round_}",
                                    name=f"Client {n}")
            await w.deliver()
        seconds = (time.monotonic() - started) * scale

        main_id, *helper_ids = [bot_id for bot_id, _, _ in w.sender.poster_stats()]
        posted = {bot_id: [text(m) for m in w.emulator.bot_posts(bot_id, w.team)]
                  for bot_id in (main_id, *helper_ids)}
        said = [f"client {n} says {r}" for n in range(10) for r in range(2)]
        by_helpers = "\n".join(t for h in helper_ids for t in posted[h])
        assert all(s in by_helpers for s in said)  # the main bot had no slot left
        assert all(posted[h] for h in helper_ids)  # spread over both
        assert not any("says" in t for t in posted[main_id])
        for n in range(10):  # one ticket's order across bots
            [topic] = [t for t in w.topics() if t.name.startswith(f"#{tickets[n]} ")]
            thread = [text(m) for m in w.emulator.messages(
                w.team, thread_id=topic.message_thread_id) if "says" in text(m)]
            assert [x.split("\n")[-1] for x in thread] == [f"client {n} says 0",
                                                           f"client {n} says 1"]
        assert seconds < 60  # not a minute's wait for the main bot's budget
        assert w.emulator.rate_limited_count == 0
        stats = {bot_id: (posts, refused) for bot_id, posts, refused in w.sender.poster_stats()}
        assert all(stats[h] == (len(posted[h]), 0) for h in helper_ids), stats
        # the topics were opened by whichever bot was free, the cards are the main bot's
        cards = [m for m in w.emulator.bot_messages(w.team) if m.callback_data]
        assert len(cards) == 10 and all(m.sender.id == main_id for m in cards)
