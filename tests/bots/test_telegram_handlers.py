"""The Telegram handlers: clients in the private chat and agents in the team chat, end to end
through the real aiogram stack (polling, routers, desk, outbox relay, sender) against the
Telegram emulator; and the small parsers they rely on."""

from __future__ import annotations

import ast
import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from aiogram.types import Message

from bots.i18n import translator
from bots.resolution import COMMENT_PROMPT
from bots.telegram.config import TelegramConfig
from bots.telegram.handlers import agent_lists, client_messages, errors
from bots.telegram.handlers.common import parse_button
from bots.telegram.handlers.content import Content, message_content
from bots.telegram.handlers.until import USAGE, parse_until
from bots.telegram.inbound import UpdateProcessor
from bots.telegram.limits import RateLimiter, TelegramLimits
from bots.telegram.setup import install_telegram
from chatdesk.bootstrap import SystemClock, build_desk
from chatdesk.runtime import Runtime
from core import commands as c
from core.errors import AlreadyTaken, DomainError, InvalidInput, NotAllowed
from core.outbox import Routing
from core.refusals import REFUSALS
from core.services import Desk
from core.tickets import Attachment
from emulators.telegram import RateLimits, StoredMessage, TelegramEmulator
from storage import models as m
from storage.delivery import OutboxStore, Topic, TopicStore
from storage.views import TicketCard, TicketViews

TOKEN = "7000000002:handlers-token"
ANNA, BORIS, STRANGER = 701, 702, 703  # Telegram ids in the team chat
IVAN, OLGA = 5001, 5002  # clients
T = TypeVar("T")
HANDLERS = Path(__file__).parents[2] / "bots" / "telegram" / "handlers"


@dataclass
class World:
    emulator: TelegramEmulator
    desk: Desk
    processor: UpdateProcessor
    team: int
    injected: int = 0

    # --- what people do -----------------------------------------------------------------
    def client(self, user_id: int, text: str | None = None, **kw: Any) -> StoredMessage:
        self.injected += 1
        msg = self.emulator.inject_private_message(user_id, text, **kw).message
        assert msg is not None
        return msg

    def agent(self, user_id: int, text: str, thread: int | None = None) -> None:
        self.injected += 1
        self.emulator.inject_group_message(self.team, user_id, text, message_thread_id=thread)

    def press(self, chat_id: int, message_id: int, data: str, user_id: int | None = None,
              forge: bool = False) -> str:
        self.injected += 1
        injected = self.emulator.inject_callback_query(chat_id, message_id, data,
                                                       user_id=user_id, forge=forge)
        assert injected.callback_query_id is not None
        return injected.callback_query_id

    # --- what they see ------------------------------------------------------------------
    async def to_client(self, user_id: int, *parts: str, after: int = 0) -> StoredMessage:
        return await self.emulator.wait_for_bot_message(
            user_id, after_message_id=after, match=_having(parts), timeout=10)

    async def in_topic(self, thread: int | None, *parts: str, after: int = 0
                       ) -> StoredMessage:
        return await self.emulator.wait_for_bot_message(
            self.team, thread_id=thread, after_message_id=after, match=_having(parts),
            timeout=10)

    async def edited(self, chat_id: int, message_id: int, *parts: str) -> StoredMessage:
        """The bot's message `message_id` once it reads `parts` (after an edit)."""
        def shown(e: TelegramEmulator) -> StoredMessage | None:
            msg = e.message(chat_id, message_id)
            return msg if msg is not None and _having(parts)(msg) else None

        return await self.emulator.wait_for(shown, 10)

    async def toast(self, query_id: str) -> tuple[str, bool]:
        found = await self.emulator.wait_for(lambda e: next(
            (a for a in e.callback_answers if a.callback_query_id == query_id), None), 10)
        return found.text or "", found.show_alert

    def said_to(self, chat_id: int, thread: int | None = None) -> list[str]:
        return [m.text or m.caption or "" for m in self.emulator.bot_messages(
            chat_id, thread_id=thread)]

    async def settled(self) -> None:
        """Every injected update handled and everything queued delivered."""
        store = OutboxStore()

        async def quiet() -> bool:
            return self.processor.processed >= self.injected and not await store.pending(
                "telegram")

        await eventually(quiet)

    async def topic_of(self, ticket_id: int) -> int:
        async def with_card() -> int | None:
            topic = await TopicStore().for_ticket(ticket_id)
            return topic.thread_id if topic and topic.card_message_id else None

        return await eventually(with_card)

    async def card_message(self, ticket_id: int) -> int:
        await self.topic_of(ticket_id)
        topic = await TopicStore().for_ticket(ticket_id)
        assert topic and topic.card_message_id
        return topic.card_message_id


