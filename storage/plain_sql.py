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


async def select(sql: str, values: Sequence[Any], conn: BaseDBAsyncClient | None = None
                 ) -> list[dict[str, Any]]:
    """Rows of a query with a `{}` where each value goes (on the transaction's connection
    when one is open, as tortoise's own queries)."""
    conn = conn or connections.get("default")
    return list(await conn.execute_query_dict(sql.format(*marks(conn, len(values))),
                                              list(values)))


async def execute(sql: str, values: Sequence[Any]) -> None:
    """A statement that returns no rows, with a `{}` where each value goes."""
    conn = connections.get("default")
    await conn.execute_query(sql.format(*marks(conn, len(values))), list(values))


def db_value(model: type[Model], name: str, value: Any) -> Any:
    """A value as the model's field writes it (SQLite keeps datetimes and JSON as text)."""
    return model._meta.fields_map[name].to_db_value(value, model)


def in_list(count: int) -> str:
    """`({}, {}, ...)` for an IN of `count` values."""
    return "(" + ", ".join("{}" for _ in range(count)) + ")"


def typed(model: type[Model], row: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The row with these columns read by the model's fields (SQLite gives datetimes and
    JSON as text, booleans as integers)."""
    fields = model._meta.fields_map
    for name in names:
        row[name] = fields[name].to_python_value(row[name])
    return row
