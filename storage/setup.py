"""The setup repository: writes to the reference lists and settings an administrator edits,
bound to one transaction's connection (see core.ports.SetupRepository)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping

from tortoise.backends.base.client import BaseDBAsyncClient

from core.attributes import AttributeDefinition
from core.canned import CannedAnswer, CannedGroup
from core.catalog import Priority, TicketType
from core.names import Names
from core.people import Company, Group
from core.statuses import Status
from storage import attributes as attrs
from storage import models as m

_TICKET_FIELDS = frozenset({"status", "priority", "type_code", "group_id"})


class SetupRepository:
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn

    async def save_status(self, status: Status) -> None:
        await m.StatusRow.update_or_create(using_db=self.conn, code=status.code, defaults={
            "name": status.name, "state": status.state.value, "system": status.system,
            "pauses_sla": status.pauses_sla, "excluded_from_load": status.excluded_from_load,
            "notify_client": status.notify_client, "color": status.color,
            "position": status.position, "names": dict(status.names)})

    async def delete_status(self, code: str) -> None:
        await m.StatusRow.filter(code=code, system=False).using_db(self.conn).delete()

    async def save_priority(self, priority: Priority) -> None:
        await m.PriorityRow.update_or_create(using_db=self.conn, code=priority.code, defaults={
            "name": priority.name, "color": priority.color, "position": priority.position,
            "names": dict(priority.names)})

    async def delete_priority(self, code: str) -> None:
        await m.PriorityRow.filter(code=code).using_db(self.conn).delete()

    async def save_ticket_type(self, ticket_type: TicketType) -> None:
        await m.TicketTypeRow.update_or_create(
            using_db=self.conn, code=ticket_type.code, defaults={
                "name": ticket_type.name, "internal": ticket_type.internal,
                "position": ticket_type.position, "names": dict(ticket_type.names)})

    async def delete_ticket_type(self, code: str) -> None:
        await m.TicketTypeRow.filter(code=code).using_db(self.conn).delete()

    async def tickets_using(self, field: str, value: object) -> int:
        if field not in _TICKET_FIELDS:
            raise ValueError(f"tickets are not counted by {field!r}")
        return await m.TicketRow.filter(**{field: value}).using_db(self.conn).count()

    async def save_canned_group(self, group: CannedGroup) -> CannedGroup:
        if group.id:
            await m.CannedGroupRow.filter(id=group.id).using_db(self.conn).update(
                name=group.name, position=group.position, names=dict(group.names))
            return group
        row = await m.CannedGroupRow.create(using_db=self.conn, name=group.name,
                                            position=group.position, names=dict(group.names))
        return dataclasses.replace(group, id=row.id)

    async def delete_canned_group(self, group_id: int) -> None:
        await m.CannedAnswerRow.filter(group_id=group_id).using_db(self.conn).delete()
        await m.CannedGroupRow.filter(id=group_id).using_db(self.conn).delete()

    async def save_canned_answer(self, answer: CannedAnswer) -> CannedAnswer:
        values = {"group_id": answer.group_id, "title": answer.title, "body": answer.body,
                  "position": answer.position, "names": dict(answer.names)}
        if answer.id:
            await m.CannedAnswerRow.filter(id=answer.id).using_db(self.conn).update(**values)
            return answer
        row = await m.CannedAnswerRow.create(using_db=self.conn, **values)
        return dataclasses.replace(answer, id=row.id)

    async def delete_canned_answer(self, answer_id: int) -> None:
        await m.CannedAnswerRow.filter(id=answer_id).using_db(self.conn).delete()

    async def groups(self) -> list[Group]:
        rows = await m.GroupRow.all().using_db(self.conn).order_by("name")
        members = await m.GroupMemberRow.all().using_db(self.conn)
        return [Group(r.id, r.name, {x.employee_id for x in members if x.group_id == r.id},
                      {x.employee_id for x in members if x.group_id == r.id and x.notify},
                      r.assignment, Names(r.names), r.telegram_chat_id) for r in rows]

    async def save_group(self, group: Group) -> Group:
        if group.id:
            await m.GroupRow.filter(id=group.id).using_db(self.conn).update(
                name=group.name, assignment=group.assignment, names=dict(group.names),
                telegram_chat_id=group.telegram_chat_id)
        else:
            row = await m.GroupRow.create(using_db=self.conn, name=group.name,
                                          assignment=group.assignment,
                                          names=dict(group.names),
                                          telegram_chat_id=group.telegram_chat_id)
            group = dataclasses.replace(group, id=row.id)
        await m.GroupMemberRow.filter(group_id=group.id).using_db(self.conn).delete()
        for employee_id in sorted(group.member_ids):
            await m.GroupMemberRow.create(using_db=self.conn, group_id=group.id,
                                          employee_id=employee_id,
                                          notify=employee_id in group.notify_ids)
        return group

    async def delete_group(self, group_id: int) -> None:
        await m.GroupMemberRow.filter(group_id=group_id).using_db(self.conn).delete()
        await m.GroupRow.filter(id=group_id).using_db(self.conn).delete()

    async def save_company(self, company: Company) -> Company:
        values = {"name": company.name, "category": company.category,
                  "manager_id": company.manager_id, "email_domain": company.email_domain}
        if company.id:
            await m.CompanyRow.filter(id=company.id).using_db(self.conn).update(**values)
            return company
        row = await m.CompanyRow.create(using_db=self.conn, **values)
        return dataclasses.replace(company, id=row.id)

    async def save_settings(self, values: Mapping[str, object]) -> None:
        for key, value in values.items():
            # tortoise reads a str given for a JSONField as JSON text: encode every value
            encoded = json.dumps(value)
            query = m.SettingRow.filter(key=key).using_db(self.conn)
            if not await query.update(value=encoded):  # create() would decode it once too
                await m.SettingRow.create(using_db=self.conn, key=key, value=0)
                await query.update(value=encoded)

    async def save_attribute(self, definition: AttributeDefinition) -> None:
        await attrs.save_definition(self.conn, definition)

    async def delete_attribute(self, code: str) -> None:
        await attrs.delete_definition(self.conn, code)
