from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_telegram_topics')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApiTokenRow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('employee_id', fields.IntField(db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('prefix', fields.CharField(max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked', fields.BooleanField(default=False)),
            ],
            options={'table': 'api_tokens', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An API token of an employee. The token is shown once, only its hash is kept.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LoginFailureRow',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('login', fields.CharField(db_index=True, max_length=64)),
                ('ip', fields.CharField(db_index=True, max_length=64)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'panel_login_failures', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PanelPreferenceRow',
            fields=[
                ('employee_id', fields.IntField(primary_key=True, unique=True, db_index=True)),
                ('language', fields.CharField(max_length=8)),
            ],
            options={'table': 'panel_preferences', 'app': 'models', 'pk_attr': 'employee_id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PanelSessionRow',
            fields=[
                ('id_hash', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('employee_id', fields.IntField(db_index=True)),
                ('csrf_token', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'panel_sessions', 'app': 'models', 'pk_attr': 'id_hash', 'table_description': 'A signed-in panel session. Only a hash of the cookie value is kept.'},
            bases=['Model'],
        ),
    ]
