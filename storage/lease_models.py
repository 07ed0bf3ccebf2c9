"""Tortoise model of the leader's lease: private to storage/ (storage/leadership.py reads
and writes it)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class LeaderLeaseRow(Model):
    """Which instance leads (runs the pollers, the outbox relays and the timers) and until
    when, in seconds since the epoch by the database's clock. The token grows by one at
    every change of leader: the fencing token that outbox claims carry."""

    name = fields.CharField(max_length=40, primary_key=True)
    holder = fields.CharField(max_length=200, default="")
    token = fields.BigIntField(default=0)
    acquired_at = fields.FloatField(default=0)
    renewed_at = fields.FloatField(default=0)
    expires_at = fields.FloatField(default=0)

    class Meta:
        table = "leader_lease"
