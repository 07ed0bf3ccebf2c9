"""Steps the core tests share: a client writing in, an agent answering, two transactions
interleaved on the fakes."""

from __future__ import annotations

import asyncio
import copy

from core import commands as c
from core.client_handlers import ClientWriteResult
from core.services import Desk
from tests.fakes import ANNA, InMemoryStore

CLIENT = "5001"  # the Telegram user id of the client most tests talk to
OTHER_CLIENT = "5002"


async def client_writes(
    desk: Desk, text: str = "My printer is broken", *, external_id: str = CLIENT,
    channel: str = "telegram", name: str = "Ivan Klientov",
) -> ClientWriteResult:
    result = await desk.handle(c.ClientWrites(channel, external_id, name, text))
    assert isinstance(result, ClientWriteResult)
    return result


async def agent_replies(
    desk: Desk, ticket_id: int, text: str = "Please restart it", *, employee_id: int = ANNA,
    resolve: bool = False,
) -> None:
    await desk.handle(c.AddAgentReply(ticket_id, employee_id, text, resolve=resolve))


def statuses_in_history(store: InMemoryStore, ticket_id: int) -> list[str | None]:
    return [h.new for h in store.history_of(ticket_id, "status")]


def interleave_first_reads(store: InMemoryStore, readers: int = 2) -> list[tuple[str, object]]:
    """Make the first `readers` reads (a ticket loaded, a contact looked up) wait for each
    other, so that every transaction has read before any of them commits. Returns what each
    read saw, copied at that moment."""
    barrier = asyncio.Barrier(readers)
    reads: list[tuple[str, object]] = []

    async def wait_for_the_others(table: str, row: object) -> None:
        reads.append((table, copy.deepcopy(row)))
        if len(reads) <= readers:
            await barrier.wait()

    store.after_read = wait_for_the_others
    return reads
