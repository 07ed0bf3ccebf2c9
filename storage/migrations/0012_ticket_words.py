"""Issue 16: word search by the engine's full-text index instead of LIKE over every comment:
SQLite FTS5 tables over comments, ticket subjects and contacts, kept by triggers; PostgreSQL
GIN indexes over their `simple` tsvector (storage/ticket_words.py)."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from storage.ticket_words import install_word_index


class Migration(migrations.Migration):
    dependencies = [('models', '0011_ticket_metrics')]

    initial = False

    operations = [ops.RunPython(install_word_index)]
