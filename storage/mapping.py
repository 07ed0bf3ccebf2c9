"""Row <-> core object conversions."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace  # a row read as plain values
from typing import Any

from core.canned import CannedAnswer, CannedGroup
from core.catalog import Priority, TicketType
from core.names import Names
from core.outbox import Audience, OutboundMessage
from core.people import Actor, ActorKind, Company, Contact, Employee, Identity, Role
from core.statuses import ObjectState, Status
from core.tickets import Attachment, Comment, HistoryEntry, Ticket
from storage import models as m

TICKET_FIELDS = (
    "subject", "channel", "contact_id", "status", "priority", "type_code", "line",
    "responsible_id", "group_id", "attributes", "on_hold_until", "resolved_at", "closed_at",
    "linked_from_id", "line1_responsible_id", "rating", "rating_comment", "planned_reaction_at",
    "planned_resolution_at", "resolution_set_by_hand", "created_at", "reacted_at",
)


def ticket_from_row(row: m.TicketRow | SimpleNamespace) -> Ticket:
    values = {name: getattr(row, name) for name in TICKET_FIELDS}
    return Ticket(**values, observer_ids=set(row.observer_ids or ()),
                  observer_group_ids=set(row.observer_group_ids or ()),
                  id=row.id, version=row.version)


def ticket_values(ticket: Ticket) -> dict[str, Any]:
    values = {name: getattr(ticket, name) for name in TICKET_FIELDS}
    values["observer_ids"] = sorted(ticket.observer_ids)
    values["observer_group_ids"] = sorted(ticket.observer_group_ids)
    return values


def actor(kind: str, actor_id: int | None) -> Actor:
    return Actor(ActorKind(kind), actor_id)


def comment_from_row(row: m.CommentRow) -> Comment:
    return Comment(
        ticket_id=row.ticket_id, author=actor(row.author_kind, row.author_id), body=row.body,
        public=row.public, channel=row.channel, created_at=row.created_at,
        attachments=tuple(Attachment(**a) for a in row.attachments or ()), id=row.id,
        delivery=row.delivery,
    )


def attachment_dicts(comment: Comment) -> list[dict[str, Any]]:
    return [
        {"kind": a.kind, "ref": a.ref, "name": a.name, "mime_type": a.mime_type,
         "size": a.size}
        for a in comment.attachments
    ]


def history_from_row(row: m.HistoryRow) -> HistoryEntry:
    return HistoryEntry(row.ticket_id, row.at, actor(row.actor_kind, row.actor_id), row.field,
                        row.old, row.new)


def contact_from_row(row: m.ContactRow | SimpleNamespace,
                     identities: Sequence[m.IdentityRow | SimpleNamespace]) -> Contact:
    return Contact(
        id=row.id, name=row.name, phone=row.phone, email=row.email, company_id=row.company_id,
        manager_id=row.manager_id, language=row.language,
        identities=[Identity(i.channel, i.external_id) for i in identities],
        current_ticket_id=row.current_ticket_id, wants_new_ticket=row.wants_new_ticket,
    )


def company_from_row(row: m.CompanyRow) -> Company:
    return Company(row.id, row.name, row.category, row.manager_id, row.email_domain)


def employee_from_row(row: m.EmployeeRow, group_ids: set[int]) -> Employee:
    return Employee(row.id, row.name, row.login, Role(row.role), row.active, row.telegram_id,
                    row.password_hash, group_ids)


def status_from_row(row: m.StatusRow) -> Status:
    return Status(row.code, row.name, ObjectState(row.state), row.system, row.pauses_sla,
                  row.excluded_from_load, row.color, row.position, row.notify_client,
                  Names(row.names))


def priority_from_row(row: m.PriorityRow) -> Priority:
    return Priority(row.code, row.name, row.color, row.position, Names(row.names))


def type_from_row(row: m.TicketTypeRow) -> TicketType:
    return TicketType(row.code, row.name, row.internal, row.position, Names(row.names))


def canned_group_from_row(row: m.CannedGroupRow) -> CannedGroup:
    return CannedGroup(row.id, row.name, row.position, Names(row.names))


def canned_answer_from_row(row: m.CannedAnswerRow) -> CannedAnswer:
    return CannedAnswer(row.id, row.group_id, row.title, row.body, row.position,
                        Names(row.names))


def outbound_from_row(row: m.OutboxRow) -> OutboundMessage:
    return OutboundMessage(
        channel=row.channel, audience=Audience(row.audience), kind=row.kind,
        ticket_id=row.ticket_id, created_at=row.created_at, recipient=row.recipient,
        comment_id=row.comment_id, payload=dict(row.payload or {}), id=row.id,
    )
