"""How the panel runs: cookie security, session lifetime, languages, the desk's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network


@dataclass(frozen=True)
class ChannelInfo:
    """What the channels page shows; tokens arrive already masked."""

    name: str
    enabled: bool
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PanelConfig:
    secure_cookies: bool = False  # on when the public URL is https
    session_ttl: timedelta = timedelta(hours=12)
    default_language: str = "en"
    timezone: str = "UTC"
    channels: tuple[ChannelInfo, ...] = ()
    callback_lock: timedelta = timedelta(minutes=30)  # §10: a lock this old may be taken over
    callback_form_limit: int = 5  # public call-back form submissions per address...
    callback_form_window: timedelta = timedelta(minutes=10)  # ...in this window
    # peers whose X-Forwarded-For is believed (CHATDESK_TRUSTED_PROXIES)
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()


def mask(secret: str | None) -> str:
    """`123456:ABCdef...xyz` -> `1234…xyz`: enough to recognise, not to use."""
    if not secret:
        return ""
    return secret[:4] + "…" + secret[-3:] if len(secret) > 10 else "…"


def without_passwords(urls: str) -> str:
    """`imaps://user:secret@host/INBOX` -> `imaps://user:…@host/INBOX`."""
    return re.sub(r"(://[^:/@\s]*):[^@\s]*@", r"\1:…@", urls)


def config_from_settings(settings: object) -> PanelConfig:
    """Build the panel config from chatdesk.settings.Settings (read by attribute, so the
    panel does not import the settings module's validation)."""
    public = str(getattr(settings, "public_url", None) or "")
    channels = []
    for name, prefix in (("telegram", "telegram"), ("vk", "vk"), ("viber", "viber"),
                         ("email", "mail")):
        details = {}
        for attr in dir(settings):
            if attr.startswith(f"{prefix}_") and not attr.endswith(("_enabled", "_sends")):
                value = getattr(settings, attr, None)
                if value is None or callable(value):
                    continue
                secret = any(w in attr for w in ("token", "secret", "key"))
                shown = mask(str(value)) if secret else str(value)
                if attr in ("mail_imap", "mail_smtp"):  # URLs with a password in them
                    shown = without_passwords(str(value))
                details[attr[len(prefix) + 1:]] = shown
        channels.append(ChannelInfo(name, bool(getattr(settings, f"{prefix}_enabled", False)),
                                    details))
    return PanelConfig(
        secure_cookies=public.startswith("https://"),
        default_language=str(getattr(settings, "default_language", "en") or "en"),
        timezone=str(getattr(settings, "timezone", "UTC") or "UTC"),
        channels=tuple(channels),
        callback_lock=timedelta(minutes=int(getattr(settings, "callback_lock_minutes", 30))),
        trusted_proxies=tuple(getattr(settings, "trusted_proxies", ()) or ()),
    )
