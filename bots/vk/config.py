"""The VK part of the settings, as the adapter needs it."""

from __future__ import annotations

from dataclasses import dataclass

from chatdesk.settings import Settings


@dataclass(frozen=True)
class VkConfig:
    token: str
    group_id: int
    api_url: str = "https://api.vk.com/method"
    mode: str = "callback"  # or "longpoll"
    secret: str | None = None
    confirmation_code: str | None = None
    default_language: str = "en"
    timezone: str = "UTC"  # the desk's (CHATDESK_TIMEZONE): times clients read are in it
    longpoll_wait: int = 25
    request_timeout: float = 30.0
    requests_per_second: float = 20.0

    @classmethod
    def from_settings(cls, settings: Settings) -> VkConfig:
        assert settings.vk_group_token and settings.vk_group_id is not None
        return cls(
            token=settings.vk_group_token,
            group_id=settings.vk_group_id,
            api_url=settings.vk_api_url,
            mode=settings.vk_mode,
            secret=settings.vk_secret,
            confirmation_code=settings.vk_confirmation_code,
            default_language=settings.default_language,
            timezone=settings.timezone,
        )
