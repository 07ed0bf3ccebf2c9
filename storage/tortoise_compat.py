"""What ChatDesk reads inside tortoise-orm beyond its public API, in one place, and checked.

`storage.uow` gives back what tortoise took when a task is cancelled while a transaction
begins (tortoise itself keeps it): SQLite's transaction lock (`_trxlock` of
`SqliteTransactionContext`) and PostgreSQL's pooled connection (the transaction client's
`_connection`, from its `_parent._pool`). Those names are private; `check()` says whether
the installed tortoise still has them where they are read (a test runs it, and opening the
database logs a warning for each problem), so a release that moves them fails a test rather
than hanging a process after its first cancelled transaction. The behaviour itself is
proved on both engines by tests/storage/test_batches.py (workers cancelled at any point)."""

from __future__ import annotations

import asyncio
from typing import Any

import tortoise
from tortoise.backends.base.client import TransactionContext, TransactionContextPooled
from tortoise.backends.sqlite.client import SqliteTransactionContext
from tortoise.connection import get_connections

TESTED = ("1.1",)  # the tortoise-orm releases (major.minor) these names were read from


def check() -> list[str]:
    """The problems found: an untested release, or a private name that is not there."""
    problems = []
    if not tortoise.__version__.startswith(TESTED):
        problems.append(f"tortoise-orm {tortoise.__version__} is not one of {TESTED}")
    if "_trxlock" not in SqliteTransactionContext.__slots__:
        problems.append("SqliteTransactionContext has no _trxlock")
    if "client" not in TransactionContextPooled.__slots__:
        problems.append("TransactionContextPooled has no client")
    return problems


async def give_back_after_cancelled_begin(tx: TransactionContext) -> None:
    """What a transaction whose begin was cancelled still holds, given back; nothing if it
    was cancelled before it took anything."""
    token = getattr(tx, "token", None)
    if token is None:  # cancelled while waiting for the lock or the pool: nothing held
        return
    get_connections().reset(token)
    lock = getattr(tx, "_trxlock", None)  # SQLite: one connection behind a lock
    if isinstance(lock, asyncio.Lock) and lock.locked():
        lock.release()
    client: Any = getattr(tx, "client", None)  # PostgreSQL: a connection from the pool
    pool = getattr(getattr(client, "_parent", None), "_pool", None)
    if pool is not None and getattr(client, "_connection", None) is not None:
        await pool.release(client._connection)
