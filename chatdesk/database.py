"""The database as the `chatdesk` commands open it: migrated (for `run`, in a child process),
opened and checked, and which errors are the database's."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import IO, Any, TypeVar

from chatdesk.settings import Settings

log = logging.getLogger("chatdesk")
T = TypeVar("T")


class CliError(Exception):
    """An expected problem: printed as one line, exit code 1."""


def one_line(text: object) -> str:
    return " ".join(str(text).split())


async def prepare_database(url: str) -> list[str]:
    """Apply pending migrations and make sure the reference data exists; returns the
    migrations applied."""
    from storage.db import close_database, migrate, open_database
    from storage.seed import ensure_reference_data

    async with _one_migrator(url):
        applied = await migrate(url)
    await open_database(url)
    try:
        await ensure_reference_data()
    finally:
        await close_database()
    return applied


@asynccontextmanager
async def _one_migrator(url: str) -> AsyncIterator[None]:
    """On PostgreSQL, one instance migrates at a time (replicas that start together): the
    others wait on an advisory lock, then find the database up to date."""
    if not url.startswith("postgres://"):
        yield
        return
    import asyncpg

    # without the query: tortoise's pool options are not asyncpg's
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1).split("?")[0])
    try:
        await conn.execute("SELECT pg_advisory_lock(4242017)")
        yield
    finally:
        await conn.close()  # the lock goes with the session


def prepare_in_child(settings: Settings) -> None:
    """`prepare_database` in a process of its own, for `run`: tortoise's migration machinery
    costs ~36 MB of memory that the service would otherwise keep for its whole life."""
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    done = subprocess.run([sys.executable, "-m", "chatdesk.cli", "--log-level", "WARNING",
                           "migrate"], env=env, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("applied "):
            log.info("applied migration %s", line.removeprefix("applied "))
    if done.returncode:
        problem = (done.stderr.strip().splitlines() or ["migrations failed"])[-1]
        raise CliError(problem.removeprefix("chatdesk: "))


def hold_sqlite_lock(settings: Settings) -> IO[str] | None:
    """On SQLite, lock a file next to the database for as long as the process lives: a
    second `run` on the same file refuses to start (SQLite serves one instance; several
    need PostgreSQL). The operating system lets go of it when the process ends, however."""
    if settings.is_postgres:
        return None
    path = settings.database_url.removeprefix("sqlite://").partition("?")[0]
    if path == ":memory:":
        return None
    handle = open(f"{path}.lock", "a+", encoding="utf-8")  # noqa: SIM115 - held until exit
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise CliError(f"another chatdesk is already running on {path}: SQLite serves one "
                       "instance (stop the other, or use PostgreSQL to run several)") from None
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


@asynccontextmanager
async def opened(settings: Settings, *, migrated: bool = True) -> AsyncIterator[None]:
    """The database, open for the duration; with `migrated`, refuse a database that
    `chatdesk migrate` has not brought up to date."""
    from storage.admin import pending_migrations, ping
    from storage.db import close_database, open_database

    await open_database(settings.database_url)
    try:
        await ping()
        if migrated and (pending := await pending_migrations(settings.database_url)):
            raise CliError(f"the database needs {len(pending)} migration(s) "
                           f"({', '.join(pending)}); run `chatdesk migrate` first")
        yield
    finally:
        await close_database()


def database_errors() -> tuple[type[BaseException], ...]:
    import sqlite3

    from asyncpg import PostgresError
    from tortoise.exceptions import BaseORMException

    return (BaseORMException, PostgresError, sqlite3.Error, OSError)


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)
