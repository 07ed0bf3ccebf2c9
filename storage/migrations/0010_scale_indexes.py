"""Indexes the ticket list, the dashboard and its chart need on a desk of 100,000 tickets
and more (issue 16): open tickets by due time (overdue, due today), tickets by channel,
and the status changes of a period (created vs resolved)."""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0009_names_per_language')]

    initial = False

    operations = [
        ops.AddIndex(model_name='TicketRow', index=Index(
            fields=['status', 'planned_resolution_at'], name='idx_tickets_status_due')),
        ops.AddIndex(model_name='TicketRow', index=Index(
            fields=['channel'], name='idx_tickets_channel')),
        ops.AddIndex(model_name='HistoryRow', index=Index(
            fields=['field', 'at'], name='idx_history_field_at')),
    ]