async def eventually(check: Callable[[], Awaitable[T | None]]) -> T:
    async with asyncio.timeout(15):
        while True:
            if result := await check():
                return result
            await asyncio.sleep(0.02)


def _having(parts: tuple[str, ...]) -> Callable[[StoredMessage], bool]:
    return lambda msg: all(p in (msg.text or msg.caption or "") for p in parts)


async def ticket(ticket_id: int) -> TicketCard:
    return await TicketViews().ticket_card(ticket_id)


@asynccontextmanager
async def running_desk(default_language: str = "en") -> AsyncIterator[World]:
    emulator = TelegramEmulator(token=TOKEN, rate_limits=RateLimits.off())
    await emulator.start()
    team = emulator.create_supergroup("Support team", members=[
        {"user_id": ANNA, "first_name": "Anna"}, {"user_id": BORIS, "first_name": "Boris"},
        {"user_id": STRANGER, "first_name": "Mallory"}]).id
    clock = SystemClock()
    desk = build_desk(clock=clock, routing=Routing(frozenset({"telegram"}), "telegram"))
    await desk.handle(c.AddEmployee("Anna Smirnova", "anna", "specialist", ANNA))
    await desk.handle(c.AddEmployee("Boris Ivanov", "boris", "specialist", BORIS))
    runtime = Runtime(desk)
    config = TelegramConfig(token=TOKEN, api_url=emulator.base_url, agent_chat_id=team,
                            polling_timeout=1, default_language=default_language)
    processor = await install_telegram(runtime, None, clock,
                                       config=config, limiter=RateLimiter(TelegramLimits.off()))
    await runtime.start()
    try:
        yield World(emulator, desk, processor, team)
    finally:
        await runtime.stop()
        await emulator.stop()
    assert not emulator.internal_errors


@pytest.fixture
async def world(database: str) -> AsyncIterator[World]:
    async with running_desk() as w:
        yield w


async def open_ticket(w: World, user_id: int = IVAN, text: str = "My printer is broken",
                      **kw: Any) -> tuple[int, int]:
    """The client writes; returns the ticket id and its topic's thread."""
    seen = max((msg.message_id for msg in w.emulator.messages(user_id)), default=0)
    w.client(user_id, text, first_name="Ivan", **kw)
    reply = await w.to_client(user_id, "#", after=seen)
    ticket_id = int(reply.text.split("#")[1].split()[0].rstrip(".:,!")) if reply.text else 0
    return ticket_id, await w.topic_of(ticket_id)


