"""Rows as both the per-command repositories (`storage.repositories`) and a write-behind
batch's flush (`storage.write_behind`) write them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from core.events import Event
from core.outbox import InboundRef, OutboundMessage
from core.people import Contact
from core.tickets import Comment, HistoryEntry
from storage import mapping as mp
from storage import models as m


def _event_data(event: Event) -> dict[str, Any]:
    skip = {"ticket_id", "at", "actor"}
    values = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)
              if f.name not in skip}
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


def comment_values(comment: Comment) -> dict[str, Any]:
    """The comment's row; with the comment's id when it has one (allocated ahead)."""
    ids = {"id": comment.id} if comment.id else {}
    return {**ids, "ticket_id": comment.ticket_id, "author_kind": comment.author.kind,
            "author_id": comment.author.id, "body": comment.body, "public": comment.public,
            "channel": comment.channel, "attachments": mp.attachment_dicts(comment),
            "delivery": comment.delivery, "created_at": comment.created_at}


def history_values(h: HistoryEntry) -> dict[str, Any]:
    return {"ticket_id": h.ticket_id, "at": h.at, "actor_kind": h.actor.kind,
            "actor_id": h.actor.id, "field": h.field, "old": h.old, "new": h.new}


def event_values(e: Event) -> dict[str, Any]:
    return {"ticket_id": e.ticket_id, "name": e.name, "at": e.at, "actor_kind": e.actor.kind,
            "actor_id": e.actor.id, "data": _event_data(e)}


def outbox_values(x: OutboundMessage) -> dict[str, Any]:
    return {"channel": x.channel, "audience": x.audience.value, "kind": x.kind,
            "ticket_id": x.ticket_id, "recipient": x.recipient, "comment_id": x.comment_id,
            "payload": x.payload, "created_at": x.created_at,
            "next_attempt_at": x.created_at}


def inbound_values(ref: InboundRef) -> dict[str, Any]:
    return {"channel": ref.channel, "external_id": ref.external_id, "payload": {},
            "received_at": datetime.now(UTC), "state": "done"}


# the same as model instances, for the per-command repositories
def comment_row(comment: Comment) -> m.CommentRow:
    return m.CommentRow(**comment_values(comment))


def history_row(h: HistoryEntry) -> m.HistoryRow:
    return m.HistoryRow(**history_values(h))


def event_row(e: Event) -> m.EventRow:
    return m.EventRow(**event_values(e))


def outbox_row(x: OutboundMessage) -> m.OutboxRow:
    return m.OutboxRow(**outbox_values(x))


def inbound_row(ref: InboundRef) -> m.InboundRow:
    return m.InboundRow(**inbound_values(ref))


def contact_values(contact: Contact) -> dict[str, Any]:
    return {
        "name": contact.name, "phone": contact.phone, "email": contact.email,
        "company_id": contact.company_id, "manager_id": contact.manager_id,
        "language": contact.language, "current_ticket_id": contact.current_ticket_id,
        "wants_new_ticket": contact.wants_new_ticket,
    }


async def internal_types(conn: BaseDBAsyncClient, memo: Any) -> list[str]:
    """Codes of the internal ticket types, read once per transaction."""
    async def load() -> list[str]:
        codes = await m.TicketTypeRow.filter(internal=True).using_db(conn).values_list(
            "code", flat=True)
        return [str(code) for code in codes]
    return list(await (memo.get("tickets.internal_types", load) if memo else load()))
