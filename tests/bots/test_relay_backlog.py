"""The outbox relay under a backlog: it reads each pending row about once instead of the
whole backlog on every wake, and still delivers every message once, in order per
destination, including one committed out of id order and one that had to be retried."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from bots.relay import OutboxRelay, Outcome, Retry, Sent
from chatdesk.bootstrap import SystemClock
from core.outbox import Audience, OutboundMessage
from storage import models as m
from storage.delivery import OutboxStore, Pending
from storage.uow import batch

CHANNEL = "backlog"


class CountingStore(OutboxStore):
    """The real store, counting the rows the relay reads."""

    def __init__(self) -> None:
        self.rows_read = 0

    async def pending(self, channel: str, limit: int = 1000, after_id: int = 0) -> list[Pending]:
        rows = await super().pending(channel, limit, after_id)
        self.rows_read += len(rows)
        return rows

    async def pending_by_id(self, ids: Sequence[int]) -> list[Pending]:
        rows = await super().pending_by_id(ids)
        self.rows_read += len(rows)
        return rows


class FlakyStore(OutboxStore):
    """The real store, whose first commit of sent marks fails (the database went away)."""

    def __init__(self) -> None:
        self.failed = False

    async def record_sent(self, ids: Sequence[int], comment_ids: Sequence[int],
                          at: datetime) -> None:
        if not self.failed:
            self.failed = True
            raise ConnectionError("the database went away")
        await super().record_sent(ids, comment_ids, at)


@dataclass
class FakeSender:
    """Delivers one message per call after `delay` seconds; the messages in `refuse_once` get
    a Retry the first time."""

    delay: float = 0.0
    refuse_once: set[str] = field(default_factory=set)
    retry_after: float = 0.3
    channel: str = CHANNEL
    tries: list[tuple[str, str, float]] = field(default_factory=list)  # text, outcome, time
    delivered: dict[str, list[str]] = field(default_factory=dict)

    def destination(self, message: OutboundMessage) -> str:
        return str(message.recipient)

    async def send(self, messages: Sequence[OutboundMessage]) -> list[Outcome]:
        await asyncio.sleep(self.delay)
        message, now = messages[0], asyncio.get_running_loop().time()
        text = str(message.payload["text"])
        if text in self.refuse_once:
            self.refuse_once.discard(text)
            self.tries.append((text, "retry", now))
            return [Retry("busy", after=self.retry_after)]
        self.tries.append((text, "sent", now))
        self.delivered.setdefault(self.destination(message), []).append(text)
        return [Sent()]

    def first(self, text: str, outcome: str = "sent") -> float:
        return next(t for x, o, t in self.tries if x == text and o == outcome)


def message(recipient: str, text: str) -> OutboundMessage:
    return OutboundMessage(CHANNEL, Audience.CLIENT, "text", 1, SystemClock().now(), recipient,
                           payload={"text": text})


async def commit(*messages: OutboundMessage) -> None:
    """Queue messages in a transaction of their own: its commit wakes the relay."""
    async with batch():
        await OutboxStore().add(messages)


async def eventually(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - the fake sender signals nothing
            await asyncio.sleep(0.01)


@asynccontextmanager
async def running(relay: OutboxRelay, commit_every: float = 0.005) -> AsyncIterator[None]:
    """The relay at work, woken by a commit every `commit_every` seconds (as a busy desk
    would wake it) besides its own wake-ups."""

    async def keep_committing() -> None:
        while True:
            await commit()
            await asyncio.sleep(commit_every)

    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(keep_committing())]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_backlog_is_read_about_once_and_each_message_is_delivered_once_in_order(
        database: str) -> None:
    destinations, queued, arriving = 30, 300, 100
    await commit(*[message(f"client {n % destinations}", f"{n % destinations}:{n // destinations}")
                   for n in range(queued)])
    store, sender = CountingStore(), FakeSender(delay=0.01)
    relay = OutboxRelay(sender, SystemClock(), store, poll_interval=1.0, concurrency=4,
                        min_interval=0.01)
    started = asyncio.get_running_loop().time()
    async with running(relay):
        for n in range(queued, queued + arriving):  # more arrive, a commit each
            await commit(message(f"client {n % destinations}",
                                 f"{n % destinations}:{n // destinations}"))
            await asyncio.sleep(0.005)
        await eventually(lambda: len(sender.tries) >= queued + arriving)
        seconds = asyncio.get_running_loop().time() - started
        await asyncio.sleep(0.1)  # a few more wakes: nothing goes out twice

    total = queued + arriving
    assert len(sender.tries) == total
    assert sender.delivered == {
        f"client {d}": [f"{d}:{k}" for k in range(len(range(d, total, destinations)))]
        for d in range(destinations)}
    assert not await m.OutboxRow.filter(channel=CHANNEL, state="pending").count()
    # a re-read every poll_interval reads the ids, and only the rows not held
    assert store.rows_read < 1.5 * total, (store.rows_read, seconds)


async def test_deliveries_that_finish_together_record_their_sends_in_one_commit(
        database: str) -> None:
    destinations = 40
    await commit(*[message(f"client {n}", f"hello {n}") for n in range(destinations)])
    sender = FakeSender(delay=0.02)
    relay = OutboxRelay(sender, SystemClock(), concurrency=destinations, min_interval=0.01)
    async with running(relay, commit_every=0.05):
        await eventually(lambda: len(sender.tries) == destinations)
        await asyncio.sleep(0.2)

    assert not await m.OutboxRow.filter(channel=CHANNEL, state="pending").count()
    assert await m.OutboxRow.filter(channel=CHANNEL, state="sent").count() == destinations
    assert relay.marks.commits <= destinations // 4, relay.marks.commits


async def test_sends_whose_record_failed_are_sent_again_never_lost(database: str) -> None:
    await commit(*[message(f"client {n}", f"hello {n}") for n in range(5)])
    sender = FakeSender(delay=0.01)
    relay = OutboxRelay(sender, SystemClock(), FlakyStore(), poll_interval=0.2,
                        min_interval=0.01)
    async with running(relay, commit_every=0.05):
        await eventually(lambda: all(f"client {n}" in sender.delivered for n in range(5)))
        await eventually(lambda: len(sender.tries) > 5)  # those whose record failed: again
        await asyncio.sleep(0.5)

    assert not await m.OutboxRow.filter(channel=CHANNEL, state="pending").count()
    assert {d: set(texts) for d, texts in sender.delivered.items()} == {
        f"client {n}": {f"hello {n}"} for n in range(5)}


async def test_a_row_committed_below_the_rows_already_read_goes_out_at_the_next_full_read(
        database: str) -> None:
    await commit(message("anna", "first"))
    first = await m.OutboxRow.get(channel=CHANNEL)
    sender = FakeSender()
    relay = OutboxRelay(sender, SystemClock(), poll_interval=0.3, min_interval=0.01)
    async with running(relay, commit_every=0.02):
        high = message("ivan", "committed first, higher id")
        async with batch():  # as if its transaction took id +10 and committed first
            await m.OutboxRow.create(
                id=first.id + 10, channel=CHANNEL, audience="client", kind="text",
                ticket_id=1, recipient="ivan", payload=high.payload,
                created_at=high.created_at, next_attempt_at=high.created_at)
        await eventually(lambda: "ivan" in sender.delivered)
        low = message("olga", "committed later, lower id")
        async with batch():
            await m.OutboxRow.create(
                id=first.id + 5, channel=CHANNEL, audience="client", kind="text",
                ticket_id=1, recipient="olga", payload=low.payload,
                created_at=low.created_at, next_attempt_at=low.created_at)
        await eventually(lambda: "olga" in sender.delivered, seconds=relay.poll_interval + 2)

    assert sender.delivered == {"anna": ["first"], "ivan": ["committed first, higher id"],
                                "olga": ["committed later, lower id"]}
    assert not await m.OutboxRow.filter(channel=CHANNEL, state="pending").count()


async def test_a_message_waiting_for_its_retry_holds_back_only_its_own_destination(
        database: str) -> None:
    await commit(message("anna", "a0"), message("ivan", "i0"), message("anna", "a1"),
                 message("ivan", "i1"), message("anna", "a2"))
    sender = FakeSender(refuse_once={"a0"}, retry_after=0.3)
    relay = OutboxRelay(sender, SystemClock(), poll_interval=30.0, min_interval=0.01)
    async with running(relay, commit_every=0.01):  # wakes far more often than the retry
        await eventually(lambda: len(sender.tries) == 6)
        await asyncio.sleep(0.1)

    assert sender.delivered == {"anna": ["a0", "a1", "a2"], "ivan": ["i0", "i1"]}
    assert [(x, o) for x, o, _ in sender.tries if x.startswith("a")] == [
        ("a0", "retry"), ("a0", "sent"), ("a1", "sent"), ("a2", "sent")]
    assert sender.first("a0") - sender.first("a0", "retry") >= 0.3 * 0.9  # waited its turn
    assert sender.first("i1") < sender.first("a0")  # Ivan's messages did not wait for it
    rows = await m.OutboxRow.filter(channel=CHANNEL).order_by("id").values_list(
        "state", "attempts")
    assert rows == [("sent", 1)] + [("sent", 0)] * 4  # a0 took two tries, the others one