# --- clients and agents talking ------------------------------------------------------------
@pytest.mark.e2e
async def test_first_message_opens_a_ticket_and_the_agents_answer_reaches_the_client(
        world: World) -> None:
    ticket_id, thread = await open_ticket(world)
    await world.in_topic(thread, "My printer is broken")
    assert any(f"t:take:{ticket_id}" in m.callback_data
               for m in world.emulator.bot_messages(world.team, thread_id=thread))

    world.agent(ANNA, "/note checked the logs, the toner is empty", thread)
    world.agent(ANNA, "Please restart it", thread)
    await world.to_client(IVAN, "Please restart it")
    world.client(IVAN, photo=b"\x89PNG fake", caption="Restarted, still broken")
    posted = await world.in_topic(thread, "Restarted, still broken")
    assert posted.media_kind == "photo"
    await world.settled()

    assert not any("checked the logs" in text for text in world.said_to(IVAN))
    comments = await m.CommentRow.filter(ticket_id=ticket_id).order_by("id")
    assert [(x.public, x.author_kind) for x in comments] == [
        (True, "client"), (False, "employee"), (True, "employee"), (True, "client")]
    assert comments[3].attachments[0]["kind"] == "photo"
    assert len(world.emulator.topics(world.team)) == 1


@pytest.mark.e2e
async def test_take_escalate_and_hold_by_commands_and_a_second_taker_is_told_who_holds_it(
        world: World) -> None:
    ticket_id, thread = await open_ticket(world)
    card = await world.card_message(ticket_id)
    world.agent(ANNA, "/take", thread)
    await world.settled()
    assert (await ticket(ticket_id)).responsible_name == "Anna Smirnova"

    # Boris presses "Take" on the card as he saw it a moment ago
    stale = world.press(world.team, card, f"t:take:{ticket_id}", BORIS, forge=True)
    toast = await world.toast(stale)
    assert toast == (f"Ticket #{ticket_id} is already taken by Anna Smirnova.", True)
    world.agent(BORIS, "/take", thread)
    await world.in_topic(thread, "already taken by Anna Smirnova")

    world.agent(ANNA, "/escalate", thread)
    await world.settled()
    assert (await ticket(ticket_id)).line == 2
    world.agent(ANNA, "/deescalate", thread)
    await world.settled()
    after = await ticket(ticket_id)
    assert (after.line, after.responsible_name) == (1, "Anna Smirnova")

    world.agent(ANNA, "/hold 2h", thread)
    await world.settled()
    held = await ticket(ticket_id)
    assert held.status == "on_hold" and held.on_hold_until is not None
    assert abs(held.on_hold_until - datetime.now(UTC) - timedelta(hours=2)) < timedelta(
        minutes=1)
    world.agent(ANNA, "/hold someday", thread)
    await world.in_topic(thread, "/hold 3d")


@pytest.mark.e2e
async def test_resolution_rating_with_a_comment_confirmation_and_reopening_in_the_same_topic(
        world: World) -> None:
    ticket_id, thread = await open_ticket(world)
    world.agent(ANNA, "/resolve Replaced the cartridge", thread)
    await world.to_client(IVAN, "Replaced the cartridge")
    question = await world.emulator.wait_for_bot_message(
        IVAN, match=lambda msg: f"c:rate:{ticket_id}:5" in msg.callback_data)
    assert (await ticket(ticket_id)).status == "resolved"

    toast = await world.toast(world.press(IVAN, question.message_id, f"c:rate:{ticket_id}:5"))
    assert toast == ("Thank you for your rating!", False)
    rated = await world.edited(IVAN, question.message_id, "Closed — rated 5★")
    assert rated.callback_data == [f"c:comment:{ticket_id}", f"c:skip:{ticket_id}"]
    world.press(IVAN, question.message_id, f"c:comment:{ticket_id}")
    prompt = await world.to_client(IVAN, f"comment on ticket #{ticket_id} in your next message")
    world.client(IVAN, "Quick and friendly", reply_to_message_id=prompt.message_id)
    await world.in_topic(thread, "Quick and friendly")
    stale = world.press(IVAN, question.message_id, f"c:close:{ticket_id}", forge=True)
    toast = await world.toast(stale)
    assert toast == (f"Ticket #{ticket_id} is already closed. Just write to us if you need "
                     "more help.", False)
    await world.settled()
    rated = await ticket(ticket_id)
    assert (rated.status, rated.rating, rated.rating_comment) == (
        "closed", 5, "Quick and friendly")

    world.client(IVAN, "It broke again")
    await world.in_topic(thread, "It broke again")
    await world.settled()
    assert (await ticket(ticket_id)).status == "open"
    assert len(world.emulator.topics(world.team)) == 1
    assert await m.TicketRow.all().count() == 1


