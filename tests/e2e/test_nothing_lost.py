"""Nothing is lost and nothing is doubled: a crash between receiving an update and
committing it, or between committing it and confirming it to Telegram, and a webhook call
without the secret. Runs the real aiogram stack against the Telegram emulator."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bots.telegram.inbound import UpdateProcessor
from bots.telegram.limits import RateLimiter, TelegramLimits
from chatdesk.app import web_app
from emulators.telegram.emulator import TelegramEmulator
from emulators.telegram.limits import RateLimits
from storage import models as m
from storage.uow import TortoiseUnitOfWork, on_commit
from tests.e2e.harness import (
    AGENT_CHAT,
    Stack,
    running_stack,
    stacks_if_stuck,
    started_emulator,
)

CLIENT = 5001


class SimulatedCrash(BaseException):
    """Stands for the process dying: not an Exception, so no handler swallows it."""


@pytest.fixture
async def emulator(database: str) -> AsyncIterator[TelegramEmulator]:
    async with started_emulator(CLIENT) as emulator:
        yield emulator


async def client_answers(emulator: TelegramEmulator, count: int) -> list[str]:
    await emulator.wait_for(lambda e: len(e.bot_messages(CLIENT)) >= count, timeout=10)
    return [msg.text or msg.caption or "" for msg in emulator.bot_messages(CLIENT)]


async def test_crash_before_commit_loses_nothing(emulator: TelegramEmulator,
                                                 monkeypatch: pytest.MonkeyPatch):
    original = TortoiseUnitOfWork.commit
    crashed = asyncio.Event()

    async def crash(self: TortoiseUnitOfWork) -> None:
        crashed.set()
        await asyncio.Event().wait()  # the process is killed here, mid-commit

    monkeypatch.setattr(TortoiseUnitOfWork, "commit", crash)
    emulator.inject_private_message(CLIENT, "My order #1234 never arrived")
    async with running_stack(emulator):
        await asyncio.wait_for(crashed.wait(), 30)
    # leaving the block cancels every worker, the poller inside its commit: rolled back
    assert await m.TicketRow.all().count() == 0

    monkeypatch.setattr(TortoiseUnitOfWork, "commit", original)
    async with running_stack(emulator):  # the restart: Telegram delivers the update again
        texts = await client_answers(emulator, 1)
        await asyncio.sleep(0.3)
    assert await m.TicketRow.all().count() == 1
    assert await m.CommentRow.filter(body="My order #1234 never arrived").count() == 1
    assert len(texts) == 1 and "#" in texts[0]


async def test_crash_after_commit_before_confirming_does_not_double(
        emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch):
    original = UpdateProcessor.process_batch
    crashed = asyncio.Event()

    async def process_then_crash(self: UpdateProcessor, updates: Any) -> None:
        await original(self, updates)
        crashed.set()
        raise SimulatedCrash()  # dies before the next getUpdates confirms the offset

    monkeypatch.setattr(UpdateProcessor, "process_batch", process_then_crash)
    emulator.inject_private_message(CLIENT, "Hello, is anyone there?")
    async with running_stack(emulator):
        await asyncio.wait_for(crashed.wait(), 10)
    assert await m.TicketRow.all().count() == 1

    monkeypatch.setattr(UpdateProcessor, "process_batch", original)
    async with running_stack(emulator):
        await emulator.wait_for(lambda e: not e.pending_updates(), timeout=10)
        texts = await client_answers(emulator, 1)
        await asyncio.sleep(0.3)
    assert await m.TicketRow.all().count() == 1
    assert await m.CommentRow.all().count() == 1
    assert len([t for t in texts if "#" in t]) == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SECRET = "s3cret-token"


@asynccontextmanager
async def served_webhook(emulator: TelegramEmulator, clients: Sequence[int] = ()
                         ) -> AsyncIterator[tuple[Stack, str]]:
    """The stack in webhook mode, with the production web app serving its webhook."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    for user in clients:
        emulator.add_user(user, f"Client {user}")
    async with running_stack(emulator, mode="webhook", webhook_url=url,
                             webhook_secret=SECRET) as stack:
        runner = web.AppRunner(web_app_without_workers(stack.runtime))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            yield stack, url
        finally:
            await runner.cleanup()


@contextmanager
def counted_commits() -> Iterator[list[int]]:
    commits: list[int] = []
    stop_counting = on_commit(lambda: commits.append(1))
    try:
        yield commits
    finally:
        stop_counting()


