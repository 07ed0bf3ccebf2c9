"""The Telegram channel's live status for the panel: getWebhookInfo through the running bot."""

from __future__ import annotations

from collections.abc import Callable

from aiogram import Bot

from chatdesk.channel_status import PROBE_TIMEOUT, ChannelStatus

PosterStats = Callable[[], list[tuple[int, int, int]]]


class TelegramStatus:
    def __init__(self, bot: Bot, mode: str, timeout: float = PROBE_TIMEOUT,
                 posters: PosterStats | None = None) -> None:
        self.bot, self.mode, self.timeout = bot, mode, timeout
        self.posters = posters  # each bot's posts and 429 answers since the start

    async def __call__(self) -> ChannelStatus:
        info = await self.bot.get_webhook_info(request_timeout=max(1, int(self.timeout)))
        details = {"pending_update_count": str(info.pending_update_count)}
        if info.url:
            details["url"] = info.url
        if info.last_error_message:
            details["last_error_message"] = info.last_error_message
        if info.last_error_date:
            details["last_error_date"] = info.last_error_date.isoformat()
        for bot_id, posts, refused in self.posters() if self.posters else []:
            details[f"bot {bot_id}"] = f"posts={posts} 429={refused}"
        mode = "webhook" if info.url else "polling"
        if mode != self.mode:  # e.g. a webhook left behind that blocks getUpdates
            details["configured_mode"] = self.mode
        return ChannelStatus(True, mode, details)
