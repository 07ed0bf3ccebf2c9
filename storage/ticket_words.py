"""The word index of the ticket search (storage/ticket_search.py): every word of a search,
as a prefix, in a comment, the subject or the client's name, e-mail or phone, by the engine's
full-text index. SQLite: FTS5 tables (unicode61: any script, any case) kept by triggers;
PostgreSQL: GIN indexes over `to_tsvector('simple', ...)` of the same columns."""

from __future__ import annotations

import re
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

# Contacts' e-mail and phone split into words as a person types them ("ann", "example").
PG_CONTACT = ("to_tsvector('simple', translate(coalesce(name, '') || ' ' ||"
              " coalesce(email, '') || ' ' || coalesce(phone, ''), '@.+-_()', '       '))")
PG_SUBJECT = "to_tsvector('simple', subject)"
# Comments' words are kept in a column: a common word's bitmap goes lossy, and the recheck
# then reads the stored vector instead of parsing every body on the page again.
PG_BODY = "body_words"

_PG = [
    "ALTER TABLE comments ADD COLUMN IF NOT EXISTS body_words tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED",
    "CREATE INDEX IF NOT EXISTS idx_comments_words ON comments USING gin (body_words)",
    f"CREATE INDEX IF NOT EXISTS idx_tickets_words ON tickets USING gin ({PG_SUBJECT})",
    f"CREATE INDEX IF NOT EXISTS idx_contacts_words ON contacts USING gin ({PG_CONTACT})",
]


def _fts(table: str, source: str, columns: list[str]) -> list[str]:
    """An external-content FTS5 table over `source` and the triggers that keep it."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    remove = (f"INSERT INTO {table} ({table}, rowid, {names}) VALUES ('delete', old.id, "
              f"{old});")
    add = f"INSERT INTO {table} (rowid, {names}) VALUES (new.id, {new});"
    # every save writes every column: only a real change touches the index
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5({names}, content='{source}',"
        " content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER IF NOT EXISTS {table}_added AFTER INSERT ON {source} BEGIN {add} END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_removed AFTER DELETE ON {source} BEGIN {remove}"
        " END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_changed AFTER UPDATE OF {names} ON {source}"
        f" WHEN {changed} BEGIN {remove} {add} END",
        f"INSERT INTO {table} ({table}) VALUES ('rebuild')",
    ]


_SQLITE = (_fts("comment_words", "comments", ["body"])
           + _fts("subject_words", "tickets", ["subject"])
           + _fts("contact_words", "contacts", ["name", "email", "phone"]))


async def install_word_index(_apps: Any, editor: Any) -> None:
    conn: BaseDBAsyncClient = editor.client
    for sql in _PG if conn.capabilities.dialect == "postgres" else _SQLITE:
        await conn.execute_script(sql)


_TOKEN = re.compile(r"[^\W_]+")


def tokens(word: str) -> list[str]:
    """The index's words in what a person typed: letters and digits only, so nothing of it
    is query syntax (and a quote never reaches the SQL text)."""
    return _TOKEN.findall(word)[:8]


def word_tickets(word: str, postgres: bool) -> str | None:
    """A subquery of the ids of the tickets where the word appears (as a prefix, every part
    of it); None when the word has nothing to search for."""
    parts = tokens(word)
    if not parts:
        return None
    if postgres:
        query = f"to_tsquery('simple', '{' & '.join(p + ':*' for p in parts)}')"
        found = (f"SELECT ticket_id FROM comments WHERE {PG_BODY} @@ {query}"
                 f" UNION SELECT id FROM tickets WHERE {PG_SUBJECT} @@ {query}"
                 " UNION SELECT w.id FROM tickets w WHERE w.contact_id IN"
                 f" (SELECT id FROM contacts WHERE {PG_CONTACT} @@ {query})")
    else:
        match = " AND ".join(f'"{p}"*' for p in parts)
        found = (f"SELECT ticket_id FROM comments WHERE id IN (SELECT rowid FROM comment_words"
                 f" WHERE comment_words MATCH '{match}')"
                 " UNION SELECT rowid FROM subject_words"
                 f" WHERE subject_words MATCH '{match}'"
                 " UNION SELECT w.id FROM tickets w WHERE w.contact_id IN"
                 f" (SELECT rowid FROM contact_words WHERE contact_words MATCH '{match}')")
    return f"({found})"
