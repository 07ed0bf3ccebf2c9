from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TelegramTopicRow',
            fields=[
                ('ticket_id', fields.IntField(primary_key=True, unique=True, db_index=True)),
                ('chat_id', fields.BigIntField()),
                ('thread_id', fields.BigIntField()),
                ('card_message_id', fields.BigIntField(null=True)),
                ('title', fields.CharField(default='', max_length=128)),
                ('closed', fields.BooleanField(default=False)),
            ],
            options={'table': 'telegram_topics', 'app': 'models', 'unique_together': (('chat_id', 'thread_id'),), 'pk_attr': 'ticket_id'},
            bases=['Model'],
        ),
    ]
