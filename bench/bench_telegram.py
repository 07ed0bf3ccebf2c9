"""Client messages through the Telegram emulator into their topics, with the real aiogram
stack and the production wiring. Prints inbound messages/s to durable commit, seconds until
the last one is visible in its topic, 429s seen, and peak resident memory of the product.

The emulator stands in for Telegram's servers, so it runs in a process of its own (as
Telegram does not run in ours): the figures are the product's CPU time and memory alone.

    .venv/bin/python bench/bench_telegram.py         # 2000 msgs, 200 clients, limits off
    .venv/bin/python bench/bench_telegram.py --db postgres
    .venv/bin/python bench/bench_telegram.py --limits real --messages 60 --clients 20 --spread 60
    .venv/bin/python bench/bench_telegram.py --same-process   # the emulator in our process
    .venv/bin/python bench/bench_telegram.py --relay-after    # the intake alone, relay held
    .venv/bin/python bench/bench_telegram.py --mode webhook   # Telegram POSTs to our server
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing as mp
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import asyncpg
from aiohttp import web

from bots.telegram.config import TelegramConfig
from bots.telegram.limits import RateLimiter, TelegramLimits
from bots.telegram.setup import install_telegram
from chatdesk.bootstrap import SystemClock, build_desk
from chatdesk.runtime import Runtime
from core.outbox import Routing
from storage import models as m
from storage.db import close_database, open_database

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


# --- Telegram's side ---------------------------------------------------------------------------
class Telegram:
    """The emulator with the bench's clients; `inject` and `visible` are all the bench asks."""

    def __init__(self, clients: list[int], real_limits: bool) -> None:
        self.clients, self.real_limits = clients, real_limits

    async def start(self) -> str:
        from emulators.telegram.emulator import TelegramEmulator
        from emulators.telegram.limits import RateLimits

        self.emulator = TelegramEmulator(
            token=TOKEN, rate_limits=RateLimits() if self.real_limits else RateLimits.off())
        await self.emulator.start()
        self.emulator.create_supergroup("Agents", chat_id=AGENTS, forum=True)
        for user in self.clients:
            self.emulator.add_user(user, f"Client {user}")
        return self.emulator.base_url

    async def inject(self, texts: list[str], spread: float) -> None:
        gap = spread / max(len(texts), 1)
        for i, text in enumerate(texts):
            self.emulator.inject_private_message(self.clients[i % len(self.clients)], text)
            if gap:
                await asyncio.sleep(gap)

    def visible(self, texts: list[str]) -> bool:
        shown = "\n".join(msg.text or "" for msg in self.emulator.messages(AGENTS))
        return all(t in shown for t in texts)

    def rate_limited(self) -> int:
        return int(self.emulator.rate_limited_count)

    async def stop(self) -> None:
        await self.emulator.stop()


def _telegram_process(conn: Connection, clients: list[int], real_limits: bool) -> None:
    async def serve() -> None:
        telegram = Telegram(clients, real_limits)
        conn.send(await telegram.start())
        loop = asyncio.get_running_loop()
        injecting: asyncio.Task[None] | None = None
        while True:
            command, arg = await loop.run_in_executor(None, conn.recv)
            if command == "inject":
                injecting = asyncio.create_task(telegram.inject(*arg))
            elif command == "visible":
                conn.send(telegram.visible(arg))
            elif command == "rate_limited":
                conn.send(telegram.rate_limited())
            elif command == "stop":
                if injecting:
                    await injecting
                await telegram.stop()
                conn.send(None)
                return

    asyncio.run(serve())


class RemoteTelegram:
    """The same questions, to the emulator in its own process."""

    def __init__(self, clients: list[int], real_limits: bool) -> None:
        self.conn, child = mp.get_context("spawn").Pipe()
        self.process = mp.get_context("spawn").Process(
            target=_telegram_process, args=(child, clients, real_limits), daemon=True)

    async def _ask(self, command: str, arg: Any = None, answer: bool = True) -> Any:
        self.conn.send((command, arg))
        return await asyncio.to_thread(self.conn.recv) if answer else None

    async def start(self) -> str:
        self.process.start()
        return str(await asyncio.to_thread(self.conn.recv))

    async def inject(self, texts: list[str], spread: float) -> None:
        await self._ask("inject", (texts, spread), answer=False)

    async def visible_async(self, texts: list[str]) -> bool:
        return bool(await self._ask("visible", texts))

    async def rate_limited_async(self) -> int:
        return int(await self._ask("rate_limited"))

    async def stop(self) -> None:
        await self._ask("stop")
        self.process.join(10)


