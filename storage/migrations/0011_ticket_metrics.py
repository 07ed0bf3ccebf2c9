"""Issue 16: the per-ticket metrics row the reports and the dashboard read in SQL (first
response, when it left the open states, open non-pausing time), kept by triggers on
ticket_history and comments in the writing transaction, with the ticket's columns the reports
count by copied by a trigger on tickets; filled from the history of the tickets already
there."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from storage.ticket_metrics import install_triggers, rebuild_in_migration


class Migration(migrations.Migration):
    dependencies = [('models', '0010_scale_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TicketMetricsRow',
            fields=[
                ('ticket_id', fields.IntField(primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(null=True, auto_now=False,
                                                    auto_now_add=False)),
                ('first_response_at', fields.DatetimeField(null=True, auto_now=False,
                                                           auto_now_add=False)),
                ('first_response_seconds', fields.FloatField(null=True)),
                ('first_responder_id', fields.IntField(null=True)),
                ('left_open_at', fields.DatetimeField(null=True, auto_now=False,
                                                      auto_now_add=False)),
                ('resolution_seconds', fields.FloatField(default=0)),
                ('counting_since', fields.DatetimeField(null=True, auto_now=False,
                                                        auto_now_add=False)),
                ('registered_at', fields.DatetimeField(null=True, auto_now=False,
                                                       auto_now_add=False)),
                ('contact_id', fields.IntField(null=True)),
                ('responsible_id', fields.IntField(null=True)),
                ('status', fields.CharField(null=True, max_length=40)),
                ('rating', fields.SmallIntField(null=True)),
                ('planned_reaction_at', fields.DatetimeField(null=True, auto_now=False,
                                                             auto_now_add=False)),
                ('planned_resolution_at', fields.DatetimeField(null=True, auto_now=False,
                                                               auto_now_add=False)),
            ],
            options={'table': 'ticket_metrics', 'app': 'models', 'pk_attr': 'ticket_id',
                     'table_description': "What the reports need of a ticket's history."},
            bases=['Model'],
        ),
        ops.AddIndex(model_name='TicketMetricsRow', index=Index(
            fields=['registered_at'], name='idx_metrics_registered')),
        ops.RunPython(install_triggers),
        ops.RunPython(rebuild_in_migration),
    ]
