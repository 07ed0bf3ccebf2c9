"""Many rows of one table from plain values, as tortoise's `bulk_create` writes them (one
`execute_many` of one INSERT, each value through its field's `to_db_value`, defaults filled
as the model declares them), without building a model instance per row first: in a
write-behind flush that construction cost more than the statements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise import timezone
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from storage.plain_sql import marks

_MISSING = object()
# (dialect, model, fields given, conflict, update) -> the statement and its fields: a desk
# writes a few dozen shapes of rows, over and over
_STATEMENTS: dict[tuple[Any, ...], tuple[str, list[str]]] = {}


async def insert_many(conn: BaseDBAsyncClient, model: type[Model],
                      rows: Sequence[dict[str, Any]], *, conflict: Sequence[str] = (),
                      update: Sequence[str] = ()) -> None:
    """INSERT the rows (dicts of field names); with `conflict` and `update`, a row whose
    `conflict` columns exist updates those `update` columns instead (an upsert). Rows
    that name the same fields go in one statement."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    for given, group in groups.items():
        key = (conn.capabilities.dialect, model, given, tuple(conflict), tuple(update))
        if key not in _STATEMENTS:
            _STATEMENTS[key] = _statement(conn, model, given, conflict, update)
        sql, names = _STATEMENTS[key]
        fields = model._meta.fields_map
        now = timezone.now()
        values = [[fields[name].to_db_value(_value(model, name, row, now), model)
                   for name in names] for row in group]
        await conn.execute_many(sql, values)


def _statement(conn: BaseDBAsyncClient, model: type[Model], given: tuple[str, ...],
               conflict: Sequence[str], update: Sequence[str]) -> tuple[str, list[str]]:
    meta = model._meta
    names = [name for name in meta.fields_db_projection
             if name in given or not meta.fields_map[name].generated]
    unknown = set(given) - set(names)
    if unknown:
        raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
    columns = ", ".join(f'"{meta.fields_db_projection[name]}"' for name in names)
    params = ", ".join(marks(conn, len(names)))
    sql = f'INSERT INTO "{meta.db_table}" ({columns}) VALUES ({params})'
    if conflict:
        target = ", ".join(f'"{meta.fields_db_projection[c]}"' for c in conflict)
        sets = ", ".join(f'"{meta.fields_db_projection[c]}" = EXCLUDED."'
                         f'{meta.fields_db_projection[c]}"' for c in update)
        sql += f" ON CONFLICT ({target}) " + (f"DO UPDATE SET {sets}" if sets else "DO NOTHING")
    return sql, names


def _value(model: type[Model], name: str, row: dict[str, Any], now: Any) -> Any:
    value = row.get(name, _MISSING)
    if value is not _MISSING:
        return value
    field = model._meta.fields_map[name]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.default is not None:
        return field.default() if callable(field.default) else field.default
    if field.null:
        return None
    raise ValueError(f"{model.__name__}.{name} is required")
