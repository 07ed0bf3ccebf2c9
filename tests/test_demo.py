"""The demo data set: loaded through the desk's commands, it gives the panel and the reports
something real to show, on SQLite and on PostgreSQL, the same for the same seed."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from chatdesk.demo import load_demo
from chatdesk.demo_people import make_contacts
from storage import models as m
from storage.admin import DatabaseSummary, database_summary
from storage.db import close_database, open_database
from tests.conftest import sqlite_template

REPO = Path(__file__).resolve().parents[1]
END = datetime(2026, 3, 20, 15, 30, tzinfo=UTC)
MESSENGERS = {"telegram", "vk", "viber"}


@pytest.fixture(autouse=True)
def fresh_query_cache() -> Iterator[None]:
    """tortoise caches each table's INSERT statement by connection name ("default"), whatever
    the engine, and never forgets it: after a SQLite insert in this process, PostgreSQL
    inserts would go out with SQLite's `?` placeholders. Start and end clean."""
    EXECUTOR_CACHE.clear()
    yield
    EXECUTOR_CACHE.clear()


def chatdesk(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "LANG": "C.UTF-8", "PYTHONPATH": str(REPO), "CHATDESK_DATA_DIR": str(home / "data")}
    return subprocess.run([sys.executable, "-m", "chatdesk.cli", *args], cwd=home, env=env,
                          capture_output=True, text=True, timeout=180)


async def _summary(url: str) -> DatabaseSummary:
    await open_database(url)
    try:
        return await database_summary()
    finally:
        await close_database()


def test_demo_fills_an_empty_sqlite_desk_once(tmp_path: Path):
    first = chatdesk(tmp_path, "demo", "--if-empty")
    url = f"sqlite://{tmp_path / 'data' / 'chatdesk.sqlite3'}"
    loaded = asyncio.run(_summary(url))
    second = chatdesk(tmp_path, "demo", "--if-empty")
    again = asyncio.run(_summary(url))

    assert first.returncode == 0, first.stderr
    assert "demo: 300 tickets from 120 contacts" in first.stdout
    assert "'admin' with the password 'admin'" in first.stderr  # the warning to change it
    assert loaded.tickets >= 300
    assert set(loaded.by_channel) >= MESSENGERS
    assert len(loaded.by_status) >= 5
    assert loaded.public_comments > loaded.tickets
    assert loaded.private_comments > 0 and loaded.rated_tickets > 0
    assert loaded.history_entries > 2 * loaded.tickets
    assert loaded.contacts == 120 and loaded.employees == 7 and loaded.groups == 2
    assert second.returncode == 0, second.stderr
    assert "already has 300 tickets; nothing to do" in second.stdout
    assert again == loaded


async def _fingerprint() -> list[tuple[Any, ...]]:
    tickets = await m.TicketRow.all().order_by("id").values_list(
        "id", "subject", "channel", "contact_id", "status", "line", "responsible_id",
        "type_code", "priority", "rating", "created_at")
    comments = await m.CommentRow.all().order_by("id").values_list(
        "ticket_id", "author_kind", "author_id", "public", "body", "created_at")
    history = await m.HistoryRow.all().order_by("id").values_list(
        "ticket_id", "field", "old", "new", "at")
    return [*tickets, *comments, *history]


async def _load_into(path: Path, seed: int) -> list[tuple[Any, ...]]:
    shutil.copyfile(await sqlite_template(), path)  # migrated, with reference data
    await open_database(f"sqlite://{path}")
    try:
        result = await load_demo(25, seed, end=END)
        assert result.failed_steps == 0
        return await _fingerprint()
    finally:
        await close_database()


async def test_the_same_seed_gives_the_same_desk(tmp_path: Path):
    first = await _load_into(tmp_path / "a.sqlite3", seed=7)
    second = await _load_into(tmp_path / "b.sqlite3", seed=7)

    assert first == second
    assert make_contacts(random.Random(7), 20) != make_contacts(random.Random(8), 20)


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_demo_on_postgresql_has_every_kind_of_ticket(database: str):
    result = await load_demo(60, 3, end=END)
    again = await load_demo(60, 3, end=END, if_empty=True)
    summary = await database_summary()

    assert result.failed_steps == 0 and result.tickets == summary.tickets == 60
    assert again.skipped and again.existing_tickets == 60
    assert set(summary.by_channel) >= MESSENGERS | {"agent"}
    assert {"open", "on_hold", "resolved", "closed"} <= set(summary.by_status)
    assert summary.by_line.get(2, 0) > 0
    on_hold = await m.TicketRow.filter(status="on_hold").values_list("on_hold_until", flat=True)
    assert on_hold and all(until > END for until in on_hold)
    assert await m.TicketRow.filter(type_code="internal").exists()
    reopened = m.HistoryRow.filter(field="status", new="open", old__in=["resolved", "closed"])
    assert await reopened.exists()
    assert not (await m.EmployeeRow.get(login="mark")).active
    bodies = await m.CommentRow.all().values_list("body", flat=True)
    assert not any("{{" in body or "{client}" in body for body in bodies)
    names = await m.ContactRow.all().values_list("name", flat=True)
    assert any("\u0400" <= ch <= "\u04ff" for name in names for ch in name)  # Cyrillic
    assert any("\u0600" <= ch <= "\u06ff" for name in names for ch in name)  # Persian