async def test_webhook_commits_before_answering_and_refuses_forged_calls(
        emulator: TelegramEmulator):
    async with served_webhook(emulator) as (_, url):
        async with aiohttp.ClientSession() as http:
            forged = {"update_id": 999, "message": {
                "message_id": 1, "date": 0, "chat": {"id": CLIENT, "type": "private"},
                "from": {"id": CLIENT, "is_bot": False, "first_name": "Mallory"},
                "text": "forged"}}
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url, json=forged, headers=headers) as response:
                    assert response.status == 403
        assert await m.TicketRow.all().count() == 0

        emulator.inject_private_message(CLIENT, "Sent through the webhook")
        await client_answers(emulator, 1)
        assert await m.CommentRow.filter(body="Sent through the webhook").count() == 1
        assert emulator.webhook_info()["pending_update_count"] == 0


async def test_webhook_updates_arriving_together_commit_together(emulator: TelegramEmulator):
    """Telegram delivers over several connections at once: 20 updates POSTed together are
    all committed before their answers, in a few transactions rather than 20."""
    clients = [7000 + i for i in range(20)]
    async with served_webhook(emulator, clients) as (stack, url):
        with counted_commits() as commits:
            async with aiohttp.ClientSession() as http:
                async def deliver(n: int, user: int) -> int:
                    update = {"update_id": 500 + n, "message": {
                        "message_id": 900 + n, "date": 0, "chat": {"id": user, "type": "private"},
                        "from": {"id": user, "is_bot": False, "first_name": f"Client {user}"},
                        "text": f"together {n}"}}
                    async with http.post(url, json=update, headers={
                            "X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                        # answered only once committed: the comment is there already
                        assert await m.CommentRow.filter(body=f"together {n}").exists()
                        return response.status

                async with stacks_if_stuck(60):
                    statuses = await asyncio.gather(*(deliver(n, user)
                                                      for n, user in enumerate(clients)))
    assert statuses == [200] * 20
    assert await m.CommentRow.filter(body__startswith="together ").count() == 20
    assert stack.processor.processed == 20
    assert 1 <= len(commits) < 10  # one per update before: 20


async def test_clients_writing_at_once_through_the_webhook_commit_in_a_few_batches(
        emulator: TelegramEmulator):
    """The emulator delivers as Telegram does (several chats at once, up to
    `max_connections`): 20 clients' messages all land, in a few transactions."""
    clients = [7100 + i for i in range(20)]
    async with served_webhook(emulator, clients) as (stack, _):
        with counted_commits() as commits:
            for user in clients:
                emulator.inject_private_message(user, f"at once from {user}")
            async with stacks_if_stuck(60):
                await emulator.wait_for(
                    lambda e: not e.webhook_info()["pending_update_count"], timeout=30)
    assert await m.CommentRow.filter(body__startswith="at once from ").count() == 20
    assert stack.processor.batches >= 1  # several updates in one transaction
    assert len(commits) < 20


def web_app_without_workers(runtime: object) -> web.Application:
    """The production app, minus starting the workers a second time."""
    app = web_app(runtime)  # type: ignore[arg-type]
    app.cleanup_ctx.clear()
    return app


async def test_burst_from_many_clients_reaches_every_topic_without_429(
        emulator: TelegramEmulator):
    """300 messages from 50 clients within one (compressed) minute, real limits on both
    sides: every message reaches its ticket's topic and Telegram never answers 429."""
    scale = 30.0
    emulator.set_rate_limits(RateLimits().scaled(scale))
    clients = [6000 + i for i in range(50)]
    for user in clients:
        emulator.add_user(user, f"Client {user}")
    limiter = RateLimiter.compressed(TelegramLimits(), time_scale=scale)
    async with running_stack(emulator, limiter=limiter):
        expected = []
        for round_ in range(6):
            for user in clients:
                text = f"message {round_} from {user}"
                expected.append(text)
                emulator.inject_private_message(user, text)
            await asyncio.sleep(10 / scale)

        def topic_text(e: TelegramEmulator) -> str:
            return "\n".join(msg.text or "" for msg in e.messages(AGENT_CHAT))

        await emulator.wait_for(lambda e: all(t in topic_text(e) for t in expected),
                                timeout=120)
    assert emulator.rate_limited_count == 0
