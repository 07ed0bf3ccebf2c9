"""Shared fixtures. `database` runs a test once on SQLite and once on PostgreSQL: the same
integration tests on both engines. PostgreSQL comes from CHATDESK_TEST_POSTGRES_URL (default
the local server); when it cannot be reached the PostgreSQL runs are skipped, unless
CHATDESK_REQUIRE_POSTGRES=1 (CI), where they fail."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from tortoise import Tortoise

import bots.telegram  # noqa: F401 - aiogram imported as the product does (lazy_types.py)
from storage.db import migrate, open_database
from storage.seed import ensure_reference_data

PG_ADMIN_URL = os.environ.get(
    "CHATDESK_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("CHATDESK_REQUIRE_POSTGRES") == "1"


def _pg_url(dbname: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{dbname}"


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://", 1),
                                 timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _run_sync(coro_fn: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine to completion in a thread of its own (asyncpg only: tortoise's state
    is global and must stay on the test loop)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(coro_fn())).result()


_template: dict[str, str | None] = {}
_sqlite_template: dict[str, Path] = {}


async def sqlite_template() -> Path:
    """A migrated SQLite file with reference data, made once per process (migrating takes
    seconds); each SQLite test copies it."""
    if "path" not in _sqlite_template:
        path = Path(tempfile.mkdtemp(prefix="chatdesk-template-")) / "chatdesk.sqlite3"
        url = f"sqlite://{path}"
        await migrate(url)
        await open_database(url)
        await ensure_reference_data()
        await Tortoise.close_connections()
        _sqlite_template["path"] = path
    return _sqlite_template["path"]


async def _pg_template() -> str | None:
    """A migrated template database for this test run, made on first use; each PostgreSQL
    test clones it. None when PostgreSQL is unreachable (and not required)."""
    if "name" in _template:
        return _template["name"]
    name = f"chatdesk_tpl_{uuid.uuid4().hex[:8]}"
    try:
        await _pg_admin(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required but unreachable at {PG_ADMIN_URL}: {exc}")
        _template["name"] = None
        return None
    url = _pg_url(name)
    await migrate(url)
    await open_database(url)
    await ensure_reference_data()
    await Tortoise.close_connections()
    _template["name"] = name
    return name


@pytest.fixture(scope="session", autouse=True)
def _drop_pg_template() -> Iterator[None]:
    yield
    name = _template.get("name")
    if name:
        _run_sync(lambda: _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _open_test_database(kind: str, tmp_path: Path,
                              request: pytest.FixtureRequest) -> AsyncIterator[str]:
    if kind == "sqlite":
        target = tmp_path / "chatdesk.sqlite3"
        shutil.copyfile(await sqlite_template(), target)
        url = f"sqlite://{target}"
        dropped = None
    else:
        pg_template = await _pg_template()
        if pg_template is None:
            pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}")
        dropped = f"chatdesk_t_{uuid.uuid4().hex[:10]}"
        await _pg_admin(f'CREATE DATABASE "{dropped}" TEMPLATE "{pg_template}"')
        url = _pg_url(dropped)
    await open_database(url)
    await ensure_reference_data()
    try:
        yield url
    finally:
        await Tortoise.close_connections()
        if dropped:
            await _pg_admin(f'DROP DATABASE IF EXISTS "{dropped}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty, migrated database with reference data, opened for tortoise; yields its URL."""
    async for url in _open_test_database(request.param, tmp_path, request):
        yield url


@pytest.fixture
async def postgres_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[str]:
    """The same, PostgreSQL only: for what needs several real connections."""
    async for url in _open_test_database("postgres", tmp_path, request):
        yield url
