"""Typed ChatDesk settings, read from environment variables and an optional ``.env`` file.

Use :func:`load_settings` at start-up: it validates everything, creates the data directory,
creates (or reads) the persisted secret key, and turns any problem into a :class:`SettingsError`
whose message is one line naming the variable and what is wrong.

Precedence: the given mapping (``os.environ`` by default) > the ``.env`` file > defaults.
A variable set to an empty string counts as unset.
"""

from __future__ import annotations

import contextvars
import os
import re
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

__all__ = ["Settings", "SettingsError", "load_settings", "LANGUAGES"]

LANGUAGES: tuple[str, ...] = ("en", "ru", "fa")
SECRET_KEY_FILE = "secret_key"
SQLITE_FILE = "chatdesk.sqlite3"
MIN_SECRET_KEY_LENGTH = 32

_TELEGRAM_TOKEN_RE = re.compile(r"^[0-9]+:[A-Za-z0-9_-]+$")
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

# When False (inside load_settings with an explicit mapping), the process environment is not read.
_read_process_env: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "chatdesk_settings_read_process_env", default=True
)


class SettingsError(Exception):
    """Configuration is invalid; ``str(err)`` is one line naming the variable(s)."""


# --------------------------------------------------------------------------- helpers


def _fail(detail: str) -> PydanticCustomError:
    # The detail goes through the context so braces in it are never treated as a template.
    return PydanticCustomError("chatdesk_settings", "{detail}", {"detail": detail})


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else str(value).strip()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = _text(value)
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return int(text)
    return None


def _http_url(value: Any, *, https_only: bool = False) -> str:
    text = _text(value)
    allowed = ("https",) if https_only else ("http", "https")
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in allowed or not parts.hostname:
        what = "an https:// URL" if https_only else "an http:// or https:// URL"
        raise _fail(f"must be {what}, got {text!r}")
    return text.rstrip("/")


# --------------------------------------------------------------------------- settings


