"""The desk's own settings (database, data directory, HTTP address, time zone, language,
secret key, public URL), their checks, and the values derived from them."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import NoDecode

from chatdesk.settings_data_dir import MIN_SECRET_KEY_LENGTH, SECRET_KEY_FILE
from chatdesk.settings_database import SQLITE_FILE, normalise_database_url, redacted
from chatdesk.settings_values import (
    blank,
    fail,
    stripped,
    stripped_or_empty,
    whole_number,
)

LANGUAGES: tuple[str, ...] = ("en", "ru", "fa")
Networks = tuple[IPv4Network | IPv6Network, ...]


class CoreSettings(BaseModel):
    """Part of :class:`chatdesk.settings.Settings`; aliases are the environment variables.
    Blank values, API and optional URLs and plain secrets are checked there."""

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
    # the reverse proxies whose X-Forwarded-For names the client (sign-in throttling)
    trusted_proxies: Annotated[Networks, NoDecode] = Field(
        (), validation_alias="CHATDESK_TRUSTED_PROXIES")
    # several instances on one PostgreSQL: a standby takes over this long after the leader
    # is gone (README "More than one instance")
    leader_lease_seconds: int = Field(10, ge=1, le=600,
                                      validation_alias="CHATDESK_LEADER_LEASE_SECONDS")

    # ------------------------------------------------------------------ field checks

    @field_validator("raw_database_url", mode="after")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return normalise_database_url(stripped(value))

    @field_validator("data_dir", mode="before")
    @classmethod
    def _check_data_dir(cls, value: Any) -> Path:
        if blank(value):
            raise fail("must be a directory path, got an empty value")
        return Path(stripped(value)).expanduser().resolve()

    @field_validator("http_host", mode="before")
    @classmethod
    def _check_http_host(cls, value: Any) -> str:
        host = stripped_or_empty(value)
        if not host or any(c.isspace() for c in host) or "/" in host:
            raise fail(f"must be a host name or IP address to listen on, got {host!r}")
        return host

    @field_validator("http_port", "sandbox_port", mode="before")
    @classmethod
    def _check_http_port(cls, value: Any) -> int:
        number = whole_number(value)
        if number is None or not 1 <= number <= 65535:
            raise fail(f"must be a whole number from 1 to 65535, got {stripped(value)!r}")
        return number

    @field_validator("timezone", mode="before")
    @classmethod
    def _check_timezone(cls, value: Any) -> str:
        name = stripped_or_empty(value)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise fail(
                f"must be an IANA time zone name such as 'UTC' or 'Europe/Moscow', got {name!r}"
            ) from None
        return name

    @field_validator("default_language", mode="before")
    @classmethod
    def _check_language(cls, value: Any) -> str:
        language = stripped_or_empty(value).lower()
        if language not in LANGUAGES:
            raise fail(f"must be one of {', '.join(LANGUAGES)}, got {stripped(value)!r}")
        return language

    @field_validator("secret_key", mode="before")
    @classmethod
    def _check_secret_key(cls, value: Any) -> str:
        if blank(value):
            return ""  # generated and persisted in the data directory
        key = stripped(value)
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise fail(
                f"must be at least {MIN_SECRET_KEY_LENGTH} characters long, got {len(key)}"
                " (leave it unset to have one generated)"
            )
        return key

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _check_trusted_proxies(cls, value: Any) -> Networks:
        if isinstance(value, tuple | list):
            return tuple(value)
        networks = []
        for item in stripped_or_empty(value).split(","):
            if not item.strip():
                continue
            try:
                networks.append(ip_network(item.strip(), strict=False))
            except ValueError:
                raise fail(
                    "must be IP addresses or networks separated by commas, such as"
                    f" '10.0.0.5, 172.16.0.0/12', got {item.strip()!r}"
                ) from None
        return tuple(networks)

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
        return redacted(self.database_url)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgres://")

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def secret_key_path(self) -> Path:
        return self.data_dir / SECRET_KEY_FILE

    def tortoise_config(self) -> dict[str, Any]:
        """The config dict for ``Tortoise.init(config=...)``; times are stored in UTC."""
        from storage.db import tortoise_config

        return tortoise_config(self.database_url)
