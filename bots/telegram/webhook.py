"""Webhook mode: Telegram POSTs updates to our server; we answer 200 only after the update
is committed (or parked), and refuse requests without the secret token. Telegram delivers
over several connections at once (`max_connections`, 40 by default): the updates that
arrive while a batch is being committed go together in the next, as polling's do."""

from __future__ import annotations

import asyncio
import hmac
import logging

from aiogram import Bot
from aiogram.types import Update
from aiohttp import web

from bots.telegram.inbound import UpdateProcessor
from bots.telegram.polling import ALLOWED_UPDATES
from bots.webhook_body import MalformedBody, webhook_body, webhook_json

log = logging.getLogger(__name__)

PATH = "/telegram/webhook"


class Gathering:
    """Group commit of webhook updates: those that arrive while a batch is being committed
    go together in the next (one transaction, handled set-based and in `update_id` order,
    `UpdateProcessor.process_batch`), and each request waits until its own batch is
    durable. One update arriving alone is a batch of one, committed at once."""

    def __init__(self, processor: UpdateProcessor) -> None:
        self.processor = processor
        self._waiting: dict[int, Update] = {}  # by update_id: a redelivery joins its first
        self._next: asyncio.Future[None] | None = None  # the batch being gathered
        self._writer: asyncio.Task[None] | None = None

    async def commit(self, update: Update) -> None:
        self._waiting.setdefault(update.update_id, update)
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
        mine = self._next
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        await asyncio.shield(mine)  # a caller that hangs up leaves the batch to finish

    async def _write(self) -> None:
        try:
            while self._next is not None:
                done = self._next
                updates = sorted(self._waiting.values(), key=lambda u: u.update_id)
                self._next, self._waiting = None, {}
                try:
                    await self.processor.process_batch(updates)
                except asyncio.CancelledError:
                    done.cancel()
                    raise
                except Exception as exc:  # the database is away: every request answers 500
                    done.set_exception(exc)
                    done.exception()  # retrieved: it is the waiting requests' to raise
                else:
                    done.set_result(None)
        finally:
            self._writer = None
            if self._next is not None:  # stopped: Telegram delivers these again
                self._next.cancel()
                self._next, self._waiting = None, {}


class TelegramWebhook:
    def __init__(self, bot: Bot, processor: UpdateProcessor, url: str, secret: str) -> None:
        self.bot = bot
        self.processor = processor
        self.gathering = Gathering(processor)
        self.url = url
        self.secret = secret

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(PATH, self.handle)

    async def register(self) -> None:
        await self.bot.set_webhook(self.url, secret_token=self.secret,
                                   allowed_updates=ALLOWED_UPDATES)

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("telegram webhook call without the right secret from %s",
                        request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            payload = webhook_json(await webhook_body(request))
        except MalformedBody as exc:
            log.warning("telegram webhook body refused with 400: %s", exc)
            return web.Response(status=400, text="body is not JSON")
        update = await self.processor.parse_raw(payload)
        if update is not None:
            await self.gathering.commit(update)
        return web.Response(text="ok")
