"""The per-ticket metrics row (table ticket_metrics, core.metrics.TicketMetrics): kept by
database triggers on ticket_history and comments, so every way history is written (a command's
unit of work, the write-behind batches, the bulk loader) updates it in the same transaction;
rebuilt from the history with core.metrics when it may be stale (`chatdesk metrics rebuild`,
e.g. after a status's "pauses SLA" changes: the rows hold time counted under the flags of
their day)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from core.metrics import TicketMetrics, ticket_metrics
from core.people import Actor, ActorKind
from core.statuses import ObjectState, Status, Workflow, default_statuses
from core.tickets import Comment, HistoryEntry
from storage import models as m
from storage.plain_sql import db_value, marks

# The trigger bodies, with {secs(a, b)} for b - a in seconds and {true} for a true boolean.
_STATUS_SET = """
    created_at = CASE WHEN NEW.old IS NULL AND (created_at IS NULL OR NEW.at < created_at)
                      THEN NEW.at ELSE created_at END,
    resolution_seconds = resolution_seconds + CASE WHEN counting_since IS NULL THEN 0
                      ELSE {since_secs} END,
    counting_since = CASE WHEN EXISTS (SELECT 1 FROM statuses s WHERE s.code = NEW.new
                      AND s.state = 'open' AND s.pauses_sla = {false}) THEN NEW.at END,
    left_open_at = CASE WHEN left_open_at IS NULL AND NEW.old IS NOT NULL AND EXISTS (
                      SELECT 1 FROM statuses s WHERE s.code = NEW.new AND s.state <> 'open')
                      THEN NEW.at ELSE left_open_at END,
    first_response_seconds = CASE WHEN {reacts} THEN {response_secs}
                      ELSE first_response_seconds END,
    first_responder_id = CASE WHEN {reacts} THEN NEW.actor_id ELSE first_responder_id END,
    first_response_at = CASE WHEN {reacts} THEN NEW.at ELSE first_response_at END
"""
_REACTS = ("NEW.old = 'open' AND NEW.actor_kind = 'employee'"
           " AND (first_response_at IS NULL OR NEW.at < first_response_at)")
_CREATED = ("COALESCE(created_at, (SELECT t.created_at FROM tickets t"
            " WHERE t.id = NEW.ticket_id))")
_REPLY_SET = """
    first_response_at = NEW.created_at, first_responder_id = NEW.author_id,
    first_response_seconds = {reply_secs}
