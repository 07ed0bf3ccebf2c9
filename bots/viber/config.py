"""The Viber part of the settings, as the adapter needs it."""

from __future__ import annotations

from dataclasses import dataclass

from chatdesk.settings import Settings


@dataclass(frozen=True)
class ViberConfig:
    auth_token: str
    api_url: str = "https://chatapi.viber.com/pa"
    webhook_url: str | None = None
    bot_name: str = "ChatDesk"
    bot_avatar: str | None = None
    default_language: str = "en"
    timezone: str = "UTC"  # the desk's (CHATDESK_TIMEZONE): times clients read are in it
    request_timeout: float = 30.0
    requests_per_second: float = 50.0
    public_url: str | None = None  # CHATDESK_PUBLIC_URL: where Viber fetches agents' files
    secret_key: str = ""  # signs those files' links

    @classmethod
    def from_settings(cls, settings: Settings) -> ViberConfig:
        assert settings.viber_auth_token
        return cls(
            auth_token=settings.viber_auth_token,
            api_url=settings.viber_api_url,
            webhook_url=settings.viber_webhook_url,
            bot_name=settings.viber_bot_name,
            bot_avatar=settings.viber_bot_avatar,
            default_language=settings.default_language,
            timezone=settings.timezone,
            public_url=settings.public_url,
            secret_key=settings.secret_key,
        )
