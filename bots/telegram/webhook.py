"""Webhook mode: Telegram POSTs updates to our server; we answer 200 only after the update
is committed (or parked), and refuse requests without the secret token."""

from __future__ import annotations

import hmac
import json
import logging

from aiogram import Bot
from aiohttp import web

from bots.telegram.inbound import UpdateProcessor
from bots.telegram.polling import ALLOWED_UPDATES
from bots.webhook_body import webhook_body

log = logging.getLogger(__name__)

PATH = "/telegram/webhook"


class TelegramWebhook:
    def __init__(self, bot: Bot, processor: UpdateProcessor, url: str, secret: str) -> None:
        self.bot = bot
        self.processor = processor
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
            payload = json.loads(await webhook_body(request))
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="body is not JSON")
        await self.processor.process_raw(payload)
        return web.Response(text="ok")
