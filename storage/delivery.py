"""What the outbox relay and the channel adapters keep: due outbox rows and their outcomes,
comment delivery state, and the Telegram topic of each ticket."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.functions import Count, Min

from core.clean import without_nul
from core.outbox import Audience, OutboundMessage
from storage import models as m
from storage.inserts import insert_many
from storage.leadership import Fence, fence_sql
from storage.messenger_state import MessengerState
from storage.plain_sql import db_value, execute, in_list, select, typed
from storage.uow import transaction

_PENDING_FIELDS = ("id", "channel", "audience", "kind", "ticket_id", "created_at", "recipient",
                   "comment_id", "payload", "attempts", "next_attempt_at")
_PENDING_TYPED = ("created_at", "payload", "next_attempt_at")


@dataclass(frozen=True)
class Pending:
    message: OutboundMessage
    attempts: int
    next_attempt_at: datetime


class OutboxStore:
    async def pending(self, channel: str, limit: int = 1000, after_id: int = 0) -> list[Pending]:
        """The oldest pending rows of a channel, due or not (the relay keeps per-destination
        order, so a row waiting for its retry holds back the rows behind it); only those with
        an id above `after_id`, for a relay that has read the ones before."""
        return await self._pending(
            "channel = {} AND state = 'pending' AND id > {} ORDER BY id LIMIT {}",
            [channel, after_id, limit])

    async def pending_ids(self, channel: str, limit: int = 1000) -> list[int]:
        """The ids of the oldest pending rows of a channel: what a relay that holds most of
        them asks to learn which to drop and which to read."""
        return [int(r["id"]) for r in await select(
            "SELECT id FROM outbox WHERE channel = {} AND state = 'pending' ORDER BY id"
            " LIMIT {}", [channel, limit])]

    async def pending_by_id(self, ids: Sequence[int]) -> list[Pending]:
        """Those of these rows still pending, in id order."""
        if not ids:
            return []
        return await self._pending(f"id IN {in_list(len(ids))} AND state = 'pending' ORDER BY id",
                                   list(ids))

    @staticmethod
    async def _pending(where: str, values: list[Any]) -> list[Pending]:
        # plain SQL: the relay reads these many times a second
        rows = await select(f"SELECT {', '.join(_PENDING_FIELDS)} FROM outbox WHERE {where}",
                            values)
        return [Pending(OutboundMessage(
            channel=r["channel"], audience=Audience(r["audience"]), kind=r["kind"],
            ticket_id=r["ticket_id"], created_at=r["created_at"], recipient=r["recipient"],
            comment_id=r["comment_id"], payload=dict(r["payload"] or {}), id=r["id"]),
            r["attempts"], r["next_attempt_at"])
            for r in (typed(m.OutboxRow, r, _PENDING_TYPED) for r in rows)]

    async def claim(self, ids: Sequence[int], claimer: str, fence: Fence | None) -> set[int]:
        """Take these pending rows for sending; returns the ids taken. A row is taken unless
        another relay holds it, or held it under an older leader's token (that leader is
        gone: its rows are taken over). With `fence`, nothing is taken unless it still holds
        the live lease: a leader that lost it stops claiming at once."""
        if not ids:
            return set()
        conn = connections.get("default")
        token = fence.token if fence else 0
        where, values = fence_sql(conn, fence) if fence else ("TRUE", [])
        rows = await select(
            f"UPDATE outbox SET claim_token = {{}}, claimed_by = {{}} WHERE id IN"
            f" {in_list(len(ids))} AND state = 'pending' AND (claimed_by IS NULL OR"
            f" claimed_by = {{}} OR claim_token < {{}}) AND {where} RETURNING id",
            [token, claimer, *ids, claimer, token, *values])
        return {int(r["id"]) for r in rows}

    async def unclaim(self, ids: Sequence[int], claimer: str) -> None:
        """Let go of rows taken but not sent (another relay may send them)."""
        if ids:
            await execute(f"UPDATE outbox SET claim_token = NULL, claimed_by = NULL WHERE id IN"
                          f" {in_list(len(ids))} AND claimed_by = {{}}", [*ids, claimer])

    async def record_sent(self, ids: Sequence[int], comment_ids: Sequence[int],
                          at: datetime) -> None:
        """Messages sent, and the client comments they carried, in one transaction: what the
        relay's deliveries finished meanwhile, written together."""
        if not ids and not comment_ids:
            return
        async with transaction():
            if ids:
                await execute(f"UPDATE outbox SET state = 'sent', sent_at = {{}},"
                              f" claim_token = NULL, claimed_by = NULL"
                              f" WHERE id IN {in_list(len(ids))}",
                              [db_value(m.OutboxRow, "sent_at", at), *ids])
            if comment_ids:
                wanted = sorted(set(comment_ids))
                await execute(f"UPDATE comments SET delivery = 'sent' WHERE id IN"
                              f" {in_list(len(wanted))} AND delivery IN ('pending', 'sent')",
                              wanted)

    async def mark_retry(self, message_id: int, attempts: int, next_at: datetime,
                         error: str) -> None:
        await m.OutboxRow.filter(id=message_id).update(
            attempts=attempts, next_attempt_at=next_at, last_error=error[:2000],
            claim_token=None, claimed_by=None)

    async def mark_failed(self, message_id: int, attempts: int, error: str) -> None:
        await m.OutboxRow.filter(id=message_id).update(
            state="failed", attempts=attempts, last_error=error[:2000], claim_token=None,
            claimed_by=None)

    async def add(self, messages: Sequence[OutboundMessage]) -> None:
        await m.OutboxRow.bulk_create([
            m.OutboxRow(channel=x.channel, audience=x.audience.value, kind=x.kind,
                        ticket_id=x.ticket_id, recipient=x.recipient, comment_id=x.comment_id,
                        payload=x.payload, created_at=x.created_at,
                        next_attempt_at=x.created_at)
            for x in messages])

    async def backlog(self) -> dict[str, tuple[int, datetime | None]]:
        rows = await m.OutboxRow.filter(state="pending").annotate(
            n=Count("id"), oldest=Min("created_at")).group_by("channel").values(
            "channel", "n", "oldest")
        return {r["channel"]: (r["n"], r["oldest"]) for r in rows}

    async def set_comment_delivery(self, comment_id: int, state: str) -> None:
        query = m.CommentRow.filter(id=comment_id)
        if state == "sent":  # the platform's delivered / seen report may have come first
            query = query.filter(delivery__in=("pending", "sent"))
        await query.update(delivery=state)


