"""Several `chatdesk run` processes on one PostgreSQL database behind a round-robin balancer,
in webhook mode, against the Telegram emulator with its flood limits on (compressed time, on
both sides). For 1, 2 and 3 instances: 2,000 updates from 200 clients; prints the durable
intake (updates per second until the last one's comment is committed), the messages shown
twice in the agents' group, the 429 answers, and the seconds until a standby leads after the
leader is killed with SIGKILL.

The emulator and the balancer run in this process, the instances in their own.

    .venv/bin/python bench/bench_cluster.py
    .venv/bin/python bench/bench_cluster.py --instances 2 --updates 500 --clients 50
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emulators.telegram.emulator import TelegramEmulator  # noqa: E402
from emulators.telegram.limits import RateLimits  # noqa: E402
from storage import models as m  # noqa: E402
from storage.db import close_database, open_database  # noqa: E402
from tests.e2e.cluster import AGENT_CHAT, PUBLIC, TOKEN, running_cluster  # noqa: E402
from tests.e2e.test_cluster import marks_in_group  # noqa: E402

ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


async def fresh_database() -> tuple[str, str]:
    name = f"chatdesk_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(ADMIN)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = f"postgres://postgres@127.0.0.1:5432/{name}"
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "chatdesk.cli", "--log-level", "WARNING",
                         "migrate"], env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin",
                                          "CHATDESK_DATA_DIR": tempfile.mkdtemp()},
        capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"migrations failed: {done.stderr}")
    return url, name


async def drop(name: str) -> None:
    conn = await asyncpg.connect(ADMIN)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def one_run(size: int, args: argparse.Namespace) -> str:
    url, name = await fresh_database()
    await open_database(url)
    emulator = TelegramEmulator(token=TOKEN, rate_limits=RateLimits().scaled(args.scale))
    await emulator.start()
    emulator.create_supergroup("Agents", chat_id=AGENT_CHAT, forum=True)
    clients = [900_000 + i for i in range(args.clients)]
    for user in clients:
        emulator.add_user(user, f"Client {user}")
    marks = [f"[m{i}]" for i in range(args.updates)]
    try:
        async with running_cluster(Path(tempfile.mkdtemp()), url, emulator.base_url,
                                   size=size, lease=args.lease, time_scale=args.scale
                                   ) as (cluster, balancer):
            emulator.route_webhook(PUBLIC, balancer.url)
            await cluster.leader(timeout=60)
            started = time.perf_counter()
            for i, mark in enumerate(marks):
                emulator.inject_private_message(clients[i % len(clients)], f"bench {mark}")
            while await m.CommentRow.all().count() < len(marks):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            intake = len(marks) / (time.perf_counter() - started)
            await emulator.wait_for(lambda e: set(marks) <= set(marks_in_group(e)),
                                    timeout=args.timeout)
            shown = time.perf_counter() - started
            counts = marks_in_group(emulator)
            twice = sum(1 for mark in marks if counts[mark] > 1)
            failover = "-"
            if size > 1:
                leader = await cluster.leader()
                leader.kill()
                killed = time.perf_counter()
                await cluster.leader(timeout=120)
                failover = f"{time.perf_counter() - killed:.1f} s"
            forwarded = dict(sorted(balancer.forwarded.items()))
    finally:
        await emulator.stop()
        await close_database()
        await drop(name)
    return (f"| {size} | {intake:,.0f} updates/s | {shown:.1f} s | {twice} | "
            f"{emulator.rate_limited_count} | {failover} | {forwarded} |")


async def run(args: argparse.Namespace) -> None:
    print(f"{args.updates} webhook updates from {args.clients} clients, Telegram limits x"
          f"{args.scale:g} on both sides, lease {args.lease} s")
    print("| instances | durable intake | last shown after | shown twice | 429s | "
          "failover after SIGKILL | webhook calls per instance |")
    print("|---|---|---|---|---|---|---|")
    for size in args.instances:
        print(await one_run(size, args), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--scale", type=float, default=60.0,
                        help="Telegram's flood limits run this many times faster")
    parser.add_argument("--lease", type=int, default=10,
                        help="CHATDESK_LEADER_LEASE_SECONDS of the instances")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
