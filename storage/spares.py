"""Ids PostgreSQL's sequences gave this process that no row kept: a write-behind batch's
leftovers, or the ids of a batch that rolled back (`storage.write_behind`). Nobody else can
get them from the sequence again, so they are handed out first: a batch redone the careful way
numbers its tickets as if it had gone through at once, and a quiet desk does not burn a block
of ids per message. Lost when the process ends, as a sequence's cache is."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_spare_ids: dict[tuple[str, str], list[int]] = {}


def _database(conn: Any) -> str:
    """Which database a connection (or a transaction on one) is to: the spares of one are
    no use in another."""
    while getattr(conn, "_parent", None) is not None:
        conn = conn._parent
    host, port = getattr(conn, "host", ""), getattr(conn, "port", "")
    return f"{host}:{port}/{getattr(conn, 'database', '')}"


def take_spare(conn: Any, table: str) -> int | None:
    spares = _spare_ids.get((_database(conn), table))
    return spares.pop(0) if spares else None


def give_back(conn: Any, table: str, ids: Iterable[int]) -> None:
    spares = _spare_ids.setdefault((_database(conn), table), [])
    spares.extend(ids)
    spares.sort()
