"""Tables of the call-back queue (docs/DOMAIN.md §10): the requests and their history."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class CallbackRequestRow(Model):
    """A request from the web call-back form. version guards the processing lock."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    phone = fields.CharField(max_length=40)
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField(db_index=True)
    state = fields.CharField(max_length=12, default="new", db_index=True)
    holder_id = fields.IntField(null=True)
    held_since = fields.DatetimeField(null=True)
    processed_by = fields.IntField(null=True)
    processed_at = fields.DatetimeField(null=True)
    processing_seconds = fields.IntField(null=True)
    postponed_until = fields.DatetimeField(null=True)
    version = fields.IntField(default=0)

    class Meta:
        table = "callback_requests"


class CallbackChangeRow(Model):
    """One line of a call-back request's history (employee_id null: the web form)."""

    id = fields.BigIntField(primary_key=True)
    request_id = fields.IntField(db_index=True)
    at = fields.DatetimeField()
    employee_id = fields.IntField(null=True)
    action = fields.CharField(max_length=20)
    detail = fields.CharField(max_length=200, default="")

    class Meta:
        table = "callback_history"
