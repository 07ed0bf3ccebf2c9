"""Room for e-mail: a Message-ID (up to 998 characters, RFC 5322) as an inbound update's id,
and an address (up to 320) as a contact's identity and an outbox recipient; 100 made a long
one fail on PostgreSQL, where the mail was then parked."""

from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class WidenOnPostgres(ops.AlterField):
    """SQLite does not hold a VARCHAR to its length, and tortoise alters a column there by
    making the table again, which lost its unique constraints (the inbound log's
    deduplication): only PostgreSQL's column changes; the state changes on both."""

    async def database_forward(self, app_label: str, old_state: Any, new_state: Any,
                               state_editor: Any = None) -> None:
        if state_editor is not None and state_editor.client.capabilities.dialect == "postgres":
            await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label: str, old_state: Any, new_state: Any,
                                state_editor: Any = None) -> None:
        if state_editor is not None and state_editor.client.capabilities.dialect == "postgres":
            await super().database_backward(app_label, old_state, new_state, state_editor)


class Migration(migrations.Migration):
    dependencies = [('models', '0014_sqlite_metrics_triggers')]

    initial = False

    operations = [
        WidenOnPostgres(model_name='InboundRow', name='external_id',
                        field=fields.CharField(max_length=998)),
        WidenOnPostgres(model_name='IdentityRow', name='external_id',
                        field=fields.CharField(max_length=320)),
        WidenOnPostgres(model_name='OutboxRow', name='recipient',
                        field=fields.CharField(max_length=320, null=True)),
    ]
