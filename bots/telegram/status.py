"""The Telegram channel's live status for the panel: getWebhookInfo through the running bot."""

from __future__ import annotations

from aiogram import Bot

from chatdesk.channel_status import PROBE_TIMEOUT, ChannelStatus


class TelegramStatus:
    def __init__(self, bot: Bot, mode: str, timeout: float = PROBE_TIMEOUT) -> None:
        self.bot, self.mode, self.timeout = bot, mode, timeout

    async def __call__(self) -> ChannelStatus:
        info = await self.bot.get_webhook_info(request_timeout=max(1, int(self.timeout)))
        details = {"pending_update_count": str(info.pending_update_count)}
        if info.url:
            details["url"] = info.url
        if info.last_error_message:
            details["last_error_message"] = info.last_error_message
        if info.last_error_date:
            details["last_error_date"] = info.last_error_date.isoformat()
        mode = "webhook" if info.url else "polling"
        if mode != self.mode:  # e.g. a webhook left behind that blocks getUpdates
            details["configured_mode"] = self.mode
        return ChannelStatus(True, mode, details)
