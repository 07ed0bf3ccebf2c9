"""The private names of tortoise and pydantic that ChatDesk relies on are still there: a
release that moves them fails here, not in production (storage/tortoise_compat.py,
bots/telegram/lazy_types.py)."""

from __future__ import annotations

import asyncio
import logging

import pytest
from tortoise.transactions import in_transaction

from bots.telegram.lazy_types import lazy_import_supported
from storage import models as m
from storage import tortoise_compat
from storage.db import open_database
from storage.tortoise_compat import check


def test_the_installed_tortoise_has_what_a_cancelled_begin_gives_back() -> None:
    assert check() == []


def test_an_untested_tortoise_release_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tortoise_compat.tortoise, "__version__", "9.0.0")
    assert check() == ["tortoise-orm 9.0.0 is not one of ('1.1',)"]


async def test_opening_the_database_warns_of_an_untested_release(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        database: str) -> None:
    monkeypatch.setattr(tortoise_compat.tortoise, "__version__", "9.0.0")
    with caplog.at_level(logging.WARNING, logger="storage.db"):
        await open_database(database)
    assert "tortoise-orm 9.0.0 is not one of" in caplog.text


def test_the_installed_pydantic_takes_the_keywords_the_lazy_aiogram_import_passes() -> None:
    assert lazy_import_supported()


async def test_transactions_cancelled_while_they_begin_leave_the_database_usable(
        database: str) -> None:
    """tortoise's own `in_transaction` (which `update_or_create` opens) cancelled at every
    point of its begin: the next transaction still begins (before the fix, SQLite's lock stayed
    taken and it waited for ever)."""

    async def write() -> None:
        async with in_transaction("default") as conn:
            await conn.execute_query("SELECT 1")

    for steps in range(12):
        for crowded in (False, True):  # alone, or behind another transaction
            others = [asyncio.create_task(write())] if crowded else []
            task = asyncio.create_task(write())
            for _ in range(steps):
                await asyncio.sleep(0)
            task.cancel()
            await asyncio.gather(*others, task, return_exceptions=True)
            async with asyncio.timeout(5):
                await write()
                assert await m.StatusRow.all().count() > 0
