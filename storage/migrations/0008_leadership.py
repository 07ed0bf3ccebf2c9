from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_callback_queue')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LeaderLeaseRow',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40)),
                ('holder', fields.CharField(default='', max_length=200)),
                ('token', fields.BigIntField(default=0)),
                ('acquired_at', fields.FloatField(default=0)),
                ('renewed_at', fields.FloatField(default=0)),
                ('expires_at', fields.FloatField(default=0)),
            ],
            options={'table': 'leader_lease', 'app': 'models', 'pk_attr': 'name', 'table_description': "Which instance leads (runs the pollers, the outbox relays and the timers) and until\n    when, in seconds since the epoch by the database's clock. The token grows by one at\n    every change of leader: the fencing token that outbox claims carry."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='OutboxRow',
            name='claim_token',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='OutboxRow',
            name='claimed_by',
            field=fields.CharField(null=True, max_length=40),
        ),
        ops.RunSQL(
            "INSERT INTO leader_lease (name, holder, token, acquired_at, renewed_at, expires_at)"
            " VALUES ('chatdesk', '', 0, 0, 0, 0)"),
    ]
