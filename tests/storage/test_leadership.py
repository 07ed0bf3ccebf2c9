"""Several instances on one database: the lease elects one leader and hands over when it is
gone; outbox rows are claimed before they are sent, so two relays on one outbox never send
a row twice, and a leader that lost the lease claims nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bots.relay import OutboxRelay, Outcome
from chatdesk.bootstrap import SystemClock
from chatdesk.leadership import Leadership, Takeover
from core.outbox import OutboundMessage
from storage import models as m
from storage.delivery import OutboxStore
from storage.leadership import Fence, LeaseStore
from tests.bots.test_relay_backlog import CHANNEL, FakeSender, commit, eventually, message


class SlowSender(FakeSender):
    """Records every message it is handed, so a row sent twice shows."""

    def __init__(self, delay: float) -> None:
        super().__init__(delay=delay)
        self.sent: list[str] = []

    async def send(self, messages: Sequence[OutboundMessage]) -> list[Outcome]:
        outcomes = await super().send(messages)
        self.sent.append(str(messages[0].payload["text"]))
        return outcomes


async def test_two_relays_on_one_outbox_never_send_a_row_twice(database: str) -> None:
    destinations, per_destination = 8, 6
    await commit(*[message(f"client {d}", f"{d}:{k}") for k in range(per_destination)
                   for d in range(destinations)])
    senders = [SlowSender(0.01), SlowSender(0.01)]
    relays = [OutboxRelay(s, SystemClock(), poll_interval=0.1, min_interval=0.01)
              for s in senders]
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        await eventually(lambda: sum(len(s.sent) for s in senders)
                         >= destinations * per_destination)
        await asyncio.sleep(0.5)  # more rounds of both: nothing goes out again
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    every = [text for s in senders for text in s.sent]
    assert sorted(every) == sorted(f"{d}:{k}" for d in range(destinations)
                                   for k in range(per_destination))
    for d in range(destinations):  # and each client still got its messages in order
        texts = [t for s in senders for t in s.delivered.get(f"client {d}", [])]
        assert sorted(texts, key=lambda t: int(t.split(":")[1])) == [
            f"{d}:{k}" for k in range(per_destination)]
    assert not await m.OutboxRow.filter(channel=CHANNEL, state="pending").count()


async def test_a_row_claimed_by_a_live_relay_is_not_claimed_by_another(database: str) -> None:
    await commit(message("anna", "hello"))
    row = await m.OutboxRow.get(channel=CHANNEL)
    store = OutboxStore()
    assert await store.claim([row.id], "relay-a", None) == {row.id}
    assert await store.claim([row.id], "relay-b", None) == set()
    assert await store.claim([row.id], "relay-a", None) == {row.id}  # its own, again
    await store.unclaim([row.id], "relay-a")
    assert await store.claim([row.id], "relay-b", None) == {row.id}


async def test_a_new_leader_takes_over_the_rows_the_dead_one_claimed(database: str) -> None:
    leases = LeaseStore()
    first = await leases.take("instance-1", 30)
    await commit(message("anna", "hello"))
    row = await m.OutboxRow.get(channel=CHANNEL)
    store = OutboxStore()
    assert await store.claim([row.id], "relay-1", Fence("instance-1", first.lease.token))
    # instance-1 dies; its lease runs out (given back here, to be quick)
    await leases.release(Fence("instance-1", first.lease.token))
    second = await leases.take("instance-2", 30)
    assert second.mine and second.lease.token == first.lease.token + 1
    assert second.previous is not None and second.previous.holder == "instance-1"
    # the deposed leader, still running by mistake, claims nothing any more
    assert await store.claim([row.id], "relay-1", Fence("instance-1",
                                                        first.lease.token)) == set()
    assert await store.claim([row.id], "relay-2", Fence("instance-2",
                                                        second.lease.token)) == {row.id}


async def test_the_lease_has_one_holder_until_it_runs_out(database: str) -> None:
    leases = LeaseStore()
    first = await leases.take("instance-1", 0.5)
    assert first.mine and first.previous is not None and not first.previous.holder
    standby = await leases.take("instance-2", 0.5)
    assert not standby.mine and standby.lease.holder == "instance-1"
    renewed = await leases.take("instance-1", 0.5)
    assert renewed.mine and renewed.lease.token == first.lease.token
    assert renewed.previous is None  # a renewal, not a takeover
    await asyncio.sleep(0.6)  # instance-1 stopped renewing
    taken = await leases.take("instance-2", 0.5)
    assert taken.mine and taken.lease.token == first.lease.token + 1
    current = await leases.current()
    assert current is not None and current.holder == "instance-2" and current.live


async def test_a_standby_leads_once_the_leader_stops(database: str) -> None:
    events: list[tuple[str, str]] = []

    def elector(name: str) -> tuple[Leadership, asyncio.Task[None]]:
        leadership = Leadership(0.6, holder=name)

        async def lead(takeover: Takeover) -> None:
            events.append((name, f"lead after {takeover.previous_holder or 'no one'}"))

        async def follow() -> None:
            events.append((name, "follow"))

        return leadership, asyncio.create_task(leadership.run(lead, follow))

    first, first_task = elector("instance-1")
    await eventually(lambda: first.leading, 5)
    second, second_task = elector("instance-2")
    await asyncio.sleep(1.0)  # several renewals: the standby stays a standby
    assert first.leading and not second.leading
    assert first.fence() is not None and second.fence() is None
    first_task.cancel()  # a clean stop gives the lease back
    await asyncio.gather(first_task, return_exceptions=True)
    await eventually(lambda: second.leading, 2)
    second_task.cancel()
    await asyncio.gather(second_task, return_exceptions=True)
    assert events == [("instance-1", "lead after no one"), ("instance-1", "follow"),
                      ("instance-2", "lead after instance-1"), ("instance-2", "follow")]
