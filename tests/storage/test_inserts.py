"""Rows written from plain values (the write-behind flush) come back as tortoise's own
bulk_create would have written them: defaults filled, values converted, upserts kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tortoise import connections

from storage import models as m
from storage.inserts import insert_many

AT = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


async def test_defaults_and_conversions_are_those_of_the_model(database: str) -> None:
    conn = connections.get("default")
    await insert_many(conn, m.OutboxRow, [
        {"channel": "telegram", "audience": "client", "kind": "text", "ticket_id": 7,
         "recipient": "42", "comment_id": None, "payload": {"text": "héllo", "n": [1, 2]},
         "created_at": AT, "next_attempt_at": AT}])
    row = await m.OutboxRow.get(ticket_id=7)
    assert (row.state, row.attempts, row.sent_at, row.last_error) == ("pending", 0, None, None)
    assert row.payload == {"text": "héllo", "n": [1, 2]}
    assert row.created_at == AT
    await insert_many(conn, m.ContactRow, [{"id": 500, "name": "Ann"}])
    contact = await m.ContactRow.get(id=500)
    assert contact.created_at is not None and contact.wants_new_ticket is False


async def test_an_upsert_changes_only_the_columns_named(database: str) -> None:
    conn = connections.get("default")
    await insert_many(conn, m.ContactRow, [{"id": 1, "name": "Ann", "phone": "+1"},
                                           {"id": 2, "name": "Bob", "phone": "+2"}])
    await insert_many(conn, m.ContactRow, [{"id": 1, "name": "Anna", "phone": "+9"},
                                           {"id": 3, "name": "Cid", "phone": "+3"}],
                      conflict=["id"], update=["name"])
    rows = await m.ContactRow.all().order_by("id").values_list("id", "name", "phone")
    assert rows == [(1, "Anna", "+1"), (2, "Bob", "+2"), (3, "Cid", "+3")]


async def test_a_field_the_model_lacks_is_refused(database: str) -> None:
    with pytest.raises(ValueError, match="no fields"):
        await insert_many(connections.get("default"), m.ContactRow, [{"nickname": "x"}])
