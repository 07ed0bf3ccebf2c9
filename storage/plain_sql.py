"""Plain SQL where building a tortoise query costs more than running it (the sender's reads
for every post, a write-behind batch's inserts): parameters marked as each engine wants them,
and values typed as tortoise itself reads them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model


def marks(conn: BaseDBAsyncClient, count: int) -> list[str]:
    """The parameter marks of `count` values: `?` on SQLite, `$1`, `$2`... on PostgreSQL."""
    if conn.capabilities.dialect == "postgres":
        return [f"${n}" for n in range(1, count + 1)]
    return ["?"] * count


async def select(sql: str, values: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows of a query with a `{}` where each value goes."""
    conn = connections.get("default")
    return list(await conn.execute_query_dict(sql.format(*marks(conn, len(values))),
                                              list(values)))


def typed(model: type[Model], row: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The row with these columns read by the model's fields (SQLite gives datetimes and
    JSON as text, booleans as integers)."""
    fields = model._meta.fields_map
    for name in names:
        row[name] = fields[name].to_python_value(row[name])
    return row
