"""The per-ticket metrics triggers made again (storage/ticket_metrics.py): on SQLite their
seed no longer carries a conflict clause, which the write-behind batch's upsert of tickets
overrode (a batch that changed a ticket failed with UNIQUE and went again update by update).
Idempotent on both engines."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from storage.ticket_metrics import install_triggers


class Migration(migrations.Migration):
    dependencies = [('models', '0013_team_forums')]

    initial = False

    operations = [ops.RunPython(install_triggers)]
