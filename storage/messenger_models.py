"""Tortoise model of what the VK and Viber adapters remember between runs: private to
storage/ (storage/messenger_state.py reads and writes it)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class MessengerStateRow(Model):
    """What a messenger adapter keeps between runs, by channel and key.

    The VK long-poll position, a client who unsubscribed from the Viber bot or denied VK
    messages, the comment a sent Viber message carried."""

    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=20)
    key = fields.CharField(max_length=120)
    value: dict[str, Any] = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "messenger_state"
        unique_together = (("channel", "key"),)
