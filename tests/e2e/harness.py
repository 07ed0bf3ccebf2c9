"""The whole product against the Telegram emulator: the same wiring as production
(`install_telegram` on a `Runtime`), with a clock that can jump ahead."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bots.telegram.config import TelegramConfig
from bots.telegram.inbound import UpdateProcessor
from bots.telegram.limits import RateLimiter, TelegramLimits
from bots.telegram.setup import install_telegram
from chatdesk.bootstrap import build_desk
from chatdesk.runtime import Runtime
from core import commands as c
from core.outbox import Routing
from emulators.telegram.emulator import TelegramEmulator

TOKEN = "123456:TEST-token"
AGENT_CHAT = -1001000000001
ROUTING = Routing(frozenset({"telegram"}), "telegram")


class ShiftClock:
    """Real time plus an offset, so relays and timers keep running while a test jumps
    days ahead (reopen windows, holds)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@dataclass
class Agent:
    employee_id: int
    telegram_id: int
    login: str


@dataclass
class Stack:
    emulator: TelegramEmulator
    clock: ShiftClock
    runtime: Runtime
    processor: UpdateProcessor
    agents: dict[str, Agent] = field(default_factory=dict)


async def add_agents(emulator: TelegramEmulator, logins: list[str],
                     first_tg_id: int = 7001) -> dict[str, Agent]:
    desk = build_desk(routing=ROUTING)
    agents = {}
    for i, login in enumerate(logins):
        tg_id = first_tg_id + i
        employee = await desk.handle(c.AddEmployee(login.title(), login, "specialist", tg_id))
        emulator.add_member(AGENT_CHAT, tg_id, login.title(), username=login)
        agents[login] = Agent(employee.id, tg_id, login)
    return agents


def make_emulator() -> TelegramEmulator:
    emulator = TelegramEmulator(token=TOKEN)
    return emulator


def agent_group(emulator: TelegramEmulator) -> None:
    emulator.create_supergroup("Support team", chat_id=AGENT_CHAT, forum=True)


@asynccontextmanager
async def running_stack(emulator: TelegramEmulator, clock: ShiftClock | None = None,
                        limiter: RateLimiter | None = None, mode: str = "polling",
                        webhook_url: str | None = None, webhook_secret: str | None = None,
                        polling_timeout: int = 1) -> AsyncIterator[Stack]:
    clock = clock or ShiftClock()
    runtime = Runtime(build_desk(clock=clock, routing=ROUTING))
    config = TelegramConfig(token=TOKEN, api_url=emulator.base_url, agent_chat_id=AGENT_CHAT,
                            mode=mode, webhook_url=webhook_url, webhook_secret=webhook_secret,
                            polling_timeout=polling_timeout)
    processor = await install_telegram(runtime, None, clock, config=config,
                                       limiter=limiter or RateLimiter(TelegramLimits.off()))
    await runtime.start()
    try:
        yield Stack(emulator, clock, runtime, processor)
    finally:
        await runtime.stop()
