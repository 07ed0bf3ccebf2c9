"""Opening and migrating the database: SQLite by default, PostgreSQL via DATABASE_URL."""

from __future__ import annotations

import logging
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate as tortoise_migrate

from storage.rule_repositories import WRITTEN
from storage.tortoise_compat import check as check_tortoise
from storage.tortoise_compat import install as install_tortoise_fixes

log = logging.getLogger(__name__)

MODELS = ["storage.models", "storage.rule_models", "storage.messenger_models",
          "storage.callback_models", "storage.lease_models"]


def tortoise_config(url: str) -> dict[str, Any]:
    return {
        "connections": {"default": url},
        "apps": {
            "models": {
                "models": MODELS,
                "default_connection": "default",
                "migrations": "storage.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def open_database(url: str) -> None:
    for problem in check_tortoise():
        log.warning("%s: a cancelled transaction may keep its lock (storage/tortoise_compat.py)",
                    problem)
    install_tortoise_fixes()
    # Tortoise caches compiled statements per connection *name*; opening another engine
    # under the same name in one process (tests do) must not reuse SQLite's placeholders.
    EXECUTOR_CACHE.clear()
    WRITTEN.clear()  # what another database had
    await Tortoise.init(config=tortoise_config(url))
    # Connect now rather than on the first query: a task cancelled while tortoise connects
    # inside a transaction's start would keep SQLite's transaction lock (storage/uow.py).
    await Tortoise.get_connection("default").execute_query("SELECT 1")


async def close_database() -> None:
    await Tortoise.close_connections()


async def migrate(url: str) -> list[str]:
    """Apply every pending migration; returns the names applied."""
    applied: list[str] = []

    def progress(event: str, app: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app}.{name}")

    EXECUTOR_CACHE.clear()
    await tortoise_migrate(config=tortoise_config(url), progress=progress)
    await Tortoise.close_connections()
    return applied
