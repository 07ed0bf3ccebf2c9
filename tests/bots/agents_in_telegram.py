"""For the VK and Viber file tests: the agents' side in Telegram for real (the Telegram
emulator, aiogram, the topics and the Telegram relay), so an agent's photo or PDF is posted in
the ticket's topic and goes to the client from Telegram's file storage."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bots.messenger.files import ChannelFiles
from bots.telegram.config import TelegramConfig
from bots.telegram.limits import RateLimiter, TelegramLimits
from bots.telegram.setup import install_telegram
from chatdesk.runtime import Runtime
from core.ports import Clock
from emulators.telegram import RateLimits, TelegramEmulator
from storage.delivery import TopicStore
from tests.bots.messengers import ANNA_TG, eventually

TOKEN = "7000000003:agent-files-token"
PHOTO = b"\xff\xd8\xff\xe0" + b"a photo of the printer" * 50
PDF = b"%PDF-1.4\n" + b"an invoice " * 200


@dataclass
class AgentsChat:
    telegram: TelegramEmulator
    team: int
    files: ChannelFiles

    async def topic_of(self, ticket_id: int) -> int:
        async def thread() -> int | None:
            topic = await TopicStore().for_ticket(ticket_id)
            return topic.thread_id if topic and topic.card_message_id else None

        return await eventually(thread)

    async def send_photo(self, ticket_id: int, caption: str = "") -> None:
        self.telegram.inject_group_message(
            self.team, ANNA_TG, caption=caption or None, photo=PHOTO,
            message_thread_id=await self.topic_of(ticket_id))

    async def send_pdf(self, ticket_id: int, name: str = "invoice.pdf") -> None:
        self.telegram.inject_group_message(
            self.team, ANNA_TG, document=PDF, filename=name, mime_type="application/pdf",
            message_thread_id=await self.topic_of(ticket_id))


@asynccontextmanager
async def agents_in_telegram(runtime: Runtime, clock: Clock) -> AsyncIterator[AgentsChat]:
    """Install Telegram on `runtime` (before it starts) with Anna in the team's forum."""
    telegram = TelegramEmulator(token=TOKEN, rate_limits=RateLimits.off())
    await telegram.start()
    team = telegram.create_supergroup("Support team", members=[
        {"user_id": ANNA_TG, "first_name": "Anna"}]).id
    config = TelegramConfig(token=TOKEN, api_url=telegram.base_url, agent_chat_id=team,
                            polling_timeout=1)
    await install_telegram(runtime, None, clock, config=config,
                           limiter=RateLimiter(TelegramLimits.off()))
    try:
        yield AgentsChat(telegram, team, ChannelFiles(telegram.base_url, TOKEN))
    finally:
        await telegram.stop()
