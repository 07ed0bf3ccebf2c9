from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_vk_state')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AttributeDefinitionRow',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40)),
                ('name', fields.CharField(max_length=100)),
                ('kind', fields.CharField(default='text', max_length=10)),
                ('options', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('visible_to', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('required', fields.BooleanField(default=False)),
                ('position', fields.IntField(default=0)),
                ('enabled', fields.BooleanField(default=True)),
            ],
            options={'table': 'attribute_definitions', 'app': 'models', 'pk_attr': 'code', 'table_description': 'A custom ticket attribute (§9.5). Its values live in tickets.attributes by code.'},
            bases=['Model'],
        ),
    ]