@pytest.mark.e2e
async def test_forged_and_stale_buttons_are_refused_in_the_clients_language_and_change_nothing(
        world: World) -> None:
    ivans, _ = await open_ticket(world)
    greeting = world.client(OLGA, "/start", first_name="Olga", language_code="ru")
    await world.to_client(OLGA, "Здравствуйте, Olga!", "/tickets")
    olgas, _ = await open_ticket(world, OLGA, "Не работает принтер", language_code="ru")
    assert f"обращение зарегистрировано под номером #{olgas}" in world.said_to(OLGA)[-1]
    before = await ticket(ivans)

    forged = world.press(OLGA, greeting.message_id, f"c:close:{ivans}", forge=True)
    assert await world.toast(forged) == ("Это не ваше обращение.", True)
    stale = world.press(OLGA, greeting.message_id, "c:rate:oops", forge=True)
    assert await world.toast(stale) == ("Эта кнопка устарела.", True)
    early = world.press(OLGA, greeting.message_id, f"c:rate:{olgas}:5", forge=True)
    assert await world.toast(early) == (f"Обращение #{olgas} можно оценить, когда оно решено.",
                                        True)
    await world.settled()
    after = await ticket(ivans)
    assert (after.status, after.rating) == (before.status, before.rating) == ("open", None)
    assert await m.InboundRow.filter(state="done").count() == 3  # the three messages


@pytest.mark.e2e
async def test_a_stranger_in_the_agents_group_is_refused_once_then_ignored(
        world: World) -> None:
    ticket_id, thread = await open_ticket(world)
    world.agent(STRANGER, "I am support too, trust me", thread)
    refusal = await world.in_topic(thread, "Only members of the support team")
    assert str(STRANGER) in (refusal.text or "")
    world.agent(STRANGER, "/take", thread)
    world.agent(STRANGER, "hello?", thread)
    other = world.emulator.create_supergroup("Another group", forum=False).id
    for text in ("/queue", "/tickets", "Hello bot"):
        world.injected += 1
        world.emulator.inject_group_message(other, ANNA, text)
    world.agent(ANNA, "/help", thread)
    await world.in_topic(thread, "/note TEXT", after=refusal.message_id)
    await world.settled()

    refusals = [t for t in world.said_to(world.team, thread) if "Only members" in t]
    assert len(refusals) == 1
    assert not any("trust me" in t or "hello?" in t for t in world.said_to(IVAN))
    assert (await ticket(ticket_id)).responsible_name is None
    assert world.emulator.bot_messages(other) == []


@pytest.mark.e2e
async def test_new_ticket_list_and_picking_where_the_next_message_goes(world: World) -> None:
    first, first_thread = await open_ticket(world)
    world.client(IVAN, "/new")
    await world.to_client(IVAN, "Your next message will open a new ticket.")
    second, second_thread = await open_ticket(world, text="Also the scanner")
    assert second != first and second_thread != first_thread

    world.client(IVAN, "/tickets")
    listing = await world.to_client(IVAN, "Your tickets:")
    assert listing.callback_data == [f"c:pick:{second}", f"c:pick:{first}"]
    assert f"▶ #{second}" in (listing.text or "")
    world.press(IVAN, listing.message_id, f"c:pick:{first}")
    await world.to_client(IVAN, f"Your messages now go to ticket #{first}")
    world.client(IVAN, "Back to the printer")
    await world.in_topic(first_thread, "Back to the printer")

    world.client(IVAN, f"/close #{second}")  # a ticket of theirs other than the current one
    await world.to_client(IVAN, f"Ticket #{second} is closed.")
    world.client(IVAN, "/close")
    await world.to_client(IVAN, f"Ticket #{first} is closed.")
    world.client(IVAN, f"/close {first}")
    await world.to_client(IVAN, f"Ticket #{first} is already closed.")
    world.client(IVAN, "/close 99999")
    await world.to_client(IVAN, "You have no ticket #99999. /tickets lists yours.")
    world.client(IVAN, "/close ²")  # a digit that is no number
    await world.to_client(IVAN, "You have no ticket #². /tickets lists yours.")
    await world.settled()
    assert (await ticket(first)).status == "closed"
    assert (await ticket(second)).status == "closed"


