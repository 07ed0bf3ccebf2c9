"""Writing a generated desk (chatdesk.demo_bulk_plan) set-based: a few thousand rows per
INSERT ... executemany, without a model or a field conversion per value, each group in its
own transaction, on the connection tortoise uses; then PostgreSQL's id sequences are moved
past the ids written."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tortoise import connections
from tortoise.fields import JSONField
from tortoise.models import Model
from tortoise.transactions import in_transaction

from storage import models as m
from storage.plain_sql import marks

TABLES: dict[str, type[Model]] = {
    "contacts": m.ContactRow, "identities": m.IdentityRow, "tickets": m.TicketRow,
    "comments": m.CommentRow, "history": m.HistoryRow,
}
CHUNK = 5000


async def first_ids() -> dict[str, int]:
    """The next free id of each table the generator writes."""
    conn = connections.get("default")
    ids = {}
    for name, model in TABLES.items():
        rows = await conn.execute_query_dict(
            f'SELECT COALESCE(MAX(id), 0) AS top FROM "{model._meta.db_table}"')
        ids[name] = int(rows[0]["top"]) + 1
    return ids


async def write_rows(rows: dict[str, Sequence[dict[str, Any]]], chunk: int = CHUNK) -> int:
    """Insert every table's rows, `chunk` rows per statement group and transaction; returns
    how many rows were written. The rows name every column, with values as the drivers take
    them (aware datetimes, booleans); JSON columns are encoded here. Table `current` sets
    contacts' current tickets (written after the tickets they point to)."""
    written = 0
    if rows.get("current"):
        await _current_tickets(rows["current"], chunk)
    for name, model in TABLES.items():
        table = rows.get(name, ())
        if not table:
            continue
        columns = list(table[0])
        sql = _insert(model, columns)
        encode = [_json if isinstance(model._meta.fields_map[c], JSONField) else None
                  for c in columns]
        for start in range(0, len(table), chunk):
            values = [[v if e is None else e(v) for v, e in zip(row.values(), encode,
                                                               strict=True)]
                      for row in table[start:start + chunk]]
            async with in_transaction("default") as conn:
                await conn.execute_many(sql, values)
            written += len(values)
    return written


async def _current_tickets(rows: Sequence[dict[str, Any]], chunk: int) -> None:
    conn = connections.get("default")
    a, b = marks(conn, 2)
    sql = f'UPDATE "contacts" SET "current_ticket_id" = {a} WHERE "id" = {b}'
    for start in range(0, len(rows), chunk):
        async with in_transaction("default") as tx:
            await tx.execute_many(sql, [[r["current_ticket_id"], r["id"]]
                                        for r in rows[start:start + chunk]])


async def finish_bulk_load() -> None:
    """After the last rows: PostgreSQL's sequences past them, and fresh planner statistics
    for the figures that follow."""
    await _move_sequences()
    for model in TABLES.values():
        await connections.get("default").execute_script(f'ANALYZE "{model._meta.db_table}"')


def _insert(model: type[Model], columns: list[str]) -> str:
    conn = connections.get("default")
    names = ", ".join(f'"{model._meta.fields_db_projection[c]}"' for c in columns)
    return (f'INSERT INTO "{model._meta.db_table}" ({names}) '
            f'VALUES ({", ".join(marks(conn, len(columns)))})')


def _json(value: Any) -> str:
    return "[]" if value == [] else "{}" if value == {} else json.dumps(value)


async def _move_sequences() -> None:
    conn = connections.get("default")
    if conn.capabilities.dialect != "postgres":
        return  # SQLite's rowids follow the largest id by themselves
    for model in TABLES.values():
        table = model._meta.db_table
        await conn.execute_query(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))')
