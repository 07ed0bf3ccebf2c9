"""The leader's lease: one row that says which instance runs what must run once (the
pollers, the outbox relays with their rate limits, the timer scan) and until when.

An instance takes the lease when it has run out (or was given back), and renews it well
before it runs out; each change of holder adds one to `token`, the fencing token an outbox
claim carries (storage/delivery.py). Times are the database's clock on PostgreSQL, so the
instances' clocks do not matter; SQLite serves one instance and uses the process's."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from storage.plain_sql import marks
from storage.uow import transaction

LEASE = "chatdesk"
_PG_NOW = "EXTRACT(EPOCH FROM clock_timestamp())::float8"


@dataclass(frozen=True)
class Lease:
    holder: str
    token: int
    acquired_at: float
    renewed_at: float
    expires_at: float
    now: float  # the database's clock when this was read

    @property
    def live(self) -> bool:
        return bool(self.holder) and self.expires_at > self.now

    @property
    def age(self) -> float:
        """Seconds since the holder last renewed it."""
        return max(self.now - self.renewed_at, 0.0)


@dataclass(frozen=True)
class Taken:
    """The lease after an attempt to take or renew it, and, when it changed hands, what
    the one before held (the outbox relay's rate limits start from that)."""

    lease: Lease
    mine: bool
    previous: Lease | None = None  # set when this attempt took it over


@dataclass(frozen=True)
class Fence:
    """The leader's credentials as an outbox claim checks them."""

    holder: str
    token: int


def now_sql(conn: BaseDBAsyncClient) -> tuple[str, list[Any]]:
    """The database's clock in epoch seconds, as SQL and its values (a `{}` on SQLite)."""
    if conn.capabilities.dialect == "postgres":
        return _PG_NOW, []
    return "{}", [time.time()]


def fence_sql(conn: BaseDBAsyncClient, fence: Fence) -> tuple[str, list[Any]]:
    """A condition true only while `fence` holds the live lease."""
    now, values = now_sql(conn)
    return (f"EXISTS (SELECT 1 FROM leader_lease WHERE name = {{}} AND holder = {{}}"
            f" AND token = {{}} AND expires_at > {now})",
            [LEASE, fence.holder, fence.token, *values])


async def _rows(conn: BaseDBAsyncClient, sql: str, values: list[Any]) -> list[dict[str, Any]]:
    return list(await conn.execute_query_dict(sql.format(*marks(conn, len(values))), values))


async def _clock(conn: BaseDBAsyncClient) -> float:
    if conn.capabilities.dialect == "postgres":
        return float((await _rows(conn, f"SELECT {_PG_NOW} AS now", []))[0]["now"])
    return time.time()


def _lease(row: dict[str, Any], now: float) -> Lease:
    return Lease(str(row["holder"] or ""), int(row["token"]), float(row["acquired_at"]),
                 float(row["renewed_at"]), float(row["expires_at"]), now)


_FIELDS = "holder, token, acquired_at, renewed_at, expires_at"


class LeaseStore:
    async def current(self) -> Lease | None:
        conn = connections.get("default")
        rows = await _rows(conn, f"SELECT {_FIELDS} FROM leader_lease WHERE name = {{}}",
                           [LEASE])
        return _lease(rows[0], await _clock(conn)) if rows else None

    async def take(self, holder: str, seconds: float, *, force: bool = False) -> Taken:
        """Renew the lease if `holder` has it, take it if it ran out (or at once with
        `force`: SQLite, where the file lock already proves no one else runs)."""
        async with transaction() as conn:
            now = await _clock(conn)
            lock = " FOR UPDATE" if conn.capabilities.dialect == "postgres" else ""
            rows = await _rows(conn, f"SELECT {_FIELDS} FROM leader_lease WHERE name = {{}}"
                                     f"{lock}", [LEASE])
            if not rows:
                await _rows(conn, "INSERT INTO leader_lease (name, holder, token, acquired_at,"
                                  " renewed_at, expires_at) VALUES ({}, '', 0, 0, 0, 0)"
                                  " ON CONFLICT (name) DO NOTHING", [LEASE])
                return Taken(Lease("", 0, 0, 0, 0, now), False)
            old = _lease(rows[0], now)
            if old.holder == holder and old.live:
                await _rows(conn, "UPDATE leader_lease SET renewed_at = {}, expires_at = {}"
                                  " WHERE name = {}", [now, now + seconds, LEASE])
                return Taken(Lease(holder, old.token, old.acquired_at, now, now + seconds, now),
                             True)
            if old.live and not force:
                return Taken(old, False)
            token = old.token + 1
            await _rows(conn, "UPDATE leader_lease SET holder = {}, token = {},"
                              " acquired_at = {}, renewed_at = {}, expires_at = {}"
                              " WHERE name = {}", [holder, token, now, now, now + seconds, LEASE])
            return Taken(Lease(holder, token, now, now, now + seconds, now), True, old)

    async def release(self, fence: Fence) -> None:
        """Give the lease back (a clean stop): a standby takes it at its next look."""
        conn = connections.get("default")
        now, values = now_sql(conn)
        await _rows(conn, f"UPDATE leader_lease SET expires_at = {now} WHERE name = {{}}"
                          f" AND holder = {{}} AND token = {{}}",
                    [*values, LEASE, fence.holder, fence.token])