"""
_REPLY_WHERE = "(first_response_at IS NULL OR NEW.created_at < first_response_at)"


# ticket column -> metrics column: what the reports filter and count by
COPIED = {"created_at": "registered_at", "contact_id": "contact_id",
          "responsible_id": "responsible_id", "status": "status", "rating": "rating",
          "planned_reaction_at": "planned_reaction_at",
          "planned_resolution_at": "planned_resolution_at"}
_COPY_SET = ", ".join(f"{mine} = NEW.{theirs}" for theirs, mine in COPIED.items())
_COPY_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COPIED)


def _sets(secs: Any, false: str) -> tuple[str, str]:
    status = _STATUS_SET.format(
        since_secs=secs("counting_since", "NEW.at"), false=false, reacts=_REACTS,
        response_secs=secs(_CREATED, "NEW.at"))
    return status, _REPLY_SET.format(reply_secs=secs(_CREATED, "NEW.created_at"))


def _sqlite_secs(a: str, b: str) -> str:
    """Whole seconds since the epoch plus the microseconds of the text SQLite keeps
    ('2026-03-02 09:00:00.250000+00:00', always UTC): julianday() and %s round to the
    millisecond, which 12.999776 s rounds up to 13."""
    def at(x: str) -> str:
        return (f"(CAST(strftime('%s', substr({x}, 1, 19)) AS INTEGER)"
                f" + CASE WHEN substr({x}, 20, 1) = '.'"
                f" THEN CAST(substr({x}, 21, 6) AS INTEGER) / 1000000.0 ELSE 0 END)")
    return f"({at(b)} - {at(a)})"


def _pg_secs(a: str, b: str) -> str:
    return f"EXTRACT(EPOCH FROM ({b} - {a}))"


def _sqlite_triggers() -> list[str]:
    status, reply = _sets(_sqlite_secs, "0")
    # no conflict clause: SQLite applies the firing statement's own (the write-behind batch
    # upserts tickets with ON CONFLICT ... DO UPDATE) to the statements of its triggers, so
    # an INSERT OR IGNORE here failed with UNIQUE when a batch updated a ticket
    def seed_for(ticket_id: str) -> str:
        return (f"INSERT INTO ticket_metrics (ticket_id, resolution_seconds) SELECT {ticket_id}, 0"
                f" WHERE NOT EXISTS (SELECT 1 FROM ticket_metrics WHERE ticket_id = {ticket_id});")
    seed, ticket_seed = seed_for("NEW.ticket_id"), seed_for("NEW.id")
    copy = f"UPDATE ticket_metrics SET {_COPY_SET} WHERE ticket_id = NEW.id;"
    return [
        "DROP TRIGGER IF EXISTS ticket_metrics_status",
        "DROP TRIGGER IF EXISTS ticket_metrics_reply",
        "DROP TRIGGER IF EXISTS ticket_metrics_ticket_added",
        "DROP TRIGGER IF EXISTS ticket_metrics_ticket_changed",
        f"CREATE TRIGGER ticket_metrics_ticket_added AFTER INSERT ON tickets BEGIN {ticket_seed}"
        f" {copy} END",
        "CREATE TRIGGER ticket_metrics_ticket_changed AFTER UPDATE ON tickets WHEN "
        f"{_COPY_CHANGED.replace('IS DISTINCT FROM', 'IS NOT')} BEGIN {ticket_seed} {copy} END",
        "CREATE TRIGGER ticket_metrics_status AFTER INSERT ON ticket_history"
        " WHEN NEW.field = 'status' AND NEW.new IS NOT NULL AND NEW.new <> '' BEGIN "
        f"{seed} UPDATE ticket_metrics SET {status} WHERE ticket_id = NEW.ticket_id; END",
        "CREATE TRIGGER ticket_metrics_reply AFTER INSERT ON comments"
        " WHEN NEW.public AND NEW.author_kind = 'employee' BEGIN "
        f"{seed} UPDATE ticket_metrics SET {reply} WHERE ticket_id = NEW.ticket_id"
        f" AND {_REPLY_WHERE}; END",
    ]


def _pg_triggers() -> list[str]:
    status, reply = _sets(_pg_secs, "FALSE")
    seed = ("INSERT INTO ticket_metrics (ticket_id, resolution_seconds)"
            " VALUES (NEW.ticket_id, 0) ON CONFLICT DO NOTHING;")
    columns = ", ".join(COPIED.values())
    copy = (f"INSERT INTO ticket_metrics (ticket_id, resolution_seconds, {columns})"
            f" VALUES (NEW.id, 0, {', '.join('NEW.' + c for c in COPIED)})"
            f" ON CONFLICT (ticket_id) DO UPDATE SET {_COPY_SET};")
    return [
        "CREATE OR REPLACE FUNCTION ticket_metrics_ticket() RETURNS trigger AS $$ BEGIN "
        f"{copy} RETURN NULL; END $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS ticket_metrics_ticket_added ON tickets",
        "DROP TRIGGER IF EXISTS ticket_metrics_ticket_changed ON tickets",
        "CREATE TRIGGER ticket_metrics_ticket_added AFTER INSERT ON tickets FOR EACH ROW"
        " EXECUTE FUNCTION ticket_metrics_ticket()",
        "CREATE TRIGGER ticket_metrics_ticket_changed AFTER UPDATE ON tickets FOR EACH ROW"
        f" WHEN ({_COPY_CHANGED}) EXECUTE FUNCTION ticket_metrics_ticket()",
        "CREATE OR REPLACE FUNCTION ticket_metrics_status() RETURNS trigger AS $$ BEGIN "
        f"{seed} UPDATE ticket_metrics SET {status} WHERE ticket_id = NEW.ticket_id;"
        " RETURN NULL; END $$ LANGUAGE plpgsql",
        "CREATE OR REPLACE FUNCTION ticket_metrics_reply() RETURNS trigger AS $$ BEGIN "
        f"{seed} UPDATE ticket_metrics SET {reply} WHERE ticket_id = NEW.ticket_id"
        f" AND {_REPLY_WHERE}; RETURN NULL; END $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS ticket_metrics_status ON ticket_history",
        "DROP TRIGGER IF EXISTS ticket_metrics_reply ON comments",
        "CREATE TRIGGER ticket_metrics_status AFTER INSERT ON ticket_history FOR EACH ROW"
        " WHEN (NEW.field = 'status' AND NEW.new IS NOT NULL AND NEW.new <> '')"
        " EXECUTE FUNCTION ticket_metrics_status()",
        "CREATE TRIGGER ticket_metrics_reply AFTER INSERT ON comments FOR EACH ROW"
        " WHEN (NEW.public AND NEW.author_kind = 'employee')"
        " EXECUTE FUNCTION ticket_metrics_reply()",
    ]


def _is_pg(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


async def install_triggers(_apps: Any, editor: Any) -> None:
    conn: BaseDBAsyncClient = editor.client
    for sql in _pg_triggers() if _is_pg(conn) else _sqlite_triggers():
        await conn.execute_script(sql)


async def rebuild_in_migration(_apps: Any, editor: Any) -> None:
    await rebuild(editor.client)


# --- rebuilding from the history ------------------------------------------------------------
BATCH = 5000
COLUMNS = ("ticket_id", "created_at", "first_response_at", "first_response_seconds",
           "first_responder_id", "left_open_at", "resolution_seconds", "counting_since")


async def _workflow(conn: BaseDBAsyncClient) -> Workflow:
    """Read in plain SQL: inside a migration the models are not set up."""
    rows = await conn.execute_query_dict("SELECT code, state, pauses_sla FROM statuses")
    found = {r["code"]: Status(r["code"], r["code"], ObjectState(r["state"]), False,
                               bool(r["pauses_sla"])) for r in rows}
    # a desk migrated before its reference data was written: the system statuses' defaults
    return Workflow([*found.values(), *(s for s in default_statuses() if s.code not in found)])


def _actor(kind: str, actor_id: int | None) -> Actor:
    return Actor(ActorKind(kind), actor_id)


def _dt(value: Any) -> Any:
    """SQLite gives datetimes as text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


