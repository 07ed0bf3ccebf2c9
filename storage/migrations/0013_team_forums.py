"""Each employee group may have its own agents' forum in Telegram (issue 18)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0012_ticket_words')]

    initial = False

    operations = [
        ops.AddField(
            model_name='GroupRow',
            name='telegram_chat_id',
            field=fields.BigIntField(null=True),
        ),
    ]
