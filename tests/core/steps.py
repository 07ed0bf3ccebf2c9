"""Steps the core tests share: a client writing in, an agent answering, reading a ticket back."""

from __future__ import annotations

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
