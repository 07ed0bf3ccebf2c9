"""The webhook's group commit (`Gathering`): updates that arrive while a batch is being
committed go in the next one, in `update_id` order, each request waiting for its own
batch; a redelivery that arrives while its first copy waits joins it; a batch that cannot
be committed fails every request in it (Telegram delivers them again), and the next batch
goes on. The end-to-end test over HTTP is in `tests/e2e/test_nothing_lost.py`."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from aiogram.types import Update

from bots.telegram.webhook import Gathering


class Processor:
    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.fail_next = False
        self.release = asyncio.Event()
        self.release.set()

    async def process_batch(self, updates: Sequence[Update]) -> None:
        self.batches.append([u.update_id for u in updates])
        await self.release.wait()
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("the database went away")


def update(update_id: int) -> Update:
    return Update(update_id=update_id)


def held() -> tuple[Processor, Gathering]:
    """A gathering whose batches wait for `processor.release`."""
    processor = Processor()
    processor.release.clear()
    return processor, Gathering(processor)  # type: ignore[arg-type]


async def test_updates_arriving_during_a_commit_go_together_in_order() -> None:
    processor, gathering = held()
    first = asyncio.create_task(gathering.commit(update(10)))
    await asyncio.sleep(0)
    later = [asyncio.create_task(gathering.commit(update(n))) for n in (14, 12, 13, 12)]
    await asyncio.sleep(0)
    assert not first.done()  # answered only once committed
    processor.release.set()
    await asyncio.gather(first, *later)
    assert processor.batches == [[10], [12, 13, 14]]  # the redelivered 12 is handled once


async def test_a_batch_that_cannot_commit_fails_its_requests_and_the_next_goes_on() -> None:
    processor, gathering = held()
    processor.fail_next = True
    failing = asyncio.create_task(gathering.commit(update(1)))
    await asyncio.sleep(0)
    following = asyncio.create_task(gathering.commit(update(2)))
    await asyncio.sleep(0)
    processor.release.set()
    with pytest.raises(ConnectionError):
        await failing
    await following
    assert processor.batches == [[1], [2]]


async def test_a_request_that_hangs_up_leaves_its_batch_to_commit() -> None:
    processor, gathering = held()
    gone = asyncio.create_task(gathering.commit(update(7)))
    await asyncio.sleep(0)
    gone.cancel()
    results: list[Any] = await asyncio.gather(gone, return_exceptions=True)
    assert isinstance(results[0], asyncio.CancelledError)
    processor.release.set()
    await gathering.commit(update(8))
    assert processor.batches == [[7], [8]]
