"""What ChatDesk reads or changes inside tortoise-orm beyond its public API, in one place,
and checked.

Tortoise's transaction contexts take something before they begin: SQLite's one connection
behind a lock, or a connection from PostgreSQL's pool. A task cancelled between the taking
and the end of `BEGIN` (a worker stopped, a timeout) kept it: on SQLite the lock, which
hangs every later query of the process (seen with `update_or_create`, which opens its own
transaction, in a sender stopped mid-save). `install()` gives both contexts an entry that
gives back what it took when the begin does not complete; the rest of tortoise's behaviour
is unchanged. It reads private names (`_trxlock`, `client._parent._pool`,
`client._connection`): `check()` says whether the installed release still has them, a test
runs it, and opening the database logs a warning for each problem. The behaviour is proved
on both engines by tests/storage/test_batches.py (workers cancelled at any point) and
tests/storage/test_tortoise_compat.py."""

from __future__ import annotations

from typing import Any

import tortoise
from tortoise.backends.base.client import TransactionContextPooled
from tortoise.backends.sqlite.client import SqliteTransactionContext
from tortoise.connection import get_connections

TESTED = ("1.1",)  # the tortoise-orm releases (major.minor) these names were read from


def check() -> list[str]:
    """The problems found: an untested release, or a private name that is not there."""
    problems = []
    if not tortoise.__version__.startswith(TESTED):
        problems.append(f"tortoise-orm {tortoise.__version__} is not one of {TESTED}")
    if not {"connection", "connection_name", "token", "_trxlock"} <= set(
            SqliteTransactionContext.__slots__):
        problems.append("SqliteTransactionContext's fields changed")
    if not {"client", "connection_name", "token"} <= set(TransactionContextPooled.__slots__):
        problems.append("TransactionContextPooled's fields changed")
    return problems


async def _enter_sqlite(self: Any) -> Any:
    await self._trxlock.acquire()
    try:
        await self.ensure_connection()
        self.token = get_connections().set(self.connection_name, self.connection)
        try:
            await self.connection.begin()
        except BaseException:
            get_connections().reset(self.token)
            raise
    except BaseException:
        self._trxlock.release()
        raise
    return self.connection


async def _enter_pooled(self: Any) -> Any:
    await self.ensure_connection()
    pool = self.client._parent._pool
    self.client._connection = await pool.acquire()
    try:
        self.token = get_connections().set(self.connection_name, self.client)
        try:
            await self.client.begin()
        except BaseException:
            get_connections().reset(self.token)
            raise
    except BaseException:
        await pool.release(self.client._connection)
        raise
    return self.client


def install() -> None:
    """Make both transaction contexts give back what they took when their begin is cut
    short (idempotent)."""
    SqliteTransactionContext.__aenter__ = _enter_sqlite  # type: ignore[method-assign]
    TransactionContextPooled.__aenter__ = _enter_pooled  # type: ignore[method-assign]
