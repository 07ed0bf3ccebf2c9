"""What the VK and Viber end-to-end tests share: the desk with a team, our web server on a
free port, a database commit that fails once (a crash between receipt and commit), waiting
for the database to reach a state, and reading tickets back."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from aiohttp import web

from chatdesk.app import web_app
from chatdesk.bootstrap import build_desk
from chatdesk.runtime import Runtime
from core import commands as c
from core.outbox import Routing
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from core.services import Desk
from storage import models as m

T = TypeVar("T")
ANNA_TG = 701


async def desk_with_team(channel: str, clock: Clock) -> tuple[Desk, int]:
    """A desk whose clients write in `channel` and whose agents work in Telegram (its
    relay is not running: what is meant for the team stays in the outbox to be read)."""
    desk = build_desk(clock=clock, routing=Routing(frozenset({channel}), "telegram"))
    known = await m.EmployeeRow.filter(login="anna").values_list("id", flat=True)
    if known:  # a second run on the same database
        return desk, int(known[0])
    anna = await desk.handle(c.AddEmployee("Anna Smirnova", "anna", "specialist", ANNA_TG))
    return desk, int(anna.id)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(runtime: Runtime, port: int = 0) -> AsyncIterator[str]:
    """Our aiohttp server (webhook routes, workers) on 127.0.0.1; yields its base URL."""
    runner = web.AppRunner(web_app(runtime), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


class CommitFailsOnce:
    """A unit of work factory whose next commit fails as if the process died right before
    it; `armed` until it has fired."""

    def __init__(self, factory: UnitOfWorkFactory) -> None:
        self.factory = factory
        self.armed = False
        self.fired = 0

    def __call__(self) -> UnitOfWork:
        uow = self.factory()
        if self.armed:
            original = uow.commit

            async def commit() -> None:
                if self.armed:
                    self.armed, self.fired = False, self.fired + 1
                    raise ConnectionResetError("the database connection dropped")
                await original()

            uow.commit = commit  # type: ignore[method-assign]
        return uow


async def eventually(check: Callable[[], Awaitable[T | None]],
                     timeout: float = 15) -> T:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while True:
            if result := await check():
                return result
            await asyncio.sleep(0.02)


async def tickets_of(channel: str, external_id: str) -> list[m.TicketRow]:
    ids = await m.IdentityRow.filter(channel=channel, external_id=external_id).values_list(
        "contact_id", flat=True)
    return list(await m.TicketRow.filter(contact_id__in=list(ids)).order_by("id"))


async def client_comments(ticket_id: int) -> list[m.CommentRow]:
    return list(await m.CommentRow.filter(ticket_id=ticket_id, author_kind="client")
                .order_by("id"))


async def outbox_rows(**filters: Any) -> list[m.OutboxRow]:
    return list(await m.OutboxRow.filter(**filters).order_by("id"))
