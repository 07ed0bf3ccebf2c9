"""The Telegram part of the settings, as the adapter needs it."""

from __future__ import annotations

from dataclasses import dataclass

from chatdesk.settings import Settings


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    api_url: str
    agent_chat_id: int
    line2_chat_id: int | None = None
    default_language: str = "en"
    mode: str = "polling"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    polling_timeout: int = 25
    timezone: str = "UTC"  # the desk's (CHATDESK_TIMEZONE): dates agents type are read in it
    panel_url: str | None = None  # CHATDESK_PUBLIC_URL: the panel, for links to its pages
    limits_time_scale: float = 1.0  # TELEGRAM_LIMITS_TIME_SCALE: the emulator's compressed time
    helper_tokens: tuple[str, ...] = ()  # TELEGRAM_HELPER_BOT_TOKENS: bots posting clients' words

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramConfig:
        assert settings.telegram_bot_token and settings.telegram_agent_chat_id is not None
        return cls(
            token=settings.telegram_bot_token,
            api_url=settings.telegram_api_url,
            agent_chat_id=settings.telegram_agent_chat_id,
            line2_chat_id=settings.telegram_line2_chat_id,
            default_language=settings.default_language,
            mode=settings.telegram_mode,
            webhook_url=settings.telegram_webhook_url,
            webhook_secret=settings.telegram_webhook_secret,
            timezone=settings.timezone,
            panel_url=settings.public_url,
            limits_time_scale=settings.telegram_limits_time_scale,
            helper_tokens=tuple(t for t in (settings.telegram_helper_bot_tokens or "").split(",")
                                if t),
        )

    @property
    def agent_chats(self) -> frozenset[int]:
        return frozenset(c for c in (self.agent_chat_id, self.line2_chat_id) if c is not None)
