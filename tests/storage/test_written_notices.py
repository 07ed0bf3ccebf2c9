"""The senders ask, for every message, whether the administrators wrote a notice for it; the
answer comes from the set of keys read at most once a second. A notice saved or deleted in
this process counts at once; one written by another process (the CLI) within that second."""

from __future__ import annotations

import asyncio

import pytest

from storage import rule_models as rm
from storage.rule_repositories import WRITTEN, notice_written
from storage.uow import TortoiseUnitOfWork


async def test_a_notice_saved_or_deleted_here_counts_at_once(database: str) -> None:
    assert not await notice_written("client.status.closed")
    async with TortoiseUnitOfWork() as uow:
        await uow.rules.notices.save("client.status.closed", "Bye")
        await uow.commit()
    assert await notice_written("client.status.closed")
    assert not await notice_written("client.status.resolved")

    async with TortoiseUnitOfWork() as uow:
        await uow.rules.notices.delete("client.status.closed")
        await uow.commit()
    assert not await notice_written("client.status.closed")


async def test_a_notice_written_by_another_process_counts_within_the_ttl(
        database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(WRITTEN, "ttl", 0.2)
    assert not await notice_written("client.status.closed")
    await rm.NoticeTemplateRow.create(key="client.status.closed", body="Bye")  # not through us

    assert not await notice_written("client.status.closed")  # read less than a ttl ago
    await asyncio.sleep(0.25)
    assert await notice_written("client.status.closed")