# --- our side ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def serve_webhook(runtime: Runtime, port: int) -> web.AppRunner:
    """The production web app with the webhook, its workers started by the bench."""
    from chatdesk.app import web_app

    app = web_app(runtime)
    app.cleanup_ctx.clear()
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def run(args: argparse.Namespace) -> None:
    url, pg_name = await database(args.db)
    # as `chatdesk run` does: migrations in a child process, whose memory the service never
    # carries
    migrated = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "chatdesk.cli", "--log-level", "WARNING",
                         "migrate"], env={**os.environ, "DATABASE_URL": url},
        capture_output=True, text=True, check=False)
    if migrated.returncode:
        raise SystemExit(f"migrations failed: {migrated.stderr}")
    await open_database(url)
    real = args.limits == "real"
    clients = [900_000 + i for i in range(args.clients)]
    telegram: Telegram | RemoteTelegram = (Telegram(clients, real) if args.same_process
                                           else RemoteTelegram(clients, real))
    base_url = await telegram.start()

    async def visible(texts: list[str]) -> bool:
        if isinstance(telegram, Telegram):
            return telegram.visible(texts)
        return await telegram.visible_async(texts)

    runtime = Runtime(build_desk(routing=Routing(frozenset({"telegram"}), "telegram")))
    webhook_port = free_port() if args.mode == "webhook" else None
    config = TelegramConfig(
        token=TOKEN, api_url=base_url, agent_chat_id=AGENTS, polling_timeout=1,
        mode=args.mode, webhook_secret="bench-secret" if webhook_port else None,
        webhook_url=f"http://127.0.0.1:{webhook_port}/telegram/webhook" if webhook_port
        else None)
    limiter = RateLimiter(TelegramLimits() if real else TelegramLimits.off())
    await install_telegram(runtime, None, SystemClock(), config=config, limiter=limiter)
    server = await serve_webhook(runtime, webhook_port) if webhook_port else None
    texts = [f"bench message {i} from {clients[i % len(clients)]}" for i in range(args.messages)]
    held = [w for w in runtime.workers if w.name == "telegram-relay" and args.relay_after]
    for worker in held:  # a diagnosis: what the intake does with the CPU to itself
        runtime.workers.remove(worker)
    await runtime.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    injector = asyncio.create_task(telegram.inject(texts, args.spread))
    while await m.CommentRow.all().count() < len(texts):  # noqa: ASYNC110 - polls the db
        await asyncio.sleep(0.05)
    committed = time.perf_counter() - started
    cpu_committed = time.process_time() - cpu_started
    for worker in held:
        worker.task = asyncio.create_task(worker.run())
        runtime.workers.append(worker)
    await injector
    async with asyncio.timeout(args.timeout):
        while not await visible(texts):  # noqa: ASYNC110 - asks the other process
            await asyncio.sleep(0.25)
    shown = time.perf_counter() - started
    cpu_shown = time.process_time() - cpu_started
    rate_limited = (telegram.rate_limited() if isinstance(telegram, Telegram)
                    else await telegram.rate_limited_async())
    await runtime.stop()
    if server is not None:
        await server.cleanup()
    await telegram.stop()
    await close_database()
    if pg_name:
        conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
        await conn.execute(f'DROP DATABASE "{pg_name}" WITH (FORCE)')
        await conn.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"db={args.db} mode={args.mode} limits={args.limits} messages={len(texts)} "
          f"clients={len(clients)} "
          f"spread={args.spread}s emulator={'same' if args.same_process else 'own'} process"
          f"{' relay held until all are committed' if held else ''}")
    print(f"  inbound to durable commit: {len(texts) / committed:,.0f} messages/s "
          f"({committed:.2f} s)")
    print(f"  last message visible in its topic after: {shown:.2f} s")
    print(f"  CPU time of the product (all its threads): {cpu_committed:.2f} s until the last "
          f"commit, {cpu_shown:.2f} s until the last is visible")
    print(f"  429 answers from Telegram: {rate_limited}")
    print(f"  peak resident memory{' (with the emulator)' if args.same_process else ''}: "
          f"{peak_mb:.0f} MB")


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
    parser.add_argument("--mode", choices=("polling", "webhook"), default="polling",
                        help="how updates reach us (webhook: the emulator POSTs them)")
    parser.add_argument("--relay-after", action="store_true",
                        help="start the outbox relay only once every message is committed "
                             "(how fast the intake alone is; not how the product runs)")
    parser.add_argument("--same-process", action="store_true",
                        help="run the emulator in this process (its CPU and memory count)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