class Settings(BaseSettings):
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

    # -- core
    raw_database_url: str | None = Field(None, validation_alias="DATABASE_URL", repr=False)
    data_dir: Path = Field(Path("./data"), validation_alias="CHATDESK_DATA_DIR")
    http_host: str = Field("127.0.0.1", validation_alias="CHATDESK_HTTP_HOST")
    http_port: int = Field(8080, validation_alias="CHATDESK_HTTP_PORT")
    timezone: str = Field("UTC", validation_alias="CHATDESK_TIMEZONE")
    default_language: Literal["en", "ru", "fa"] = Field(
        "en", validation_alias="CHATDESK_DEFAULT_LANGUAGE"
    )
    secret_key: str = Field("", validation_alias="CHATDESK_SECRET_KEY", repr=False)
    public_url: str | None = Field(None, validation_alias="CHATDESK_PUBLIC_URL")
    sandbox_port: int = Field(8081, validation_alias="CHATDESK_SANDBOX_PORT")
    callback_lock_minutes: int = Field(30, ge=1, le=24 * 60,
                                       validation_alias="CHATDESK_CALLBACK_LOCK_MINUTES")

    # -- Telegram
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

    # -- VK
    vk_group_token: str | None = Field(None, validation_alias="VK_GROUP_TOKEN", repr=False)
    vk_group_id: int | None = Field(None, validation_alias="VK_GROUP_ID")
    vk_api_url: str = Field("https://api.vk.com/method", validation_alias="VK_API_URL")
    vk_mode: Literal["callback", "longpoll"] = Field("callback", validation_alias="VK_MODE")
    vk_secret: str | None = Field(None, validation_alias="VK_SECRET", repr=False)
    vk_confirmation_code: str | None = Field(None, validation_alias="VK_CONFIRMATION_CODE")

    # -- Viber
    viber_auth_token: str | None = Field(None, validation_alias="VIBER_AUTH_TOKEN", repr=False)
    viber_api_url: str = Field("https://chatapi.viber.com/pa", validation_alias="VIBER_API_URL")
    viber_webhook_url: str | None = Field(None, validation_alias="VIBER_WEBHOOK_URL")
    viber_bot_name: str = Field("ChatDesk", validation_alias="VIBER_BOT_NAME")
    viber_bot_avatar: str | None = Field(None, validation_alias="VIBER_BOT_AVATAR")

    # ------------------------------------------------------------------ sources

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

    # ------------------------------------------------------------------ field checks

    @field_validator(
        "raw_database_url",
        "public_url",
        "telegram_bot_token",
        "telegram_agent_chat_id",
        "telegram_line2_chat_id",
        "telegram_webhook_url",
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
        return None if _blank(value) else value

    @field_validator("raw_database_url", mode="after")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return _normalise_database_url(_text(value))

    @field_validator("data_dir", mode="before")
    @classmethod
    def _check_data_dir(cls, value: Any) -> Path:
        if _blank(value):
            raise _fail("must be a directory path, got an empty value")
        return Path(_text(value)).expanduser().resolve()

    @field_validator("http_host", mode="before")
    @classmethod
    def _check_http_host(cls, value: Any) -> str:
        text = "" if value is None else _text(value)
        if not text or any(c.isspace() for c in text) or "/" in text:
            raise _fail(f"must be a host name or IP address to listen on, got {text!r}")
        return text

    @field_validator("http_port", "sandbox_port", mode="before")
    @classmethod
    def _check_http_port(cls, value: Any) -> int:
        number = _whole_number(value)
        if number is None or not 1 <= number <= 65535:
            raise _fail(f"must be a whole number from 1 to 65535, got {_text(value)!r}")
        return number

    @field_validator("timezone", mode="before")
    @classmethod
    def _check_timezone(cls, value: Any) -> str:
        text = "" if value is None else _text(value)
        try:
            ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise _fail(
                f"must be an IANA time zone name such as 'UTC' or 'Europe/Moscow', got {text!r}"
            ) from None
        return text

    @field_validator("default_language", mode="before")
    @classmethod
    def _check_language(cls, value: Any) -> str:
        text = "" if value is None else _text(value).lower()
        if text not in LANGUAGES:
            raise _fail(f"must be one of {', '.join(LANGUAGES)}, got {_text(value)!r}")
        return text

    @field_validator("secret_key", mode="before")
    @classmethod
    def _check_secret_key(cls, value: Any) -> str:
        if _blank(value):
            return ""  # generated and persisted in the data directory
        text = _text(value)
        if len(text) < MIN_SECRET_KEY_LENGTH:
            raise _fail(
                f"must be at least {MIN_SECRET_KEY_LENGTH} characters long, got {len(text)}"
                " (leave it unset to have one generated)"
            )
        return text

    @field_validator("public_url", "viber_webhook_url", "viber_bot_avatar", mode="after")
    @classmethod
    def _check_optional_http_url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value)

    @field_validator("telegram_api_url", "vk_api_url", "viber_api_url", mode="before")
    @classmethod
    def _check_api_url(cls, value: Any) -> str:
        return _http_url("" if value is None else value)

    @field_validator("telegram_webhook_url", mode="after")
    @classmethod
    def _check_telegram_webhook_url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value, https_only=True)

    @field_validator("telegram_bot_token", mode="after")
    @classmethod
    def _check_telegram_token(cls, value: str | None) -> str | None:
        if value is None:
            return None
        text = _text(value)
        if not _TELEGRAM_TOKEN_RE.fullmatch(text):
            # Never echo a token back: it ends up in logs.
            raise _fail(
                "must look like '123456789:AAE...' (digits, a colon, then letters, digits,"
                " '_' or '-') as given by @BotFather"
            )
        return text

    @field_validator("telegram_agent_chat_id", "telegram_line2_chat_id", mode="before")
    @classmethod
    def _check_group_chat_id(cls, value: Any) -> int | None:
        if _blank(value):
            return None
        number = _whole_number(value)
        if number is None or number >= 0:
            raise _fail(
                "must be a negative whole number (a supergroup id such as -1001234567890),"
                f" got {_text(value)!r}"
            )
        return number

    @field_validator("telegram_mode", mode="before")
    @classmethod
    def _check_telegram_mode(cls, value: Any) -> str:
        return _choice(value, ("polling", "webhook"))

    @field_validator("telegram_webhook_secret", mode="after")
    @classmethod
    def _check_webhook_secret(cls, value: str | None) -> str | None:
        if value is None:
            return None
        text = _text(value)
        if not _WEBHOOK_SECRET_RE.fullmatch(text):
            raise _fail(
                f"must be 1 to 256 characters of A-Z, a-z, 0-9, '_' or '-'"
                f" (got {len(text)} characters)"
            )
        return text

    @field_validator("vk_group_id", mode="before")
    @classmethod
    def _check_vk_group_id(cls, value: Any) -> int | None:
        if _blank(value):
            return None
        number = _whole_number(value)
        if number is None or number <= 0:
            raise _fail(
                "must be the community id as a positive whole number (without the minus sign),"
                f" got {_text(value)!r}"
            )
        return number

    @field_validator("vk_mode", mode="before")
    @classmethod
    def _check_vk_mode(cls, value: Any) -> str:
        return _choice(value, ("callback", "longpoll"))

    @field_validator(
        "vk_group_token", "vk_secret", "vk_confirmation_code", "viber_auth_token", mode="after"
    )
    @classmethod
    def _check_plain_secret(cls, value: str | None) -> str | None:
        if value is None:
            return None
        text = _text(value)
        if any(c.isspace() for c in text):
            raise _fail("must not contain spaces or line breaks")
        return text

    @field_validator("viber_bot_name", mode="before")
    @classmethod
    def _check_viber_bot_name(cls, value: Any) -> str:
        text = "" if value is None else _text(value)
        if not text or len(text) > 28:
            raise _fail(f"must be 1 to 28 characters, got {text!r}")
        return text

    # ------------------------------------------------------------------ cross checks + start-up

    @model_validator(mode="after")
    def _check_together_and_prepare(self) -> Settings:
        if self.telegram_bot_token is not None:
            if self.telegram_agent_chat_id is None:
                raise _fail(
                    "TELEGRAM_AGENT_CHAT_ID: is required when TELEGRAM_BOT_TOKEN is set"
                    " (the agents' supergroup id, such as -1001234567890)"
                )
            if self.telegram_mode == "webhook":
                if self.telegram_webhook_url is None:
                    raise _fail(
                        "TELEGRAM_WEBHOOK_URL: is required when TELEGRAM_MODE is webhook"
                        " (an https:// URL Telegram can reach)"
                    )
                if self.telegram_webhook_secret is None:
                    raise _fail(
                        "TELEGRAM_WEBHOOK_SECRET: is required when TELEGRAM_MODE is webhook"
                        " (1 to 256 characters of A-Z, a-z, 0-9, '_' or '-')"
                    )
        if (
            self.telegram_line2_chat_id is not None
            and self.telegram_line2_chat_id == self.telegram_agent_chat_id
        ):
            raise _fail(
                "TELEGRAM_LINE2_CHAT_ID: must differ from TELEGRAM_AGENT_CHAT_ID,"
                f" both are {self.telegram_agent_chat_id}"
            )
        if self.vk_group_token is not None and self.vk_group_id is None:
            raise _fail("VK_GROUP_ID: is required when VK_GROUP_TOKEN is set")

        _prepare_data_dir(self.data_dir)
        if not self.secret_key:
            self.secret_key = _load_or_create_secret_key(self.data_dir / SECRET_KEY_FILE)
        if self.raw_database_url is not None and self.raw_database_url.startswith("sqlite://"):
            _prepare_sqlite_dir(self.raw_database_url)
        return self

    # ------------------------------------------------------------------ derived values

    @property
    def database_url(self) -> str:
        """The database URL in the form tortoise-orm accepts (``sqlite://`` or ``postgres://``)."""
        if self.raw_database_url is not None:
            return self.raw_database_url
        return f"sqlite://{self.data_dir / SQLITE_FILE}"

    @property
    def database_url_redacted(self) -> str:
        """:attr:`database_url` with any password replaced by ``***`` (for logs)."""
        url = self.database_url
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.rsplit("@", 1)
        user = (parts.username or "") + ":***"
        return urlunsplit(parts._replace(netloc=f"{user}@{netloc[-1]}"))

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgres://")

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def secret_key_path(self) -> Path:
        return self.data_dir / SECRET_KEY_FILE

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None

    @property
    def vk_enabled(self) -> bool:
        return self.vk_group_token is not None

    @property
    def viber_enabled(self) -> bool:
        return self.viber_auth_token is not None

    def tortoise_config(self) -> dict[str, Any]:
        """The config dict for ``Tortoise.init(config=...)``; times are stored in UTC."""
        from storage.db import tortoise_config

        return tortoise_config(self.database_url)