@dataclass
class Topic:
    ticket_id: int
    chat_id: int
    thread_id: int
    card_message_id: int | None = None
    title: str = ""
    closed: bool = False


class TopicStore:
    """Which forum topic (and card message) belongs to which ticket, and the topic a ticket
    left behind in the other line's group (kept so that it returns to it, not to a new one).

    With `cache`, the topics read or saved are held in memory, for the one writer of topics
    (the Telegram sender, which looks one up for every post): it reads each topic once. It
    holds the `cache_size` used last (a desk's tickets grow without end; its memory must
    not)."""

    cache_size = 10_000

    def __init__(self, cache: bool = False) -> None:
        self._cache: OrderedDict[int, Topic] | None = OrderedDict() if cache else None

    @staticmethod
    def _topic(row: m.TelegramTopicRow) -> Topic:
        return Topic(row.ticket_id, row.chat_id, row.thread_id, row.card_message_id,
                     row.title, row.closed)

    async def for_ticket(self, ticket_id: int) -> Topic | None:
        if self._cache is not None and ticket_id in self._cache:
            self._cache.move_to_end(ticket_id)
            return replace(self._cache[ticket_id])  # a copy: the caller may change it
        rows = await select("SELECT ticket_id, chat_id, thread_id, card_message_id, title,"
                            " closed FROM telegram_topics WHERE ticket_id = {}", [ticket_id])
        topic = Topic(**typed(m.TelegramTopicRow, rows[0], ("closed",))) if rows else None
        if topic is not None:
            self._keep(topic)
        return topic

    async def for_thread(self, chat_id: int, thread_id: int) -> Topic | None:
        row = await m.TelegramTopicRow.filter(chat_id=chat_id, thread_id=thread_id).first()
        return self._topic(row) if row else None

    async def save(self, topic: Topic) -> None:
        values = {"chat_id": topic.chat_id, "thread_id": topic.thread_id,
                  "card_message_id": topic.card_message_id, "title": topic.title,
                  "closed": topic.closed}
        await insert_many(connections.get("default"), m.TelegramTopicRow,
                          [{"ticket_id": topic.ticket_id, **values}], conflict=["ticket_id"],
                          update=list(values))
        self._keep(topic)

    def _keep(self, topic: Topic) -> None:
        if self._cache is None:
            return
        self._cache[topic.ticket_id] = replace(topic)
        self._cache.move_to_end(topic.ticket_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    async def park(self, topic: Topic) -> None:
        """Remember a topic the ticket leaves for the other group, one per ticket and group."""
        await MessengerState().put("telegram", _parked_key(topic.ticket_id, topic.chat_id), {
            "thread_id": topic.thread_id, "card_message_id": topic.card_message_id,
            "title": topic.title, "closed": topic.closed})

    async def parked(self, ticket_id: int, chat_id: int) -> Topic | None:
        """The topic the ticket had in this group before it moved to the other one."""
        value = await MessengerState().get("telegram", _parked_key(ticket_id, chat_id))
        if value is None:
            return None
        return Topic(ticket_id, chat_id, int(value["thread_id"]), value.get("card_message_id"),
                     str(value.get("title") or ""), bool(value.get("closed")))


def _parked_key(ticket_id: int, chat_id: int) -> str:
    return f"topic:{ticket_id}:{chat_id}"


class ParkedUpdates:
    """Platform updates whose handling crashed: kept with the error for a retry."""

    async def park(self, channel: str, external_id: str, payload: dict[str, Any],
                   error: str) -> None:
        """Keep the update and its error. Its content cannot make this fail (a NUL that
        PostgreSQL refuses): parking is where an update that cannot be handled goes."""
        external_id, payload, error = without_nul((external_id[:100], payload, error))
        row = await m.InboundRow.filter(channel=channel, external_id=external_id).first()
        if row is None:
            await m.InboundRow.create(channel=channel, external_id=external_id, payload=payload,
                                      received_at=datetime.now(UTC), state="failed",
                                      attempts=1, last_error=error[:4000])
        elif row.state == "failed":
            row.attempts += 1
            row.last_error = error[:4000]
            await row.save(update_fields=["attempts", "last_error"])

    async def failed(self, channel: str | None = None) -> list[tuple[str, str, str]]:
        query = m.InboundRow.filter(state="failed")
        if channel:
            query = query.filter(channel=channel)
        rows = await query.order_by("id")
        return [(r.channel, r.external_id, r.last_error or "") for r in rows]

    async def payloads(self, channel: str) -> list[tuple[str, dict[str, Any]]]:
        """The parked updates of a channel, oldest first: (external id, payload)."""
        rows = await m.InboundRow.filter(channel=channel, state="failed").order_by("id")
        return [(r.external_id, dict(r.payload)) for r in rows]

    async def take(self, channel: str, external_id: str) -> dict[str, Any] | None:
        """Remove a parked update to process it again; returns its payload."""
        row = await m.InboundRow.filter(channel=channel, external_id=external_id,
                                        state="failed").first()
        if row is None:
            return None
        await row.delete()
        return dict(row.payload)
