from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_panel_auth')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AutomationRuleRow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('position', fields.IntField(default=0)),
                ('enabled', fields.BooleanField(default=True)),
                ('event', fields.CharField(max_length=20)),
                ('conditions', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('actions', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('field_name', fields.CharField(null=True, max_length=60)),
                ('from_statuses', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('idle_hours', fields.FloatField(null=True)),
            ],
            options={'table': 'automation_rules', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CalendarExceptionRow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('calendar_id', fields.IntField(db_index=True)),
                ('day', fields.DateField()),
                ('intervals', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'service_calendar_exceptions', 'app': 'models', 'unique_together': (('calendar_id', 'day'),), 'pk_attr': 'id', 'table_description': 'A holiday (no intervals) or a day with other hours than its weekday.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CalendarRow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('timezone', fields.CharField(max_length=64)),
                ('week', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'service_calendars', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeskTimerRow',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=40)),
                ('ticket_id', fields.IntField(null=True, db_index=True)),
                ('ref_id', fields.IntField(null=True)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('state', fields.CharField(default='pending', max_length=10)),
                ('owner', fields.CharField(null=True, max_length=100)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('fired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'desk_timers', 'app': 'models', 'indexes': [Index(fields=['state', 'due_at'])], 'pk_attr': 'id', 'table_description': 'A due time, pending until fired (done). A worker claims a due one until lease_until,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GroupRotationRow',
            fields=[
                ('group_id', fields.IntField(primary_key=True, unique=True, db_index=True)),
                ('last_employee_id', fields.IntField()),
            ],
            options={'table': 'group_rotation', 'app': 'models', 'pk_attr': 'group_id', 'table_description': 'Round-robin memory: the member a group gave its last ticket to.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MacroRow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('position', fields.IntField(default=0)),
                ('enabled', fields.BooleanField(default=True)),
                ('actions', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'macros', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NoticeTemplateRow',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=100)),
                ('body', fields.TextField(unique=False)),
            ],
            options={'table': 'notice_templates', 'app': 'models', 'pk_attr': 'key'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecurringScheduleRow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('position', fields.IntField(default=0)),
                ('enabled', fields.BooleanField(default=True)),
                ('cron', fields.CharField(max_length=100)),
                ('timezone', fields.CharField(max_length=64)),
                ('contact_id', fields.IntField()),
                ('template', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_run_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'recurring_schedules', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoutingRuleRow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('position', fields.IntField(default=0)),
                ('enabled', fields.BooleanField(default=True)),
                ('conditions', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('responsible_id', fields.IntField(null=True)),
                ('group_id', fields.IntField(null=True)),
                ('observer_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('observer_group_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'routing_rules', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SlaRuleRow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('position', fields.IntField(default=0)),
                ('enabled', fields.BooleanField(default=True)),
                ('conditions', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('calendar_id', fields.IntField()),
                ('reaction_seconds', fields.IntField(null=True)),
                ('resolution_seconds', fields.IntField(null=True)),
                ('warning_share', fields.FloatField(default=0.8)),
            ],
            options={'table': 'sla_rules', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='TicketRow',
            name='reacted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # The two default automation rules (docs/DOMAIN.md §2.6, §2.7): ordinary rows an
        # administrator may edit or disable. Written once, here, so a deleted one stays gone.
        ops.RunSQL(
            "INSERT INTO automation_rules (name, position, enabled, event, conditions, actions,"
            " field_name, from_statuses, idle_hours) VALUES"
            " ('Client replies to Awaiting reply: back to Open', 0, TRUE, 'client_replied',"
            " '{\"statuses\":[\"awaiting_reply\"]}',"
            " '[{\"kind\":\"set_status\",\"status\":\"open\",\"hold_hours\":24.0}]',"
            " NULL, '[]', NULL),"
            " ('Resolved with no client answer for 3 days: Closed', 1, TRUE, 'idle',"
            " '{\"statuses\":[\"resolved\"]}',"
            " '[{\"kind\":\"set_status\",\"status\":\"closed\",\"hold_hours\":24.0}]',"
            " NULL, '[]', 72.0)",
            reverse_sql="DELETE FROM automation_rules WHERE position IN (0, 1) AND id IN (1, 2)",
        ),
        # Tickets already on hold get their resume timer, so none waits forever.
        ops.RunSQL(
            "INSERT INTO desk_timers (kind, ticket_id, due_at, state, attempts)"
            " SELECT 'resume', id, on_hold_until, 'pending', 0 FROM tickets"
            " WHERE status = 'on_hold' AND on_hold_until IS NOT NULL",
            reverse_sql="DELETE FROM desk_timers",
        ),
    ]
