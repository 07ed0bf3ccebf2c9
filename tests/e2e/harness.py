"""The whole product against the Telegram emulator: the same wiring as production
(`install_telegram` on a `Runtime`, and the timer worker when asked for), with a clock that
can jump ahead."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bots.telegram.config import TelegramConfig
from bots.telegram.inbound import UpdateProcessor
from bots.telegram.limits import RateLimiter, TelegramLimits
from bots.telegram.setup import install_telegram
from chatdesk.bootstrap import build_desk
from chatdesk.runtime import Runtime, Worker
from chatdesk.timers import TimerWorker
from core import commands as c
from core.outbox import Routing
from emulators.telegram.emulator import TelegramEmulator
from emulators.telegram.limits import RateLimits
from storage.timer_store import Claim, TimerStore

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

    def jump_to(self, moment: datetime) -> None:
        """From now on the clock reads `moment`, and runs on from there."""
        self.offset = moment - datetime.now(UTC)


class WatchedTimerStore(TimerStore):
    """The real timer store, counting the timer worker's scans so that a test can wait for
    whole rounds of the worker instead of for a guessed time."""

    def __init__(self) -> None:
        self.scans = 0
        self._scanned = asyncio.Condition()

    async def claim_due(self, now: datetime, owner: str, lease: timedelta,
                        limit: int = 100) -> list[Claim]:
        async with self._scanned:
            self.scans += 1
            self._scanned.notify_all()
        return await super().claim_due(now, owner, lease, limit)

    async def rounds(self, count: int, timeout: float = 15) -> None:  # noqa: ASYNC109
        """Return once the worker has finished `count` more scans."""
        target = self.scans + count + 1  # the scan under way may have read before a change
        async with asyncio.timeout(timeout), self._scanned:
            await self._scanned.wait_for(lambda: self.scans >= target)


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
    timers: WatchedTimerStore | None = None


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


def make_emulator(rate_limits: RateLimits | None = None) -> TelegramEmulator:
    emulator = TelegramEmulator(token=TOKEN, rate_limits=rate_limits)
    return emulator


def agent_group(emulator: TelegramEmulator) -> None:
    emulator.create_supergroup("Support team", chat_id=AGENT_CHAT, forum=True)


@asynccontextmanager
async def started_emulator(
        client: int, rate_limits: RateLimits | None = None) -> AsyncIterator[TelegramEmulator]:
    """The emulator serving, with the agents' group and one client who speaks English."""
    emulator = make_emulator(rate_limits)
    await emulator.start()
    agent_group(emulator)
    emulator.add_user(client, "Anna", language_code="en")
    try:
        yield emulator
    finally:
        await emulator.stop()


@asynccontextmanager
async def running_stack(emulator: TelegramEmulator, clock: ShiftClock | None = None,
                        limiter: RateLimiter | None = None, mode: str = "polling",
                        webhook_url: str | None = None, webhook_secret: str | None = None,
                        polling_timeout: int = 1, timer_interval: float | None = None,
                        timezone: str = "UTC") -> AsyncIterator[Stack]:
    """With `timer_interval`, the timer worker runs too, scanning that often (seconds)."""
    clock = clock or ShiftClock()
    runtime = Runtime(build_desk(clock=clock, routing=ROUTING))
    timers = None
    if timer_interval is not None:
        timers = WatchedTimerStore()
        worker = TimerWorker(runtime.desk, clock, store=timers, interval=timer_interval)
        runtime.workers.append(Worker("timers", worker.run))
    config = TelegramConfig(token=TOKEN, api_url=emulator.base_url, agent_chat_id=AGENT_CHAT,
                            mode=mode, webhook_url=webhook_url, webhook_secret=webhook_secret,
                            polling_timeout=polling_timeout, timezone=timezone)
    processor = await install_telegram(runtime, None, clock, config=config,
                                       limiter=limiter or RateLimiter(TelegramLimits.off()))
    await runtime.start()
    try:
        yield Stack(emulator, clock, runtime, processor, timers=timers)
    finally:
        await runtime.stop()


@asynccontextmanager
async def stacks_if_stuck(seconds: float) -> AsyncIterator[None]:
    """Fail after `seconds`, printing every task's stack first: a run of the webhook tests
    on PostgreSQL was once seen to hang for minutes, and the next one should say where."""
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError:
        print(f"still running after {seconds} s; the tasks:", file=sys.stderr)
        for task in asyncio.all_tasks():
            print("TASK", task, file=sys.stderr)
            task.print_stack(file=sys.stderr)
        raise
