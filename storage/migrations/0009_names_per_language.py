"""Names per language: beside each default (English) name, the names given in other
languages, for statuses, priorities, types, employee groups, canned answers and their groups,
and automation rules. The seeded rows get their translations from storage/seed.py."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0008_leadership')]

    initial = False

    operations = [
        ops.AddField(
            model_name='StatusRow',
            name='names',
            field=fields.JSONField(null=True),
        ),
        ops.AddField(
            model_name='PriorityRow',
            name='names',
            field=fields.JSONField(null=True),
        ),
        ops.AddField(
            model_name='TicketTypeRow',
            name='names',
            field=fields.JSONField(null=True),
        ),
        ops.AddField(
            model_name='GroupRow',
            name='names',
            field=fields.JSONField(null=True),
        ),
        ops.AddField(
            model_name='CannedGroupRow',
            name='names',
            field=fields.JSONField(null=True),
        ),
        ops.AddField(
            model_name='CannedAnswerRow',
            name='names',
            field=fields.JSONField(null=True),
        ),
        ops.AddField(
            model_name='AutomationRuleRow',
            name='names',
            field=fields.JSONField(null=True),
        ),
    ]
