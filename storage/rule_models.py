"""Tortoise models of the desk's rules and timers: private to storage/. Conditions and
actions are JSON (storage/rule_codec.py reads and writes them)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class CalendarRow(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    timezone = fields.CharField(max_length=64)
    # {"0": [["09:00", "18:00"]], ...}, Monday = 0
    week: dict[str, Any] = fields.JSONField(default=dict)

    class Meta:
        table = "service_calendars"


class CalendarExceptionRow(Model):
    """A holiday (no intervals) or a day with other hours than its weekday."""

    id = fields.IntField(primary_key=True)
    calendar_id = fields.IntField(db_index=True)
    day = fields.DateField()
    intervals: list[Any] = fields.JSONField(default=list)

    class Meta:
        table = "service_calendar_exceptions"
        unique_together = (("calendar_id", "day"),)


class SlaRuleRow(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    position = fields.IntField(default=0)
    enabled = fields.BooleanField(default=True)
    conditions: dict[str, Any] = fields.JSONField(default=dict)
    calendar_id = fields.IntField()
    reaction_seconds = fields.IntField(null=True)
    resolution_seconds = fields.IntField(null=True)
    warning_share = fields.FloatField(default=0.8)

    class Meta:
        table = "sla_rules"


class RoutingRuleRow(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    position = fields.IntField(default=0)
    enabled = fields.BooleanField(default=True)
    conditions: dict[str, Any] = fields.JSONField(default=dict)
    responsible_id = fields.IntField(null=True)
    group_id = fields.IntField(null=True)
    observer_ids: list[int] = fields.JSONField(default=list)
    observer_group_ids: list[int] = fields.JSONField(default=list)

    class Meta:
        table = "routing_rules"


class AutomationRuleRow(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    position = fields.IntField(default=0)
    enabled = fields.BooleanField(default=True)
    event = fields.CharField(max_length=20)  # the trigger
    conditions: dict[str, Any] = fields.JSONField(default=dict)
    actions: list[Any] = fields.JSONField(default=list)
    field_name = fields.CharField(max_length=60, null=True)
    from_statuses: list[str] = fields.JSONField(default=list)
    idle_hours = fields.FloatField(null=True)
    # {"ru": ..., "fa": ...} beside the default name
    names: dict[str, str] | None = fields.JSONField(null=True)

    class Meta:
        table = "automation_rules"


class MacroRow(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    position = fields.IntField(default=0)
    enabled = fields.BooleanField(default=True)
    actions: list[Any] = fields.JSONField(default=list)

    class Meta:
        table = "macros"


class RecurringScheduleRow(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    position = fields.IntField(default=0)
    enabled = fields.BooleanField(default=True)
    cron = fields.CharField(max_length=100)
    timezone = fields.CharField(max_length=64)
    contact_id = fields.IntField()
    template: dict[str, Any] = fields.JSONField(default=dict)
    starts_at = fields.DatetimeField()
    last_run_at = fields.DatetimeField(null=True)

    class Meta:
        table = "recurring_schedules"


class NoticeTemplateRow(Model):
    key = fields.CharField(max_length=100, primary_key=True)
    body = fields.TextField()

    class Meta:
        table = "notice_templates"


class GroupRotationRow(Model):
    """Round-robin memory: the member a group gave its last ticket to."""

    group_id = fields.IntField(primary_key=True, generated=False)
    last_employee_id = fields.IntField()

    class Meta:
        table = "group_rotation"


class DeskTimerRow(Model):
    """A due time, pending until fired (done). A worker claims a due one until lease_until,
    after which another worker may take it over."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=40)
    ticket_id = fields.IntField(null=True, db_index=True)
    ref_id = fields.IntField(null=True)
    due_at = fields.DatetimeField()
    state = fields.CharField(max_length=10, default="pending")  # pending, claimed, done, failed
    owner = fields.CharField(max_length=100, null=True)
    lease_until = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)
    fired_at = fields.DatetimeField(null=True)

    class Meta:
        table = "desk_timers"
        indexes = (("state", "due_at"),)