@pytest.mark.e2e
async def test_queue_mine_history_and_canned_answers_in_the_team_chat(world: World) -> None:
    first, _ = await open_ticket(world)
    world.client(IVAN, "/new")
    second, thread = await open_ticket(world, text="Scanner jams")
    world.agent(ANNA, "/queue")
    queue = await world.in_topic(None, "Queue")
    assert f"#{first}" in (queue.text or "") and f"#{second}" in (queue.text or "")
    world.agent(ANNA, "/take", thread)
    world.agent(ANNA, "/mine")
    mine = await world.in_topic(None, "Your open tickets:")
    assert f"#{second}" in (mine.text or "") and f"#{first}" not in (mine.text or "")
    world.agent(ANNA, "/history", thread)
    history = await world.in_topic(thread, "other tickets")
    assert f"#{first}" in (history.text or "")
    world.agent(ANNA, "/take")
    await world.in_topic(None, "inside a ticket's topic")

    group = await m.CannedGroupRow.create(name="Printers")
    answer = await m.CannedAnswerRow.create(
        group_id=group.id, title="Ask for the model",
        body="Dear {{ client_name }}, which printer model is it? ({{ agent_name }})")
    world.agent(ANNA, "/canned", thread)
    menu = await world.in_topic(thread, "choose a group")
    world.press(world.team, menu.message_id, menu.callback_data[0], ANNA)
    answers = await world.in_topic(thread, "Choose an answer")
    world.press(world.team, answers.message_id, f"cn:a:{answer.id}:{second}", ANNA)
    preview = await world.in_topic(thread, "Dear Ivan")
    world.press(world.team, preview.message_id, f"cn:e:{answer.id}:{second}", ANNA)
    await world.in_topic(thread, "Copy the text")
    world.press(world.team, preview.message_id, f"cn:s:{answer.id}:{second}", ANNA)
    await world.to_client(IVAN, "Dear Ivan, which printer model is it? (Anna Smirnova)")


# --- the parsers and texts behind them -----------------------------------------------------
def _message(**content: Any) -> Message:
    return Message.model_validate({
        "message_id": 1, "date": 0, "chat": {"id": IVAN, "type": "private"},
        "from": {"id": IVAN, "is_bot": False, "first_name": "Ivan"}} | content)


@pytest.mark.parametrize(("content", "expected"), [
    ({"text": "Hello"}, Content("Hello")),
    ({"sticker": {"file_id": "s1", "file_unique_id": "u", "type": "regular", "width": 1,
                  "height": 1, "is_animated": False, "is_video": False, "emoji": "😀"}},
     Content("[sticker 😀]")),
    ({"contact": {"phone_number": "+79990001122", "first_name": "Ivan", "user_id": IVAN}},
     Content("[contact Ivan, +79990001122]", phone="+79990001122")),
    ({"contact": {"phone_number": "+15550001", "first_name": "Friend"}},
     Content("[contact Friend, +15550001]")),
    ({"document": {"file_id": "d1", "file_unique_id": "u", "file_name": "bill.pdf",
                   "mime_type": "application/pdf", "file_size": 10}, "caption": "The bill"},
     Content("The bill", (Attachment("document", "d1", "bill.pdf", "application/pdf", 10),))),
    ({"photo": [{"file_id": "small", "file_unique_id": "a", "width": 1, "height": 1},
                {"file_id": "big", "file_unique_id": "b", "width": 9, "height": 9,
                 "file_size": 99}]},
     Content("", (Attachment("photo", "big", None, "image/jpeg", 99),))),
    ({"voice": {"file_id": "v1", "file_unique_id": "u", "duration": 3,
                "mime_type": "audio/ogg"}},
     Content("", (Attachment("voice", "v1", None, "audio/ogg", None),))),
])
def test_what_a_message_carries_becomes_text_files_and_phone(
        content: dict[str, Any], expected: Content) -> None:
    assert message_content(_message(**content)) == expected


NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("2h", NOW + timedelta(hours=2)),
    ("3d", NOW + timedelta(days=3)),
    ("1d 12h", NOW + timedelta(days=1, hours=12)),
    ("45m", NOW + timedelta(minutes=45)),
    ("1w", NOW + timedelta(weeks=1)),
    ("2ч", NOW + timedelta(hours=2)),
    ("2026-12-01 10:00", datetime(2026, 12, 1, 10, 0, tzinfo=UTC)),
    ("2026-12-01", datetime(2026, 12, 1, tzinfo=UTC)),
    ("01.12.2026 10:00", datetime(2026, 12, 1, 10, 0, tzinfo=UTC)),
])
def test_hold_until_reads_spans_and_dates(text: str, expected: datetime) -> None:
    assert parse_until(text, NOW) == expected


def test_hold_until_reads_local_dates_in_the_desks_time_zone() -> None:
    moscow = parse_until("2026-12-01 10:00", NOW, ZoneInfo("Europe/Moscow"))
    assert moscow == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "soon", "2026-13-01", "3 days", "h2"])
def test_hold_until_refuses_what_it_cannot_read_with_the_usage(text: str) -> None:
    with pytest.raises(InvalidInput, match="/hold 3d"):
        parse_until(text, NOW)


@pytest.mark.parametrize(("text", "zone"), [
    ("9999-12-31 23:59", "America/New_York"),  # past year 9999 in UTC
    ("0001-01-01 00:00", "Asia/Tokyo"),  # before year 1 in UTC
    (" ".join(["9999w"] * 60), "UTC"),  # past year 9999 from now
])
def test_hold_until_refuses_a_moment_no_calendar_has_with_the_usage(text: str,
                                                                      zone: str) -> None:
    with pytest.raises(InvalidInput, match="/hold 3d"):
        parse_until(text, NOW, ZoneInfo(zone))


@pytest.mark.parametrize("data", [
    None, "", "c", "c:close", "c:close:x", "c:close:1:2", "c:rate:1", "c:rate:1:-5",
    "t:close:1", "c:shout:1", "c:close:" + "9" * 13, "c:close: 1", "c:close:²",
])
def test_malformed_button_data_is_refused(data: str | None) -> None:
    with pytest.raises(InvalidInput, match="out of date"):
        parse_button(data, "c", {"close": 1, "rate": 2})


def test_button_data_gives_the_action_and_its_ids() -> None:
    assert parse_button("c:rate:12:5", "c", {"rate": 2}) == ("rate", [12, 5])


@pytest.mark.parametrize(("error", "language", "domain", "expected"), [
    (NotAllowed("ticket.not_yours"), "fa", "client", "این درخواست متعلق به شما نیست."),
    (AlreadyTaken("ticket.taken", number=7, who="Anna"), "ru", "agents",
     "Обращением #7 уже занимается Anna."),
    (AlreadyTaken("ticket.taken", number=7, who="Anna"), "en", "agents",
     "Ticket #7 is already taken by Anna."),
    (InvalidInput("transition.refused", old="Resolved", new="On hold"), "ru", "client",
     "Обращение нельзя перевести из статуса «Решено» в «Отложено»."),
    (InvalidInput("team.login_taken", login="{x}"), "ru", "agents",
     "Логин '{x}' уже занят."),
    (DomainError("priority.in_use", count=3), "fa", "agents", "3 درخواست این اولویت را دارد."),
])
def test_refusals_are_worded_in_the_persons_language(
        error: DomainError, language: str, domain: str, expected: str) -> None:
    assert errors.describe(error, translator(language, domain)) == expected


