"""The word index of the ticket search (storage/ticket_search.py): every word of a search,
as a prefix, in a comment, the subject or the client's name, e-mail or phone, by the engine's
full-text index, kept by triggers. SQLite: FTS5 tables (unicode61: any script, any case) over
those columns; PostgreSQL: one `simple` tsvector document per ticket with a GIN index."""

from __future__ import annotations

import re
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient


def pg_contact(c: str) -> str:
    """A contact's words; the e-mail and phone split as a person types them ("ann",
    "example")."""
    return (f"to_tsvector('simple', translate(coalesce({c}name, '') || ' ' ||"
            f" coalesce({c}email, '') || ' ' || coalesce({c}phone, ''), '@.+-_()', '       '))")


# PostgreSQL keeps one document per ticket (ticket_words): its subject, its client's words
# and every comment's, so all the words of a search are one GIN lookup whose posting lists
# intersect, however common each word is alone. Positions are stripped (only presence
# counts) and a document stops growing at 50,000 distinct words (tsvector's 1 MB limit).
MAX_WORDS_PER_TICKET = 50_000
_DOC = ("strip(to_tsvector('simple', NEW.subject) || COALESCE((SELECT "
        f"{pg_contact('c.')} FROM contacts c WHERE c.id = NEW.contact_id), ''::tsvector)"
        " || COALESCE((SELECT to_tsvector('simple', string_agg(m.body, ' ')) FROM comments m"
        " WHERE m.ticket_id = NEW.id), ''::tsvector))")
_PG = [
    "ALTER TABLE comments ADD COLUMN IF NOT EXISTS body_words tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED",
    "CREATE TABLE IF NOT EXISTS ticket_words (ticket_id INT PRIMARY KEY,"
    " words tsvector NOT NULL)",
    "CREATE OR REPLACE FUNCTION ticket_words_ticket() RETURNS trigger AS $$ BEGIN"
    f" INSERT INTO ticket_words (ticket_id, words) VALUES (NEW.id, {_DOC})"
    " ON CONFLICT (ticket_id) DO UPDATE SET words = EXCLUDED.words; RETURN NULL;"
    " END $$ LANGUAGE plpgsql",
    "CREATE OR REPLACE FUNCTION ticket_words_comment() RETURNS trigger AS $$ BEGIN"
    " UPDATE ticket_words SET words = strip(words || NEW.body_words)"
    f" WHERE ticket_id = NEW.ticket_id AND length(words) < {MAX_WORDS_PER_TICKET};"
    " RETURN NULL; END $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS ticket_words_added ON tickets",
    "DROP TRIGGER IF EXISTS ticket_words_changed ON tickets",
    "DROP TRIGGER IF EXISTS ticket_words_comment ON comments",
    "CREATE TRIGGER ticket_words_added AFTER INSERT ON tickets FOR EACH ROW"
    " EXECUTE FUNCTION ticket_words_ticket()",
    "CREATE TRIGGER ticket_words_changed AFTER UPDATE OF subject, contact_id ON tickets"
    " FOR EACH ROW WHEN (OLD.subject IS DISTINCT FROM NEW.subject"
    " OR OLD.contact_id IS DISTINCT FROM NEW.contact_id) EXECUTE FUNCTION ticket_words_ticket()",
    "CREATE TRIGGER ticket_words_comment AFTER INSERT ON comments FOR EACH ROW"
    " EXECUTE FUNCTION ticket_words_comment()",
    "INSERT INTO ticket_words (ticket_id, words) SELECT t.id, strip("
    f"to_tsvector('simple', t.subject) || COALESCE({pg_contact('c.')}, ''::tsvector)"
    " || COALESCE(b.words, ''::tsvector)) FROM tickets t"
    " LEFT JOIN contacts c ON c.id = t.contact_id LEFT JOIN (SELECT ticket_id,"
    " to_tsvector('simple', string_agg(body, ' ')) AS words FROM comments GROUP BY ticket_id)"
    " b ON b.ticket_id = t.id ON CONFLICT (ticket_id) DO NOTHING",
    "CREATE INDEX IF NOT EXISTS idx_ticket_words ON ticket_words USING gin (words)",
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


def pg_tickets(search: list[str]) -> str | None:
    """PostgreSQL: a subquery of the tickets whose document has every word (as a prefix)."""
    parts = [p for word in search for p in tokens(word)]
    if not parts:
        return None
    query = f"to_tsquery('simple', '{' & '.join(p + ':*' for p in parts)}')"
    return f"(SELECT ticket_id FROM ticket_words WHERE words @@ {query})"


def word_tickets(word: str, postgres: bool) -> str | None:
    """A subquery of the ids of the tickets where the word appears (as a prefix, every part
    of it); None when the word has nothing to search for."""
    parts = tokens(word)
    if not parts:
        return None
    if postgres:
        return pg_tickets([word])
    match = " AND ".join(f'"{p}"*' for p in parts)
    return (f"(SELECT ticket_id FROM comments WHERE id IN (SELECT rowid FROM comment_words"
            f" WHERE comment_words MATCH '{match}')"
            f" UNION SELECT rowid FROM subject_words WHERE subject_words MATCH '{match}'"
            " UNION SELECT w.id FROM tickets w WHERE w.contact_id IN"
            f" (SELECT rowid FROM contact_words WHERE contact_words MATCH '{match}'))")
