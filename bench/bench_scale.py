"""The panel at scale (issue 16): seeds N tickets with the bulk demo generator
(`chatdesk demo --bulk`) into a fresh database, starts the real panel app in-process, signs in
as the demo administrator and times the pages a lead opens every day: the dashboard, the
ticket list (first page, a filter, a word search), a ticket page, each report for 30 and 365
days, an XLSX export of 30 days, and /healthz while 4 reports run at once.

    .venv/bin/python bench/bench_scale.py --tickets 100000 --database sqlite:///tmp/scale.db
    .venv/bin/python bench/bench_scale.py --tickets 100000 \\
        --database postgres://postgres@127.0.0.1:5432/chatdesk_scale

The database is dropped and made again (PostgreSQL: the database named in the URL, through
the server's `postgres` database), unless --keep reuses one seeded before. Prints a table:
median and 95th percentile of --requests requests to each page, after one warm-up request,
and the machine's 1-minute load average when the page was done."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import ClientSession, ClientTimeout, CookieJar  # noqa: E402
from aiohttp.test_utils import TestServer  # noqa: E402
from yarl import URL  # noqa: E402

TARGET_MS = 300
CLIENT_TIMEOUT_S = 1800  # aiohttp's default of 5 minutes is shorter than a big export
SLOW_MS = 5000  # slower pages are timed once: at scale a year's report takes minutes
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def remove_sqlite(url: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(url.removeprefix("sqlite://") + suffix).unlink(missing_ok=True)


async def fresh_database(url: str) -> None:
    if url.startswith("sqlite://"):
        remove_sqlite(url)
        return
    import asyncpg

    parsed = URL(url)
    name = parsed.path.lstrip("/")
    admin = await asyncpg.connect(str(parsed.with_path("/postgres")))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def seed(url: str, tickets: int, days: int) -> float:
    from chatdesk.database import prepare_database
    from chatdesk.demo_bulk import load_bulk

    await fresh_database(url)
    await prepare_database(url)
    from storage.db import close_database, open_database

    await open_database(url)
    started = time.perf_counter()
    try:
        await load_bulk(tickets, seed=1, days=days)
    finally:
        await close_database()
    return time.perf_counter() - started


class Panel:
    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.session = ClientSession(cookie_jar=CookieJar(unsafe=True),
                                     timeout=ClientTimeout(total=CLIENT_TIMEOUT_S))

    async def get(self, path: str) -> float:
        started = time.perf_counter()
        async with self.session.get(self.server.make_url(path)) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
        return (time.perf_counter() - started) * 1000

    async def sign_in(self, login: str, password: str) -> None:
        async with self.session.get(self.server.make_url("/login")) as page:
            match = CSRF.search(await page.text())
        assert match, "no sign-in form"
        async with self.session.post(self.server.make_url("/login"), data={
                "login": login, "password": password, "csrf_token": match.group(1),
                "next": "/"}) as response:
            if 'name="csrf_token"' not in await response.text() or response.status != 200:
                raise RuntimeError("could not sign in")


def pages(ticket_id: int, today: date) -> list[tuple[str, str]]:
    def period(days: int) -> str:
        return f"from={(today - timedelta(days=days - 1)).isoformat()}&to={today.isoformat()}"

    rows = [("dashboard", "/"), ("ticket list", "/tickets"),
            ("list: status=open", "/tickets?status=open"),
            ("list: channel=vk, overdue", "/tickets?channel=vk&overdue=1"),
            ("list: search 'order arrive'", "/tickets?q=order+arrive"),
            ("ticket page", f"/tickets/{ticket_id}")]
    for days in (30, 365):
        rows.append((f"reports page, {days} d", f"/reports?{period(days)}"))
        for kind in ("first_response", "resolution", "sla", "satisfaction", "load"):
            rows.append((f"report {kind}, {days} d", f"/reports/{kind}.csv?{period(days)}"))
    rows.append(("XLSX all reports, 30 d", f"/reports/all.xlsx?{period(30)}"))
    return rows


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def timed(get: Callable[[str], Awaitable[float]], path: str,
                requests: int) -> list[float]:
    """After a warm-up request; a page slower than SLOW_MS is timed by that one request."""
    first = await get(path)
    if first > SLOW_MS:
        return [first]
    return [await get(path) for _ in range(requests)]


async def health_under_reports(panel: Panel, path: str) -> tuple[list[float], float]:
    """/healthz answered one after another while 4 reports are built at once."""
    started = time.perf_counter()
    reports = [asyncio.create_task(panel.get(path)) for _ in range(4)]
    health: list[float] = []
    while not all(r.done() for r in reports):
        health.append(await panel.get("/healthz"))
    await asyncio.gather(*reports)
    return health, (time.perf_counter() - started) * 1000


async def measure(url: str, requests: int, skip: str | None, health: bool) -> None:
    from admin_web.app import create_app
    from admin_web.config import PanelConfig
    from chatdesk.bootstrap import build_desk
    from chatdesk.demo_team import ADMIN_LOGIN, ADMIN_PASSWORD
    from chatdesk.runtime import Runtime
    from storage.db import close_database, open_database
    from storage.plain_sql import select

    await open_database(url)
    server = TestServer(create_app(Runtime(build_desk()), PanelConfig()))
    await server.start_server()
    panel = Panel(server)
    try:
        await panel.sign_in(ADMIN_LOGIN, ADMIN_PASSWORD)
        busiest = await select("SELECT ticket_id, COUNT(*) AS n FROM comments GROUP BY "
                               "ticket_id ORDER BY n DESC, ticket_id LIMIT 1", [])
        today = datetime.now(UTC).date()
        print(f"{'page':34} {'median ms':>10} {'p95 ms':>10} {'n':>3} {'load':>5}")
        for name, path in pages(busiest[0]["ticket_id"], today):
            if skip and re.search(skip, name):
                print(f"{name:34} {'skipped':>10}")
                continue
            times = await timed(panel.get, path, requests)
            median = statistics.median(times)
            miss = "  > 300 ms" if median > TARGET_MS else ""
            print(f"{name:34} {median:10.0f} {percentile(times, 0.95):10.0f} "
                  f"{len(times):3} {os.getloadavg()[0]:5.1f}{miss}", flush=True)
        if not health:
            return
        report = pages(0, today)[6][1]  # the reports page, 30 days
        health_times, took = await health_under_reports(panel, report)
        print(f"{'/healthz during 4 reports (p99)':34} {statistics.median(health_times):10.0f} "
              f"{percentile(health_times, 0.99):10.0f} {len(health_times):3} "
              f"{os.getloadavg()[0]:5.1f}  (while the 4 "
              f"reports took "
              f"{took:.0f} ms)")
    finally:
        await panel.session.close()
        await server.close()
        await close_database()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--database", required=True, help="sqlite:///path or postgres://...")
    parser.add_argument("--requests", type=int, default=5, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="reuse a database seeded before")
    parser.add_argument("--skip", metavar="REGEX", help="leave out the pages whose name "
                        "matches, e.g. '365 d' (a year's report takes minutes at 100,000)")
    parser.add_argument("--no-health", action="store_true",
                        help="leave out /healthz during 4 reports")
    args = parser.parse_args()
    if not args.keep:
        took = asyncio.run(seed(args.database, args.tickets, args.days))
        print(f"seeded {args.tickets} tickets over {args.days} days in {took:.1f} s")
    asyncio.run(measure(args.database, args.requests, args.skip, not args.no_health))


if __name__ == "__main__":
    main()