@pytest.mark.parametrize("language", ["en", "ru", "fa"])
def test_a_reply_to_the_comment_prompt_is_recognised_in_every_language(language: str) -> None:
    bot = {"id": 1, "is_bot": True, "first_name": "Desk"}
    prompt = translator(language, "client")(COMMENT_PROMPT, number=42)
    reply = _message(text="Fine", date=500, reply_to_message={
        "message_id": 2, "date": 0, "chat": {"id": IVAN, "type": "private"}, "from": bot,
        "text": prompt})
    assert client_messages.comment_prompt_number(reply) == 42
    late = reply.model_copy(update={"date": datetime.fromtimestamp(601, UTC)})
    assert client_messages.comment_prompt_number(late) is None  # past the window


def _texts_in_handlers() -> set[str]:
    found: set[str] = set()
    for path in HANDLERS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                    and isinstance(node.func, ast.Name | ast.Attribute)
                    and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                        "tr", "gettext")):
                found.add(node.args[0].value)
    return found


@pytest.mark.parametrize("language", ["ru", "fa"])
def test_every_text_people_read_has_a_russian_and_a_persian_wording(language: str) -> None:
    client = translator(language, "client")
    agents = translator(language, "agents")
    system = ["Open", "On hold", "Awaiting reply", "Resolved", "Closed"]
    needed = {
        "client": [COMMENT_PROMPT, *REFUSALS.values(), *system],
        "agents": [agent_lists.HELP, *REFUSALS.values(), *system],
    }
    for text in _texts_in_handlers():
        in_client = client.gettext(text) != text
        in_agents = agents.gettext(text) != text
        assert in_client or in_agents, f"no {language} wording for {text!r}"
    for domain, texts in needed.items():
        tr = client if domain == "client" else agents
        missing = [t for t in texts if tr.gettext(t) == t]
        assert not missing, f"{domain}.po ({language}) lacks {missing}"
    assert USAGE in REFUSALS.values()


@pytest.mark.e2e
async def test_agents_work_a_ticket_in_their_groups_own_forum(world: World) -> None:
    forum = world.emulator.create_supergroup("Billing team", members=[
        {"user_id": ANNA, "first_name": "Anna"}]).id
    admin = (await world.desk.handle(c.AddEmployee("Ada Admin", "ada", "admin", None))).id
    billing = (await world.desk.handle(c.SaveGroup(admin, 0, "Billing",
                                                   telegram_chat_id=forum))).id
    ticket_id, _ = await open_ticket(world, text="Charged twice")
    await world.desk.handle(c.AssignTicket(ticket_id, admin, None, billing))
    world.client(IVAN, "Order 1234")
    topic = await eventually(lambda: _in_chat(ticket_id, forum))
    card = await world.emulator.wait_for_bot_message(
        forum, thread_id=topic.thread_id, match=_having(("Order 1234",)), timeout=10)
    assert card is not None

    world.injected += 1
    world.emulator.inject_group_message(forum, ANNA, "Refunded, sorry",
                                        message_thread_id=topic.thread_id)
    await world.to_client(IVAN, "Refunded, sorry")
    assert topic.card_message_id is not None
    world.press(forum, topic.card_message_id, f"t:take:{ticket_id}", user_id=ANNA)
    await world.settled()
    assert (await ticket(ticket_id)).responsible_name == "Anna Smirnova"


async def _in_chat(ticket_id: int, chat_id: int) -> Topic | None:
    topic = await TopicStore().for_ticket(ticket_id)
    return topic if topic and topic.chat_id == chat_id and topic.card_message_id else None
