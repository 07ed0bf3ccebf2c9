"""What the VK and Viber adapters keep between runs: the long-poll position, clients the bot
may no longer write to, which comment a sent message carried (for delivery reports), and the
files an unsent outbox row has already uploaded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from core.tickets import Attachment
from storage import models as m
from storage.messenger_models import MessengerStateRow

# A comment's delivery only moves forward; "failed" always wins.
DELIVERY_ORDER = {"pending": 0, "sent": 1, "delivered": 2, "seen": 3}


class MessengerState:
    async def get(self, channel: str, key: str) -> dict[str, Any] | None:
        row = await MessengerStateRow.filter(channel=channel, key=key).first()
        return dict(row.value) if row else None

    async def put(self, channel: str, key: str, value: dict[str, Any]) -> None:
        await MessengerStateRow.update_or_create(
            channel=channel, key=key,
            defaults={"value": value, "updated_at": datetime.now(UTC)})

    async def with_prefix(self, channel: str, prefix: str) -> dict[str, dict[str, Any]]:
        """Every value whose key starts with `prefix`, by the rest of the key."""
        rows = await MessengerStateRow.filter(channel=channel, key__startswith=prefix)
        return {row.key.removeprefix(prefix): dict(row.value) for row in rows}

    async def delete(self, channel: str, key: str) -> None:
        await MessengerStateRow.filter(channel=channel, key=key).delete()

    # --- clients the bot may not write to -------------------------------------------------
    async def mark_unreachable(self, channel: str, user_id: str, reason: str) -> None:
        await self.put(channel, f"unreachable:{user_id}",
                       {"reason": reason, "since": datetime.now(UTC).isoformat()})

    async def mark_reachable(self, channel: str, user_id: str) -> None:
        await self.delete(channel, f"unreachable:{user_id}")

    async def unreachable(self, channel: str, user_id: str) -> str | None:
        """Why the client cannot be written to (e.g. "unsubscribed"), or None."""
        value = await self.get(channel, f"unreachable:{user_id}")
        return str(value.get("reason") or "unreachable") if value is not None else None

    # --- uploads of an outbox row not yet sent -------------------------------------------
    async def note_upload(self, channel: str, row_id: int, uploaded: Sequence[str],
                          unsent: Sequence[Attachment]) -> None:
        """The platform's references of the row's uploaded files, and the files it could
        not send (named in the text instead)."""
        await self.put(channel, f"upload:{row_id}", {
            "uploaded": list(uploaded), "unsent": [asdict(a) for a in unsent]})

    async def upload(self, channel: str, row_id: int
                     ) -> tuple[list[str], tuple[Attachment, ...]] | None:
        value = await self.get(channel, f"upload:{row_id}")
        if value is None:
            return None
        return ([str(ref) for ref in value.get("uploaded") or []],
                tuple(Attachment(**a) for a in value.get("unsent") or []))

    async def forget_upload(self, channel: str, row_id: int) -> None:
        await self.delete(channel, f"upload:{row_id}")

    # --- delivery reports ---------------------------------------------------------------------
    async def remember_sent(self, channel: str, token: str, comment_id: int,
                            ticket_id: int) -> None:
        await self.put(channel, f"sent:{token}", {"comment_id": comment_id,
                                                   "ticket_id": ticket_id})

    async def sent_comment(self, channel: str, token: str) -> tuple[int, int] | None:
        """The (comment id, ticket id) a sent message carried."""
        value = await self.get(channel, f"sent:{token}")
        if not value:
            return None
        return int(value["comment_id"]), int(value["ticket_id"])

    async def advance_delivery(self, comment_id: int, state: str) -> None:
        row = await m.CommentRow.filter(id=comment_id).first()
        if row is None or row.delivery == "failed":
            return
        if state == "failed" or DELIVERY_ORDER.get(state, 0) > DELIVERY_ORDER.get(
                row.delivery, 0):
            await m.CommentRow.filter(id=comment_id).update(delivery=state)


class CommentModes:
    """Clients who chose "Add a comment" after rating a ticket, in any channel: their next
    message (until a moment) is the rating's comment. Kept beside the adapters' other state,
    so it outlives a restart and holds across instances."""

    def __init__(self, state: MessengerState | None = None) -> None:
        self.state = state or MessengerState()

    async def start(self, channel: str, user_id: str, ticket_id: int, until: datetime) -> None:
        await self.state.put(channel, f"comment:{user_id}",
                             {"ticket_id": ticket_id, "until": until.isoformat()})

    async def take(self, channel: str, user_id: str, now: datetime) -> int | None:
        """The ticket this message comments on, if the client is in comment mode and it has
        not run out; either way the mode ends (it lasts one message). Of two messages at
        once, only one is the comment."""
        key = f"comment:{user_id}"
        value = await self.state.get(channel, key)
        if value is None:
            return None
        taken = await MessengerStateRow.filter(channel=channel, key=key).delete()
        until = datetime.fromisoformat(str(value.get("until")))
        if not taken or until < now:
            return None
        return int(value["ticket_id"])
