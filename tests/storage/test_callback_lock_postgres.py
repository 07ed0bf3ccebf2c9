"""Two employees open one call-back request on PostgreSQL with two real connections that
both read it before either writes: the version check lets exactly one hold it (§10)."""

from __future__ import annotations

import asyncio

import pytest

from chatdesk.bootstrap import build_desk
from core import commands as c
from core.callbacks import CallbackHeld, CallbackRequest
from storage.callback_models import CallbackChangeRow, CallbackRequestRow
from storage.callbacks import CallbackRepository
from storage.uow import TortoiseUnitOfWork
from tests.storage.test_unit_of_work import add_employee


class BarrierCallbacks(CallbackRepository):
    """Holds each reader until both transactions have read the request."""

    barrier: asyncio.Barrier
    readers_to_hold = 2  # the two first attempts; the loser's retry reads freely

    async def get(self, request_id: int) -> CallbackRequest:
        request = await super().get(request_id)
        if BarrierCallbacks.readers_to_hold > 0:
            BarrierCallbacks.readers_to_hold -= 1
            await asyncio.wait_for(self.barrier.wait(), 5)
        return request


@pytest.mark.postgres
async def test_concurrent_open_on_postgres_has_exactly_one_holder(postgres_database: str):
    desk = build_desk()
    request = await desk.handle(c.RegisterCallback("Ivan", "+7 900 123 45 67"))
    alice, bob = await add_employee("alice"), await add_employee("bob")
    BarrierCallbacks.barrier = asyncio.Barrier(2)
    BarrierCallbacks.readers_to_hold = 2

    class RacingUnitOfWork(TortoiseUnitOfWork):
        async def __aenter__(self) -> RacingUnitOfWork:
            await super().__aenter__()
            self.callbacks = BarrierCallbacks(self.callbacks.conn)
            return self

    racing = build_desk(uow_factory=RacingUnitOfWork)
    results = await asyncio.gather(
        racing.handle(c.OpenCallback(request.id, alice)),
        racing.handle(c.OpenCallback(request.id, bob)),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], CallbackHeld), results
    row = await CallbackRequestRow.get(id=request.id)
    assert row.holder_id in (alice, bob) and row.version == 1 and row.state == "processing"
    assert errors[0].holder_id == row.holder_id
    opened = await CallbackChangeRow.filter(request_id=request.id, action="opened").count()
    assert opened == 1
