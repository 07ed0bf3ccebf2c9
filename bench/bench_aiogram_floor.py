"""The least any aiogram bot spends on `bench_telegram.py`'s load: what #3's 1,500 messages/s
target leaves for ChatDesk's own work, on this machine.

Against the same emulator in its own process, with its limits off, and nothing of ours:
- *intake*: long polling with `bot.get_updates` (100 at a time) and `Dispatcher.feed_update`
  for every update, to one router with one message handler that only counts;
- *sends*: the Bot API calls the product makes for those messages (`bench_telegram.py`
  counts them: 200 `createForumTopic`, 825 `sendMessage`), made with `bot(...)` eight at a
  time, each answer parsed as aiogram parses it.

It prints the CPU time of each (this process, all its threads) and the messages per second
each would allow alone and together: an upper bound for the product, which does both in one
process, plus storing, rendering and its rules.

    .venv/bin/python bench/bench_aiogram_floor.py
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aiogram import Bot, Dispatcher, Router  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from aiogram.methods import CreateForumTopic, SendMessage  # noqa: E402
from aiogram.types import Message  # noqa: E402
from bench_telegram import AGENTS, TOKEN, RemoteTelegram  # noqa: E402


async def intake(bot: Bot, expected: int) -> float:
    router, seen = Router(), [0]

    @router.message()
    async def count(message: Message) -> None:
        seen[0] += 1

    dispatcher = Dispatcher(disable_fsm=True)
    dispatcher.include_router(router)
    offset = None
    started = time.process_time()
    while seen[0] < expected:
        updates = await bot.get_updates(offset=offset, timeout=1, limit=100)
        for update in updates:
            await dispatcher.feed_update(bot, update)
        if updates:
            offset = updates[-1].update_id + 1
    return time.process_time() - started


async def sends(bot: Bot, clients: list[int], topics: int, messages: int) -> float:
    started = time.process_time()
    gate = asyncio.Semaphore(8)

    async def call(method: CreateForumTopic | SendMessage) -> int:
        async with gate:
            answer = await bot(method)
        return int(getattr(answer, "message_thread_id", None) or 0)

    threads = await asyncio.gather(*(call(CreateForumTopic(chat_id=AGENTS, name=f"#{n} · bench"))
                                      for n in range(topics)))
    text = "bench message 17 from 900017\n" * 5
    await asyncio.gather(*(
        call(SendMessage(chat_id=AGENTS, message_thread_id=threads[i % topics], text=text))
        if i % 4 else call(SendMessage(chat_id=clients[i % len(clients)], text="Ticket #1"))
        for i in range(messages)))
    return time.process_time() - started


async def run(args: argparse.Namespace) -> None:
    clients = [900_000 + i for i in range(args.clients)]
    telegram = RemoteTelegram(clients, real_limits=False)
    base_url = await telegram.start()
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))
    await telegram.inject([f"bench message {i} from {clients[i % len(clients)]}"
                           for i in range(args.messages)], 0.0)
    cpu_intake = await intake(bot, args.messages)
    cpu_sends = await sends(bot, clients, args.clients, args.sends)
    await bot.session.close()
    await telegram.stop()
    n = args.messages
    print(f"aiogram alone, {n} messages from {args.clients} clients, emulator in its own "
          "process, limits off")
    print(f"  intake (getUpdates + feed_update): {cpu_intake:.2f} s CPU, "
          f"{n / cpu_intake:,.0f} messages/s at most")
    print(f"  {args.clients} createForumTopic + {args.sends} sendMessage: {cpu_sends:.2f} s CPU "
          f"({1000 * cpu_sends / (args.clients + args.sends):.2f} ms a call)")
    print(f"  both in one process: {cpu_intake + cpu_sends:.2f} s CPU, "
          f"{n / (cpu_intake + cpu_sends):,.0f} messages/s at most, end to end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--sends", type=int, default=825,
                        help="sendMessage calls (bench_telegram.py's run makes 825)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
