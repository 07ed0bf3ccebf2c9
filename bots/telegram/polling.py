"""Long polling that confirms an update to Telegram only after it is committed: the offset
of the next getUpdates moves past an update once `UpdateProcessor.process` has returned."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramConflictError, TelegramRetryAfter

from bots.telegram.inbound import UpdateProcessor

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


class TelegramPoller:
    def __init__(self, bot: Bot, processor: UpdateProcessor, timeout: int = 25) -> None:
        self.bot = bot
        self.processor = processor
        self.timeout = timeout
        self.offset: int | None = None

    async def run(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        delay = 1.0
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=self.offset, timeout=self.timeout, limit=100,
                    allowed_updates=ALLOWED_UPDATES,
                    request_timeout=self.timeout + 10)
            except asyncio.CancelledError:
                raise
            except TelegramRetryAfter as exc:
                await asyncio.sleep(exc.retry_after)
                continue
            except TelegramConflictError:
                log.error("another getUpdates or a webhook is active for this bot; retrying")
                await asyncio.sleep(5)
                continue
            except Exception as exc:  # network or server trouble: back off and try again
                log.warning("getUpdates failed (%s: %s); retry in %.0f s",
                            type(exc).__name__, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60)
                continue
            delay = 1.0
            if updates:
                await self.processor.process_batch(updates)
                self.offset = updates[-1].update_id + 1
