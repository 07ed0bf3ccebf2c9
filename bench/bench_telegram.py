"""Client messages through the Telegram emulator into their topics, with the real aiogram
stack and the production wiring. Prints inbound messages/s to durable commit, seconds until
the last one is visible in its topic, 429s seen, and peak resident memory.

    .venv/bin/python bench/bench_telegram.py         # 2000 msgs, 200 clients, limits off
    .venv/bin/python bench/bench_telegram.py --db postgres
    .venv/bin/python bench/bench_telegram.py --limits real --messages 60 --clients 20 --spread 60
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

from bots.telegram.config import TelegramConfig
from bots.telegram.limits import RateLimiter, TelegramLimits
from bots.telegram.setup import install_telegram
from chatdesk.bootstrap import SystemClock, build_desk
from chatdesk.runtime import Runtime
from core.outbox import Routing
from emulators.telegram.emulator import TelegramEmulator
from emulators.telegram.limits import RateLimits
from storage import models as m
from storage.db import close_database, migrate, open_database
from storage.seed import ensure_reference_data

TOKEN = "123456:BENCH"
AGENTS = -1002000000001


async def database(kind: str) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite://{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}", None
    name = f"chatdesk_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return f"postgres://postgres@127.0.0.1:5432/{name}", name


async def run(args: argparse.Namespace) -> None:
    url, pg_name = await database(args.db)
    await migrate(url)
    await open_database(url)
    await ensure_reference_data()
    real = args.limits == "real"
    emulator = TelegramEmulator(token=TOKEN, rate_limits=RateLimits() if real else RateLimits.off())
    await emulator.start()
    emulator.create_supergroup("Agents", chat_id=AGENTS, forum=True)
    clients = [900_000 + i for i in range(args.clients)]
    for user in clients:
        emulator.add_user(user, f"Client {user}")
    runtime = Runtime(build_desk(routing=Routing(frozenset({"telegram"}), "telegram")))
    config = TelegramConfig(token=TOKEN, api_url=emulator.base_url, agent_chat_id=AGENTS,
                            polling_timeout=1)
    limiter = RateLimiter(TelegramLimits() if real else TelegramLimits.off())
    await install_telegram(runtime, None, SystemClock(), config=config, limiter=limiter)
    texts = [f"bench message {i} from {clients[i % len(clients)]}" for i in range(args.messages)]
    started = time.perf_counter()
    await runtime.start()

    async def inject() -> None:
        gap = args.spread / max(len(texts), 1)
        for i, text in enumerate(texts):
            emulator.inject_private_message(clients[i % len(clients)], text)
            if gap:
                await asyncio.sleep(gap)

    injector = asyncio.create_task(inject())
    while await m.CommentRow.all().count() < len(texts):  # noqa: ASYNC110 - polls the db
        await asyncio.sleep(0.05)
    committed = time.perf_counter() - started
    await injector

    def visible(e: TelegramEmulator) -> bool:
        shown = "\n".join(msg.text or "" for msg in e.messages(AGENTS))
        return all(t in shown for t in texts)

    await emulator.wait_for(visible, timeout=args.timeout)
    shown = time.perf_counter() - started
    await runtime.stop()
    await emulator.stop()
    await close_database()
    if pg_name:
        conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
        await conn.execute(f'DROP DATABASE "{pg_name}" WITH (FORCE)')
        await conn.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"db={args.db} limits={args.limits} messages={len(texts)} clients={len(clients)} "
          f"spread={args.spread}s")
    print(f"  inbound to durable commit: {len(texts) / committed:,.0f} messages/s "
          f"({committed:.2f} s)")
    print(f"  last message visible in its topic after: {shown:.2f} s")
    print(f"  429 answers from Telegram: {emulator.rate_limited_count}")
    print(f"  peak resident memory: {peak_mb:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--limits", choices=("off", "real"), default="off")
    parser.add_argument("--spread", type=float, default=0.0,
                        help="seconds over which the messages arrive (0: all at once)")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
