"""The agents' workspace past one bot in one forum (issue 18): N new clients write M
messages each within one minute, under Telegram's limits (kept by the emulator, which
answers 429 past them). Three setups:

    one     one bot, one forum (the floor: 20 posts a minute for everything)
    teams   three team forums (three groups, each with its own forum and budget)
    helpers one forum, the main bot and three helper bots (each its own budget)

For each: seconds until every message is visible in its ticket's topic, 429s, whether each
ticket's messages are in order, and who posted how much. Seconds are Telegram's (emulated)
seconds: with --scale S both the emulator's limits and ours run S times faster than real
time, so a run takes 1/S of the real minutes and the limit arithmetic is unchanged.

    .venv/bin/python bench/bench_forums.py                      # all three, scale 10
    .venv/bin/python bench/bench_forums.py --setups one --scale 1   # real minutes
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bots.relay import OutboxRelay
from bots.telegram.limits import RateLimiter, TelegramLimits
from bots.telegram.sender import TelegramSender
from chatdesk.bootstrap import build_desk
from core import commands as c
from core.outbox import Routing
from emulators.telegram import RateLimits, TelegramEmulator
from storage.db import close_database, migrate, open_database
from storage.delivery import TopicStore
from storage.seed import ensure_reference_data
from storage.uow import batch

TOKEN = "123456:BENCH"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, scale: float) -> None:
        self.scale, self.origin = scale, time.monotonic()

    def now(self) -> datetime:
        return START + timedelta(seconds=(time.monotonic() - self.origin) * self.scale)


@dataclass
class Result:
    setup: str
    seconds: float
    rejected: int
    in_order: bool
    posts: dict[str, int]


def _bot(token: str, emulator: TelegramEmulator) -> Bot:
    return Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url)))


async def run(setup: str, clients: int, per_client: int, spread: float, scale: float) -> Result:
    url = f"sqlite://{Path(tempfile.mkdtemp()) / 'forums.sqlite3'}"
    await migrate(url)
    await open_database(url)
    await ensure_reference_data()
    emulator = TelegramEmulator(token=TOKEN, rate_limits=RateLimits().scaled(scale))
    await emulator.start()
    clock = Clock(scale)
    team = emulator.create_supergroup("Support team").id
    desk = build_desk(clock=clock, routing=Routing(frozenset({"telegram"}), "telegram"))
    admin = (await desk.handle(c.AddEmployee("Ada", "ada", "admin", None))).id
    groups: list[int] = []
    forums = [team]
    if setup == "teams":
        forums = [emulator.create_supergroup(f"Team {n}").id for n in range(3)]
        for n, forum in enumerate(forums):
            groups.append((await desk.handle(c.SaveGroup(admin, 0, f"Team {n}",
                                                         telegram_chat_id=forum))).id)

    def limiter() -> RateLimiter:
        return RateLimiter.compressed(TelegramLimits(), scale)

    helpers = []
    if setup == "helpers":
        for n in range(3):
            token = f"{700000 + n}:HELPER"
            emulator.add_helper_bot(token, f"helper{n}", [team])
            helpers.append((_bot(token, emulator), limiter()))
    bot = _bot(TOKEN, emulator)
    sender = TelegramSender(bot, team, None, "en", limiter(), clock=clock, helpers=helpers)
    relay = OutboxRelay(sender, clock)
    relaying = asyncio.create_task(relay.run())
    total = clients * per_client
    started = time.monotonic()
    tickets: dict[int, int] = {}
    try:
        for index in range(total):
            client, round_ = index % clients, index // clients
            due = started + index * spread / total / scale
            await asyncio.sleep(max(due - time.monotonic(), 0))
            user = 100_000 + client
            emulator.add_user(user, f"Client{client}")
            async with batch():  # the ticket's group decided in the same commit
                written = await desk.handle(c.ClientWrites(
                    "telegram", str(user), f"Client {client}",
                    f"client {client} message {round_}"))
                if groups and round_ == 0:
                    await desk.handle(c.AssignTicket(written.ticket_id, admin, None,
                                                     groups[client % len(groups)]))
            tickets[client] = written.ticket_id

        def visible(e: TelegramEmulator) -> bool:
            shown = "\n".join(m.text or "" for f in forums for m in e.bot_messages(f)
                              if not m.deleted)
            return all(f"client {n} message {r}" in shown
                       for n in range(clients) for r in range(per_client))

        while not visible(emulator):  # noqa: ASYNC110 - a look twice a second costs less
            await asyncio.sleep(0.5)  # than one on every change of the emulator
        seconds = (time.monotonic() - started) * scale
        in_order = await _in_order(emulator, tickets, per_client)
        posts = {f"bot {p.bot_id}": sum(len(emulator.bot_posts(p.bot_id, f)) for f in forums)
                 for p in sender.posters}  # into the forums (not clients' chats)
        return Result(setup, seconds, emulator.rate_limited_count, in_order, posts)
    finally:
        relaying.cancel()
        await asyncio.gather(relaying, return_exceptions=True)
        await bot.session.close()
        for helper, _ in helpers:
            await helper.session.close()
        await emulator.stop()
        await close_database()


async def _in_order(emulator: TelegramEmulator, tickets: dict[int, int], per_client: int
                    ) -> bool:
    for client, ticket in tickets.items():
        topic = await TopicStore().for_ticket(ticket)
        assert topic is not None
        text = "\n".join(m.text or "" for m in emulator.messages(
            topic.chat_id, thread_id=topic.thread_id))
        positions = [text.find(f"client {client} message {r}") for r in range(per_client)]
        if -1 in positions or positions != sorted(positions):
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setups", default="one,teams,helpers")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--messages", type=int, default=3, help="per client")
    parser.add_argument("--spread", type=float, default=60.0, help="seconds they write over")
    parser.add_argument("--scale", type=float, default=10.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print(f"{args.clients} clients x {args.messages} messages over {args.spread:g} s, "
          f"time scale {args.scale:g}, load average {os.getloadavg()[0]:.2f}")
    for setup in args.setups.split(","):
        real = time.monotonic()
        result = asyncio.run(run(setup, args.clients, args.messages, args.spread, args.scale))
        print(f"{result.setup:8} all visible after {result.seconds:7.1f} s, "
              f"429s {result.rejected}, order kept {result.in_order}, posts {result.posts} "
              f"({time.monotonic() - real:.0f} s real, load {os.getloadavg()[0]:.2f})",
              flush=True)


if __name__ == "__main__":
    main()
