"""The channels page in words: each setting, live detail, mode and worker by the name an
administrator reads (translated by the panel's catalog), never the variable's own name."""

from __future__ import annotations

import re

SETTINGS = {  # the part of a setting's name after its channel's prefix
    "bot_token": "Bot token", "api_url": "API address", "agent_chat_id": "Agents' group",
    "line2_chat_id": "Second line's group", "mode": "Mode", "webhook_url": "Webhook address",
    "webhook_secret": "Webhook secret", "helper_bot_tokens": "Helper bots' tokens",
    "limits_time_scale": "Time scale of the rate limits (1 = real time)",
    "group_token": "Community token", "group_id": "Community id", "secret": "Secret key",
    "confirmation_code": "Confirmation code", "auth_token": "Bot token",
    "bot_name": "Sender name", "bot_avatar": "Sender picture", "imap": "Mailboxes (IMAP)",
    "smtp": "Outgoing mail server (SMTP)", "from": "Sender address",
    "idle": "Wait for new mail with IMAP IDLE", "poll_seconds": "Check the mailbox every, s",
    "per_minute": "Mails sent a minute at most", "max_file_bytes": "Largest file, bytes",
    "max_message_bytes": "Largest mail, bytes", "done_folder": "Folder for taken mail",
    "ca_file": "Trusted certificate file",
}
LIVE = {
    "pending_update_count": "Updates waiting at Telegram", "url": "Webhook address",
    "last_error_message": "Last error", "last_error_date": "Last error at",
    "configured_mode": "Configured mode",
}
MODES = {"polling": "polling", "webhook": "webhook", "callback": "Callback API",
         "longpoll": "Long Poll", "imap": "IMAP", "unknown": "unknown"}
WORKERS = {
    "timers": "Timers", "telegram-relay": "Telegram: sending",
    "telegram-polling": "Telegram: receiving", "vk-relay": "VK: sending",
    "vk-longpoll": "VK: receiving", "viber-relay": "Viber: sending",
    "viber-webhook": "Viber: webhook registration", "mail-relay": "E-mail: sending",
}
_BOT = re.compile(r"bot (\d+)")
_BOT_COUNTS = re.compile(r"posts=(\d+) 429=(\d+)")
_INBOX = re.compile(r"mail-inbox-(\d+)")


def setting(key: str) -> str:
    return SETTINGS.get(key, key)


def live(key: str) -> tuple[str, dict[str, str]]:
    """A live detail's label and its parameters: "bot 123" -> ("Bot {id}", {"id": "123"})."""
    bot = _BOT.fullmatch(key)
    if bot:
        return "Bot {id}: posts / refused with 429", {"id": bot.group(1)}
    return LIVE.get(key, key), {}


def live_value(key: str, value: str) -> str:
    counts = _BOT_COUNTS.fullmatch(value) if _BOT.fullmatch(key) else None
    return f"{counts.group(1)} / {counts.group(2)}" if counts else value


def worker(name: str) -> tuple[str, dict[str, str]]:
    inbox = _INBOX.fullmatch(name)
    if inbox:
        return "E-mail: mailbox {number}", {"number": inbox.group(1)}
    return WORKERS.get(name, name), {}