async def _facts(conn: BaseDBAsyncClient, low: int, high: int
                 ) -> tuple[dict[int, list[HistoryEntry]], dict[int, list[Comment]]]:
    """Status history and public employee comments of tickets low <= id < high, which is all
    the metrics read."""
    a, b = marks(conn, 2)
    history: dict[int, list[HistoryEntry]] = defaultdict(list)
    for r in await conn.execute_query_dict(
            'SELECT ticket_id, at, actor_kind, actor_id, old, new FROM ticket_history'
            f" WHERE field = 'status' AND ticket_id >= {a} AND ticket_id < {b} ORDER BY id",
            [low, high]):
        history[r["ticket_id"]].append(HistoryEntry(
            r["ticket_id"], _dt(r["at"]), _actor(r["actor_kind"], r["actor_id"]), "status",
            r["old"], r["new"]))
    comments: dict[int, list[Comment]] = defaultdict(list)
    for r in await conn.execute_query_dict(
            "SELECT ticket_id, author_id, created_at FROM comments WHERE public = "
            f"{'TRUE' if _is_pg(conn) else '1'} AND author_kind = 'employee'"
            f" AND ticket_id >= {a} AND ticket_id < {b} ORDER BY id", [low, high]):
        comments[r["ticket_id"]].append(Comment(
            r["ticket_id"], Actor.employee(r["author_id"]), "", True, "panel",
            _dt(r["created_at"])))
    return history, comments


def _values(row: TicketMetrics, ticket: dict[str, Any]) -> list[Any]:
    return [db_value(m.TicketMetricsRow, c, getattr(row, c)) for c in COLUMNS] + [
        ticket[c] for c in COPIED]


async def rebuild(conn: BaseDBAsyncClient | None = None, batch: int = BATCH) -> int:
    """Every ticket's metrics row again from its history (core.metrics.ticket_metrics) and
    its columns, `batch` tickets per statement group; returns how many rows were written."""
    conn = conn or connections.get("default")
    await conn.execute_script("DELETE FROM ticket_metrics")
    top = (await conn.execute_query_dict("SELECT COALESCE(MAX(id), 0) AS top FROM tickets")
           )[0]["top"]
    if not top:
        return 0  # a new desk: its statuses come after the migrations
    workflow = await _workflow(conn)
    names = [*COLUMNS, *COPIED.values()]
    sql = (f"INSERT INTO ticket_metrics ({', '.join(names)}) "
           f"VALUES ({', '.join(marks(conn, len(names)))})")
    a, b = marks(conn, 2)
    written = 0
    for low in range(1, int(top) + 1, batch):
        history, comments = await _facts(conn, low, low + batch)
        tickets = await conn.execute_query_dict(
            f"SELECT id, {', '.join(COPIED)} FROM tickets WHERE id >= {a} AND id < {b}"
            " ORDER BY id", [low, low + batch])
        rows = [_values(ticket_metrics(t["id"], history.get(t["id"], []),
                                       comments.get(t["id"], ()), workflow), t)
                for t in tickets]
        if rows:
            await conn.execute_many(sql, rows)
        written += len(rows)
    return written


async def stored(ticket_ids: list[int]) -> dict[int, TicketMetrics]:
    """The rows as kept, for the check against the history."""
    rows = await m.TicketMetricsRow.filter(ticket_id__in=ticket_ids or [0])
    return {r.ticket_id: TicketMetrics(
        r.ticket_id, r.created_at, r.first_response_at, r.first_response_seconds,
        r.first_responder_id, r.left_open_at, r.resolution_seconds, r.counting_since)
        for r in rows}
