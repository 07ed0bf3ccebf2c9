"""Typed ChatDesk settings, read from environment variables and an optional ``.env`` file.

Use :func:`load_settings` at start-up: it validates everything, creates the data directory,
creates (or reads) the persisted secret key, and turns any problem into a :class:`SettingsError`
whose message is one line naming the variable and what is wrong.

Precedence: the given mapping (``os.environ`` by default) > the ``.env`` file > defaults.
A variable set to an empty string counts as unset.

The fields and the checks of one area live in ``settings_core`` (the desk itself),
``settings_channels`` (Telegram, VK, Viber) and ``settings_mail`` (e-mail); this module joins
them, with the checks several areas share and those that look at several values together.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from chatdesk.settings_channels import TelegramSettings, ViberSettings, VkSettings
from chatdesk.settings_core import LANGUAGES, CoreSettings
from chatdesk.settings_data_dir import (
    SECRET_KEY_FILE,
    load_or_create_secret_key,
    prepare_data_dir,
)
from chatdesk.settings_database import prepare_sqlite_dir
from chatdesk.settings_mail import MailSettings
from chatdesk.settings_values import blank, fail, http_url, stripped

__all__ = ["Settings", "SettingsError", "load_settings", "LANGUAGES"]

# When False (inside load_settings with an explicit mapping), the process environment is not read.
_read_process_env: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "chatdesk_settings_read_process_env", default=True
)


class SettingsError(Exception):
    """Configuration is invalid; ``str(err)`` is one line naming the variable(s)."""


# pydantic orders the fields from the last base to the first: listed in reverse, the core
# fields come first, so are their errors.
class Settings(MailSettings, ViberSettings, VkSettings, TelegramSettings, CoreSettings,
               BaseSettings):
    """All ChatDesk configuration. Field aliases are the environment variable names."""

    model_config = SettingsConfigDict(
        case_sensitive=True,
        extra="ignore",
        env_ignore_empty=True,
        env_file=".env",
        env_file_encoding="utf-8",
        populate_by_name=True,
        validate_default=True,
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        if _read_process_env.get():
            return (init_settings, env_settings, dotenv_settings)
        return (init_settings, dotenv_settings)

    # ------------------------------------------------------------------ checks shared by areas

    @field_validator(
        "raw_database_url",
        "public_url",
        "telegram_bot_token",
        "telegram_agent_chat_id",
        "telegram_line2_chat_id",
        "telegram_webhook_url",
        "telegram_helper_bot_tokens",
        "telegram_webhook_secret",
        "vk_group_token",
        "vk_group_id",
        "vk_secret",
        "vk_confirmation_code",
        "viber_auth_token",
        "viber_webhook_url",
        "viber_bot_avatar",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if blank(value) else value

    @field_validator("public_url", "viber_webhook_url", "viber_bot_avatar", mode="after")
    @classmethod
    def _check_optional_http_url(cls, value: str | None) -> str | None:
        return None if value is None else http_url(value)

    @field_validator("telegram_api_url", "vk_api_url", "viber_api_url", mode="before")
    @classmethod
    def _check_api_url(cls, value: Any) -> str:
        return http_url("" if value is None else value)

    @field_validator(
        "vk_group_token", "vk_secret", "vk_confirmation_code", "viber_auth_token", mode="after"
    )
    @classmethod
    def _check_plain_secret(cls, value: str | None) -> str | None:
        if value is None:
            return None
        secret = stripped(value)
        if any(c.isspace() for c in secret):
            raise fail("must not contain spaces or line breaks")
        return secret

    # ------------------------------------------------------------------ cross checks + start-up

    @model_validator(mode="after")
    def _check_together_and_prepare(self) -> Settings:
        if self.telegram_bot_token is not None:
            if self.telegram_agent_chat_id is None:
                raise fail(
                    "TELEGRAM_AGENT_CHAT_ID: is required when TELEGRAM_BOT_TOKEN is set"
                    " (the agents' supergroup id, such as -1001234567890)"
                )
            if self.telegram_mode == "webhook":
                if self.telegram_webhook_url is None:
                    raise fail(
                        "TELEGRAM_WEBHOOK_URL: is required when TELEGRAM_MODE is webhook"
                        " (an https:// URL Telegram can reach)"
                    )
                if self.telegram_webhook_secret is None:
                    raise fail(
                        "TELEGRAM_WEBHOOK_SECRET: is required when TELEGRAM_MODE is webhook"
                        " (1 to 256 characters of A-Z, a-z, 0-9, '_' or '-')"
                    )
        if (
            self.telegram_line2_chat_id is not None
            and self.telegram_line2_chat_id == self.telegram_agent_chat_id
        ):
            raise fail(
                "TELEGRAM_LINE2_CHAT_ID: must differ from TELEGRAM_AGENT_CHAT_ID,"
                f" both are {self.telegram_agent_chat_id}"
            )
        if self.vk_group_token is not None and self.vk_group_id is None:
            raise fail("VK_GROUP_ID: is required when VK_GROUP_TOKEN is set")
        if self.mail_enabled and self.mail_from is None:
            raise fail("CHATDESK_MAIL_FROM: is required when CHATDESK_MAIL_IMAP or"
                       " CHATDESK_MAIL_SMTP is set (such as 'Support <support@example.com>')")

        prepare_data_dir(self.data_dir)
        if not self.secret_key:
            self.secret_key = load_or_create_secret_key(self.data_dir / SECRET_KEY_FILE)
        if self.raw_database_url is not None and self.raw_database_url.startswith("sqlite://"):
            prepare_sqlite_dir(self.raw_database_url)
        return self


_ALIASES: dict[str, str] = {
    name: str(field.validation_alias) for name, field in Settings.model_fields.items()
}
_ENV_NAMES: frozenset[str] = frozenset(_ALIASES.values())


def _one_line(exc: ValidationError) -> str:
    messages: list[str] = []
    for err in exc.errors(include_url=False):
        ctx = err.get("ctx") or {}
        detail = str(ctx.get("detail") or err["msg"]).removeprefix("Value error, ")
        loc = err["loc"]
        if loc:
            name = _ALIASES.get(str(loc[0]), str(loc[0]))
            message = f"{name}: {detail}"
        else:
            message = detail
        if message not in messages:
            messages.append(message)
    return " ".join("; ".join(messages).split())


def load_settings(env: Mapping[str, str] | None = None, env_file: str | None = ".env") -> Settings:
    """Read, check and prepare the settings.

    ``env`` replaces ``os.environ`` when given; ``env_file`` is read if it exists (``None`` skips
    it) and loses to ``env``. Raises :class:`SettingsError` with a one-line message.
    """
    source: Mapping[str, str] = os.environ if env is None else env
    values: dict[str, Any] = {
        key: value
        for key, value in source.items()
        if key in _ENV_NAMES and isinstance(value, str) and value.strip()
    }
    token = _read_process_env.set(False)
    try:
        return Settings(_env_file=env_file, **values)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise SettingsError(_one_line(exc)) from None
    finally:
        _read_process_env.reset(token)
