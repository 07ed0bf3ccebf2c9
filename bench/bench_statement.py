"""What one simple query costs on the embedded SQLite: through tortoise's query builder, and
through the connection's `execute_query` (which still crosses to aiosqlite's thread and back).
Prints microseconds per query; the difference is the ORM's share.

    PYTHONPATH=. .venv/bin/python bench/bench_statement.py
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from tortoise import connections

from storage import models as m
from storage.db import close_database, migrate, open_database

QUERIES = 2000


async def main() -> None:
    url = f"sqlite://{Path(tempfile.mkdtemp()) / 'statement.sqlite3'}"
    await migrate(url)
    await open_database(url)
    conn = connections.get("default")
    started = time.perf_counter()
    for i in range(QUERIES):
        await m.OutboxRow.filter(id=i, state="pending").first()
    orm = (time.perf_counter() - started) / QUERIES * 1e6
    started = time.perf_counter()
    for i in range(QUERIES):
        await conn.execute_query("SELECT id FROM outbox WHERE id=? AND state=? LIMIT 1",
                                 [i, "pending"])
    raw = (time.perf_counter() - started) / QUERIES * 1e6
    await close_database()
    print(f"{QUERIES} queries on SQLite")
    print(f"  tortoise filter().first(): {orm:6.0f} µs per query")
    print(f"  connection.execute_query:  {raw:6.0f} µs per query")


if __name__ == "__main__":
    asyncio.run(main())
