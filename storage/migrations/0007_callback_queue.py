from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_custom_attributes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CallbackChangeRow',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request_id', fields.IntField(db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('employee_id', fields.IntField(null=True)),
                ('action', fields.CharField(max_length=20)),
                ('detail', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'callback_history', 'app': 'models', 'pk_attr': 'id', 'table_description': "One line of a call-back request's history (employee_id null: the web form)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CallbackRequestRow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('phone', fields.CharField(max_length=40)),
                ('comment', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('state', fields.CharField(default='new', db_index=True, max_length=12)),
                ('holder_id', fields.IntField(null=True)),
                ('held_since', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('processed_by', fields.IntField(null=True)),
                ('processed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('processing_seconds', fields.IntField(null=True)),
                ('postponed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=0)),
            ],
            options={'table': 'callback_requests', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A request from the web call-back form. version guards the processing lock.'},
            bases=['Model'],
        ),
    ]
