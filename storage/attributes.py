"""Custom attribute definitions (§9.5) as rows: read for the catalog, written by setup."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from core.attributes import AttributeDefinition, AttributeKind
from core.people import Role
from storage import models as m


def definition_from_row(row: m.AttributeDefinitionRow) -> AttributeDefinition:
    roles = frozenset(Role(r) for r in row.visible_to or () if r in Role.__members__.values())
    return AttributeDefinition(
        row.code, row.name, AttributeKind(row.kind), tuple(row.options or ()),
        roles | {Role.ADMIN}, row.required, row.position, row.enabled)


async def all_definitions(conn: BaseDBAsyncClient) -> list[AttributeDefinition]:
    rows = await m.AttributeDefinitionRow.all().using_db(conn).order_by("position", "code")
    return [definition_from_row(r) for r in rows]


async def save_definition(conn: BaseDBAsyncClient, definition: AttributeDefinition) -> None:
    await m.AttributeDefinitionRow.update_or_create(
        using_db=conn, code=definition.code, defaults={
            "name": definition.name, "kind": definition.kind.value,
            "options": list(definition.options),
            "visible_to": sorted(r.value for r in definition.visible_to),
            "required": definition.required, "position": definition.position,
            "enabled": definition.enabled})


async def delete_definition(conn: BaseDBAsyncClient, code: str) -> None:
    await m.AttributeDefinitionRow.filter(code=code).using_db(conn).delete()


async def definitions() -> list[AttributeDefinition]:
    """For the panel and the API (read side, outside any unit of work)."""
    rows = await m.AttributeDefinitionRow.all().order_by("position", "code")
    return [definition_from_row(r) for r in rows]