# --------------------------------------------------------------------------- internals


def _choice(value: Any, options: tuple[str, ...]) -> str:
    text = "" if value is None else _text(value)
    if text.lower() not in options:
        raise _fail(f"must be {' or '.join(options)}, got {text!r}")
    return text.lower()


def _normalise_database_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in ("sqlite", "postgres", "postgresql"):
        shown = url if not sep else f"{scheme}://..."
        raise _fail(f"must start with sqlite://, postgres:// or postgresql://, got {shown!r}")
    if scheme == "sqlite":
        path, query_sep, query = rest.partition("?")
        if not path:
            raise _fail("needs a file path after sqlite://, such as sqlite://data/chatdesk.sqlite3")
        if path != ":memory:":
            path = str(Path(path).expanduser().resolve())
        return f"sqlite://{path}{query_sep}{query}"
    normalised = f"postgres://{rest}"
    try:
        parts = urlsplit(normalised)
        _ = parts.port
    except ValueError:
        raise _fail("is not a valid postgres:// URL (check the port number)") from None
    if not parts.path.strip("/"):
        raise _fail("needs a database name, such as postgres://user:password@host:5432/chatdesk")
    return normalised


def _prepare_data_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(
            f"CHATDESK_DATA_DIR: cannot create directory {str(path)!r}: {exc.strerror or exc}"
        ) from None
    if not path.is_dir():
        raise _fail(f"CHATDESK_DATA_DIR: {str(path)!r} is not a directory")
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise _fail(
            f"CHATDESK_DATA_DIR: directory {str(path)!r} is not writable: {exc.strerror or exc}"
        ) from None


def _prepare_sqlite_dir(url: str) -> None:
    path = url.removeprefix("sqlite://").partition("?")[0]
    if path == ":memory:":
        return
    parent = Path(path).parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(
            f"DATABASE_URL: cannot create directory {str(parent)!r} for the SQLite file:"
            f" {exc.strerror or exc}"
        ) from None


def _load_or_create_secret_key(path: Path) -> str:
    """Read the persisted key, or create it (mode 0600) if this is the first start."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise _fail(
            f"CHATDESK_SECRET_KEY: not set and cannot create {str(path)!r}: {exc.strerror or exc}"
        ) from None
    else:
        key = secrets.token_urlsafe(48)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key + "\n")
        return key

    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        key = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"CHATDESK_SECRET_KEY: not set and cannot read {str(path)!r}: {exc}") from None
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise _fail(
            f"CHATDESK_SECRET_KEY: the stored key in {str(path)!r} is shorter than"
            f" {MIN_SECRET_KEY_LENGTH} characters; delete the file to generate a new one"
        )
    return key


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
