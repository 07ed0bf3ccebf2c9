"""Tortoise models: private to storage/. The rest of the code sees core objects only."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class StatusRow(Model):
    code = fields.CharField(max_length=40, primary_key=True)
    name = fields.CharField(max_length=100)
    state = fields.CharField(max_length=10)
    system = fields.BooleanField(default=False)
    pauses_sla = fields.BooleanField(default=False)
    excluded_from_load = fields.BooleanField(default=False)
    notify_client = fields.BooleanField(default=True)
    color = fields.CharField(max_length=20, default="#888888")
    position = fields.IntField(default=0)
    # {"ru": ..., "fa": ...} beside the default name
    names: dict[str, str] | None = fields.JSONField(null=True)

    class Meta:
        table = "statuses"


class PriorityRow(Model):
    code = fields.CharField(max_length=40, primary_key=True)
    name = fields.CharField(max_length=100)
    color = fields.CharField(max_length=20, default="#888888")
    position = fields.IntField(default=0)
    # {"ru": ..., "fa": ...} beside the default name
    names: dict[str, str] | None = fields.JSONField(null=True)

    class Meta:
        table = "priorities"


class TicketTypeRow(Model):
    code = fields.CharField(max_length=40, primary_key=True)
    name = fields.CharField(max_length=100)
    internal = fields.BooleanField(default=False)
    position = fields.IntField(default=0)
    # {"ru": ..., "fa": ...} beside the default name
    names: dict[str, str] | None = fields.JSONField(null=True)

    class Meta:
        table = "ticket_types"


class SettingRow(Model):
    key = fields.CharField(max_length=100, primary_key=True)
    value: Any = fields.JSONField()

    class Meta:
        table = "settings"


class CompanyRow(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    category = fields.CharField(max_length=100, default="Client")
    manager_id = fields.IntField(null=True)
    email_domain = fields.CharField(max_length=200, null=True)

    class Meta:
        table = "companies"


class ContactRow(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    phone = fields.CharField(max_length=40, null=True, db_index=True)
    email = fields.CharField(max_length=200, null=True, db_index=True)
    company_id = fields.IntField(null=True)
    manager_id = fields.IntField(null=True)
    language = fields.CharField(max_length=16, null=True)
    current_ticket_id = fields.IntField(null=True)
    wants_new_ticket = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "contacts"


class IdentityRow(Model):
    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=20)
    external_id = fields.CharField(max_length=320)  # an e-mail address may have 320
    contact_id = fields.IntField(db_index=True)

    class Meta:
        table = "contact_identities"
        unique_together = (("channel", "external_id"),)


class EmployeeRow(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    login = fields.CharField(max_length=64, unique=True)
    role = fields.CharField(max_length=20)
    active = fields.BooleanField(default=True)
    telegram_id = fields.BigIntField(null=True, unique=True)
    password_hash = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "employees"


class GroupRow(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    assignment = fields.CharField(max_length=20, default="least_loaded")
    # {"ru": ..., "fa": ...} beside the default name
    names: dict[str, str] | None = fields.JSONField(null=True)
    telegram_chat_id = fields.BigIntField(null=True)  # the group's own agents' forum

    class Meta:
        table = "employee_groups"


class GroupMemberRow(Model):
    id = fields.IntField(primary_key=True)
    group_id = fields.IntField(db_index=True)
    employee_id = fields.IntField(db_index=True)
    notify = fields.BooleanField(default=False)

    class Meta:
        table = "employee_group_members"
        unique_together = (("group_id", "employee_id"),)


class TicketRow(Model):
    id = fields.IntField(primary_key=True)
    subject = fields.CharField(max_length=200)
    channel = fields.CharField(max_length=20)
    contact_id = fields.IntField(db_index=True)
    status = fields.CharField(max_length=40, db_index=True)
    priority = fields.CharField(max_length=40)
    type_code = fields.CharField(max_length=40, null=True)
    line = fields.SmallIntField(default=1)
    responsible_id = fields.IntField(null=True, db_index=True)
    group_id = fields.IntField(null=True)
    observer_ids: list[int] = fields.JSONField(default=list)
    observer_group_ids: list[int] = fields.JSONField(default=list)
    attributes: dict[str, Any] = fields.JSONField(default=dict)
    on_hold_until = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    linked_from_id = fields.IntField(null=True)
    line1_responsible_id = fields.IntField(null=True)
    rating = fields.SmallIntField(null=True)
    rating_comment = fields.TextField(null=True)
    planned_reaction_at = fields.DatetimeField(null=True)
    planned_resolution_at = fields.DatetimeField(null=True)
    resolution_set_by_hand = fields.BooleanField(default=False)
    reacted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(db_index=True)
    version = fields.IntField(default=0)

    class Meta:
        table = "tickets"
        indexes = (Index(fields=["status", "planned_resolution_at"],
                         name="idx_tickets_status_due"),
                   Index(fields=["channel"], name="idx_tickets_channel"))


class CommentRow(Model):
    id = fields.IntField(primary_key=True)
    ticket_id = fields.IntField(db_index=True)
    author_kind = fields.CharField(max_length=10)
    author_id = fields.IntField(null=True)
    body = fields.TextField()
    public = fields.BooleanField()
    channel = fields.CharField(max_length=20)
    attachments: list[Any] = fields.JSONField(default=list)
    delivery = fields.CharField(max_length=10, default="pending")
    created_at = fields.DatetimeField()

    class Meta:
        table = "comments"


class HistoryRow(Model):
    id = fields.BigIntField(primary_key=True)
    ticket_id = fields.IntField(db_index=True)
    at = fields.DatetimeField()
    actor_kind = fields.CharField(max_length=10)
    actor_id = fields.IntField(null=True)
    field = fields.CharField(max_length=60)
    old = fields.TextField(null=True)
    new = fields.TextField(null=True)

    class Meta:
        table = "ticket_history"
        indexes = (Index(fields=["field", "at"], name="idx_history_field_at"),)


class TicketMetricsRow(Model):
    """What the reports need of a ticket's history (core.metrics.TicketMetrics), derived:
    kept by database triggers on ticket_history and comments in the transaction that writes
    them (storage/ticket_metrics.py), rebuilt from the history by `chatdesk metrics
    rebuild`."""

    ticket_id = fields.IntField(primary_key=True)
    created_at = fields.DatetimeField(null=True)
    first_response_at = fields.DatetimeField(null=True)
    first_response_seconds = fields.FloatField(null=True)
    first_responder_id = fields.IntField(null=True)
    left_open_at = fields.DatetimeField(null=True)
    resolution_seconds = fields.FloatField(default=0)
    counting_since = fields.DatetimeField(null=True)
    # the ticket's columns the reports filter and count by, copied by a trigger on tickets,
    # so a report reads this narrow table alone
    registered_at = fields.DatetimeField(null=True)
    contact_id = fields.IntField(null=True)
    responsible_id = fields.IntField(null=True)
    status = fields.CharField(max_length=40, null=True)
    rating = fields.SmallIntField(null=True)
    planned_reaction_at = fields.DatetimeField(null=True)
    planned_resolution_at = fields.DatetimeField(null=True)

    class Meta:
        table = "ticket_metrics"
        indexes = (Index(fields=["registered_at"], name="idx_metrics_registered"),)


class EventRow(Model):
    id = fields.BigIntField(primary_key=True)
    ticket_id = fields.IntField(db_index=True)
    name = fields.CharField(max_length=60)
    at = fields.DatetimeField()
    actor_kind = fields.CharField(max_length=10)
    actor_id = fields.IntField(null=True)
    data: dict[str, Any] = fields.JSONField(default=dict)

    class Meta:
        table = "ticket_events"


class OutboxRow(Model):
    id = fields.BigIntField(primary_key=True)
    channel = fields.CharField(max_length=20)
    audience = fields.CharField(max_length=10)
    kind = fields.CharField(max_length=40)
    ticket_id = fields.IntField(db_index=True)
    recipient = fields.CharField(max_length=320, null=True)  # an e-mail address too
    comment_id = fields.IntField(null=True)
    payload: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    state = fields.CharField(max_length=10, default="pending")  # pending, sent, failed
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    last_error = fields.TextField(null=True)
    sent_at = fields.DatetimeField(null=True)
    # who is sending it: the relay's id and the leader's fencing token (storage/leadership.py)
    claim_token = fields.BigIntField(null=True)
    claimed_by = fields.CharField(max_length=40, null=True)

    class Meta:
        table = "outbox"
        indexes = (("channel", "state", "next_attempt_at"),)


class InboundRow(Model):
    """A platform update, stored before it is acknowledged so a crash loses nothing and a
    re-delivery is recognised by its (channel, external_id)."""

    id = fields.BigIntField(primary_key=True)
    channel = fields.CharField(max_length=20)
    # a mail's Message-ID: a header line may hold 998 characters (RFC 5322)
    external_id = fields.CharField(max_length=998)
    payload: Any = fields.JSONField()
    received_at = fields.DatetimeField()
    state = fields.CharField(max_length=10, default="pending")  # pending, done, failed
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)

    class Meta:
        table = "inbound"
        unique_together = (("channel", "external_id"),)


class CannedGroupRow(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    position = fields.IntField(default=0)
    # {"ru": ..., "fa": ...} beside the default name
    names: dict[str, str] | None = fields.JSONField(null=True)

    class Meta:
        table = "canned_groups"


class CannedAnswerRow(Model):
    id = fields.IntField(primary_key=True)
    group_id = fields.IntField(db_index=True)
    title = fields.CharField(max_length=100)
    body = fields.TextField()
    position = fields.IntField(default=0)
    # {"ru": ..., "fa": ...} beside the title
    names: dict[str, str] | None = fields.JSONField(null=True)

    class Meta:
        table = "canned_answers"


class TelegramTopicRow(Model):
    ticket_id = fields.IntField(primary_key=True, generated=False)
    chat_id = fields.BigIntField()
    thread_id = fields.BigIntField()
    card_message_id = fields.BigIntField(null=True)
    title = fields.CharField(max_length=128, default="")
    closed = fields.BooleanField(default=False)

    class Meta:
        table = "telegram_topics"
        unique_together = (("chat_id", "thread_id"),)


class PanelSessionRow(Model):
    """A signed-in panel session. Only a hash of the cookie value is kept."""

    id_hash = fields.CharField(max_length=64, primary_key=True)
    employee_id = fields.IntField(db_index=True)
    csrf_token = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "panel_sessions"


class LoginFailureRow(Model):
    id = fields.BigIntField(primary_key=True)
    login = fields.CharField(max_length=64, db_index=True)
    ip = fields.CharField(max_length=64, db_index=True)
    at = fields.DatetimeField()

    class Meta:
        table = "panel_login_failures"


class ApiTokenRow(Model):
    """An API token of an employee. The token is shown once, only its hash is kept."""

    id = fields.IntField(primary_key=True)
    employee_id = fields.IntField(db_index=True)
    name = fields.CharField(max_length=100)
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=16)
    created_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField(null=True)
    revoked = fields.BooleanField(default=False)

    class Meta:
        table = "api_tokens"


class PanelPreferenceRow(Model):
    employee_id = fields.IntField(primary_key=True, generated=False)
    language = fields.CharField(max_length=8)

    class Meta:
        table = "panel_preferences"


class AttributeDefinitionRow(Model):
    """A custom ticket attribute (§9.5). Its values live in tickets.attributes by code."""

    code = fields.CharField(max_length=40, primary_key=True)
    name = fields.CharField(max_length=100)
    kind = fields.CharField(max_length=10, default="text")
    options: list[str] = fields.JSONField(default=list)
    visible_to: list[str] = fields.JSONField(default=list)  # role values
    required = fields.BooleanField(default=False)
    position = fields.IntField(default=0)
    enabled = fields.BooleanField(default=True)

    class Meta:
        table = "attribute_definitions"
