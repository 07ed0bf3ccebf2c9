"""The messenger channels' settings and their own checks: the Telegram bot (token, API URL,
agents' and second-line supergroups, polling or webhook), the VK community bot and the Viber bot."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from chatdesk.settings_values import (
    choice,
    fail,
    http_url,
    optional_id,
    stripped,
    stripped_or_empty,
)

_TELEGRAM_TOKEN_RE = re.compile(r"^[0-9]+:[A-Za-z0-9_-]+$")
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class TelegramSettings(BaseModel):
    """Part of :class:`chatdesk.settings.Settings`; aliases are the environment variables.
    Blank values, API and optional URLs and plain secrets are checked there."""

    telegram_bot_token: str | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN", repr=False)
    telegram_api_url: str = Field("https://api.telegram.org", validation_alias="TELEGRAM_API_URL")
    telegram_agent_chat_id: int | None = Field(None, validation_alias="TELEGRAM_AGENT_CHAT_ID")
    telegram_line2_chat_id: int | None = Field(None, validation_alias="TELEGRAM_LINE2_CHAT_ID")
    telegram_mode: Literal["polling", "webhook"] = Field(
        "polling", validation_alias="TELEGRAM_MODE"
    )
    telegram_webhook_url: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: str | None = Field(
        None, validation_alias="TELEGRAM_WEBHOOK_SECRET", repr=False
    )
    # Optional extra bots that post clients' messages into the agents' forums (issue 18)
    telegram_helper_bot_tokens: str | None = Field(
        None, validation_alias="TELEGRAM_HELPER_BOT_TOKENS", repr=False
    )
    # Against the Telegram emulator with compressed time only (tests, benchmarks): the flood
    # limits kept on our side run this many times faster, as the emulator's do.
    telegram_limits_time_scale: float = Field(
        1.0, ge=1, le=10_000, validation_alias="TELEGRAM_LIMITS_TIME_SCALE"
    )

    @field_validator("telegram_webhook_url", mode="after")
    @classmethod
    def _check_telegram_webhook_url(cls, value: str | None) -> str | None:
        return None if value is None else http_url(value, https_only=True)

    @field_validator("telegram_bot_token", mode="after")
    @classmethod
    def _check_telegram_token(cls, value: str | None) -> str | None:
        if value is None:
            return None
        token = stripped(value)
        if not _TELEGRAM_TOKEN_RE.fullmatch(token):
            # Never echo a token back: it ends up in logs.
            raise fail(
                "must look like '123456789:AAE...' (digits, a colon, then letters, digits,"
                " '_' or '-') as given by @BotFather"
            )
        return token

    @field_validator("telegram_helper_bot_tokens", mode="after")
    @classmethod
    def _check_helper_tokens(cls, value: str | None) -> str | None:
        if value is None:
            return None
        tokens = [t.strip() for t in value.split(",") if t.strip()]
        if not all(_TELEGRAM_TOKEN_RE.fullmatch(t) for t in tokens):
            raise fail("must be bot tokens from @BotFather separated by commas")
        return ",".join(tokens) or None

    @field_validator("telegram_agent_chat_id", "telegram_line2_chat_id", mode="before")
    @classmethod
    def _check_group_chat_id(cls, value: Any) -> int | None:
        return optional_id(
            value,
            positive=False,
            expected="a negative whole number (a supergroup id such as -1001234567890)",
        )

    @field_validator("telegram_mode", mode="before")
    @classmethod
    def _check_telegram_mode(cls, value: Any) -> str:
        return choice(value, ("polling", "webhook"))

    @field_validator("telegram_webhook_secret", mode="after")
    @classmethod
    def _check_webhook_secret(cls, value: str | None) -> str | None:
        if value is None:
            return None
        secret = stripped(value)
        if not _WEBHOOK_SECRET_RE.fullmatch(secret):
            raise fail(
                f"must be 1 to 256 characters of A-Z, a-z, 0-9, '_' or '-'"
                f" (got {len(secret)} characters)"
            )
        return secret

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None


class VkSettings(BaseModel):
    """Part of :class:`chatdesk.settings.Settings`; aliases are the environment variables.
    Blank values, API and optional URLs and plain secrets are checked there."""

    vk_group_token: str | None = Field(None, validation_alias="VK_GROUP_TOKEN", repr=False)
    vk_group_id: int | None = Field(None, validation_alias="VK_GROUP_ID")
    vk_api_url: str = Field("https://api.vk.com/method", validation_alias="VK_API_URL")
    vk_mode: Literal["callback", "longpoll"] = Field("callback", validation_alias="VK_MODE")
    vk_secret: str | None = Field(None, validation_alias="VK_SECRET", repr=False)
    vk_confirmation_code: str | None = Field(None, validation_alias="VK_CONFIRMATION_CODE")

    @field_validator("vk_group_id", mode="before")
    @classmethod
    def _check_vk_group_id(cls, value: Any) -> int | None:
        return optional_id(
            value,
            positive=True,
            expected="the community id as a positive whole number (without the minus sign)",
        )

    @field_validator("vk_mode", mode="before")
    @classmethod
    def _check_vk_mode(cls, value: Any) -> str:
        return choice(value, ("callback", "longpoll"))

    @property
    def vk_enabled(self) -> bool:
        return self.vk_group_token is not None


class ViberSettings(BaseModel):
    """Part of :class:`chatdesk.settings.Settings`; aliases are the environment variables.
    Blank values, API and optional URLs and plain secrets are checked there."""

    viber_auth_token: str | None = Field(None, validation_alias="VIBER_AUTH_TOKEN", repr=False)
    viber_api_url: str = Field("https://chatapi.viber.com/pa", validation_alias="VIBER_API_URL")
    viber_webhook_url: str | None = Field(None, validation_alias="VIBER_WEBHOOK_URL")
    viber_bot_name: str = Field("ChatDesk", validation_alias="VIBER_BOT_NAME")
    viber_bot_avatar: str | None = Field(None, validation_alias="VIBER_BOT_AVATAR")

    @field_validator("viber_bot_name", mode="before")
    @classmethod
    def _check_viber_bot_name(cls, value: Any) -> str:
        name = stripped_or_empty(value)
        if not name or len(name) > 28:
            raise fail(f"must be 1 to 28 characters, got {name!r}")
        return name

    @property
    def viber_enabled(self) -> bool:
        return self.viber_auth_token is not None
