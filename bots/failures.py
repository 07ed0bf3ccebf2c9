"""Why a message did not reach its client, as one of a few reasons a person can act on.

The senders record a platform's refusal as the platform words it (Telegram has no error
codes, only descriptions such as "Bad Request: chat not found"; VK has numbered errors, Viber
numbered statuses), and the relay records the last network error once its retries run out.
This reads those records into a reason; the panel words each reason in the viewer's
language. Reading the record (not storing a code) also explains rows that failed before."""

from __future__ import annotations

from enum import StrEnum


class FailureReason(StrEnum):
    NO_CHAT = "no_chat"  # the messenger has no such chat or user
    BLOCKED = "blocked"  # the client blocked the bot, unsubscribed or denied messages
    TOO_LONG = "too_long"  # the text or a file is over the messenger's limit
    NETWORK = "network"  # the messenger could not be reached; the retries ran out
    OTHER = "other"


# Checked in this order, each against the lower-cased record.
_SIGNS: tuple[tuple[FailureReason, tuple[str, ...]], ...] = (
    (FailureReason.TOO_LONG, ("too long", "too large", "too big", "vk error 914")),
    (FailureReason.NO_CHAT, (
        "chat not found", "user not found", "peer_id_invalid", "not registered",
        "no suitable device", "has no vk id", "has no viber id", "can't initiate conversation")),
    (FailureReason.BLOCKED, (
        "blocked", "bot was kicked", "user is deactivated", "not subscribed", "unsubscribed",
        "denied messages", "vk error 900", "vk error 901", "vk error 902", "forbidden")),
    (FailureReason.NETWORK, (
        "networkerror", "servererror", "connectorerror", "serverdisconnected",
        "connectionerror", "clientoserror", "timeouterror", "timeout:", "readtimeout", "oserror",
        "cannot connect", "connection reset", "bad gateway")),
)


def failure_reason(error: str | None) -> FailureReason:
    """The reason behind a recorded delivery error (OTHER when it says nothing known)."""
    text = (error or "").lower()
    for reason, signs in _SIGNS:
        if any(sign in text for sign in signs):
            return reason
    return FailureReason.OTHER
