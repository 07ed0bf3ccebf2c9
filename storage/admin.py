"""What the `chatdesk` command line and the demo loader read from storage: the migration
state, counts, the team, what is already set up. Read-only, apart from a connection setting
for bulk loads; every change goes through `Desk.handle`."""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise import connections
from tortoise.functions import Count
from tortoise.migrations.executor import MigrationExecutor

from core.errors import NotFound
from core.people import Contact, Employee
from storage import mapping as mp
from storage import models as m
from storage.db import tortoise_config

# --- reading ------------------------------------------------------------------------------


async def pending_migrations(url: str) -> list[str]:
    """Migrations not yet applied to the open database (nothing is changed)."""
    apps = {"models": tortoise_config(url)["apps"]["models"]}
    executor = MigrationExecutor(connections.get("default"), apps)
    return [f"{step.migration.app_label}.{step.migration.name}"
            for step in await executor.plan() if not step.backward]


async def parked_counts() -> dict[str, int]:
    """Platform updates kept because their handling failed, per channel."""
    rows = await m.InboundRow.filter(state="failed").annotate(n=Count("id")).group_by(
        "channel").order_by("channel").values("channel", "n")
    return {r["channel"]: r["n"] for r in rows}


async def count_tickets() -> int:
    return await m.TicketRow.all().count()


async def list_employees() -> list[Employee]:
    rows = await m.EmployeeRow.all().order_by("id")
    members = await m.GroupMemberRow.all()
    return [mp.employee_from_row(r, {x.group_id for x in members if x.employee_id == r.id})
            for r in rows]


async def employee_by_login(login: str) -> Employee | None:
    row = await m.EmployeeRow.filter(login=login).first()
    return mp.employee_from_row(row, set()) if row else None


@dataclass(frozen=True)
class DatabaseSummary:
    tickets: int = 0
    contacts: int = 0
    companies: int = 0
    employees: int = 0
    active_employees: int = 0
    groups: int = 0
    public_comments: int = 0
    private_comments: int = 0
    rated_tickets: int = 0
    history_entries: int = 0
    canned_answers: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_line: dict[int, int] = field(default_factory=dict)


async def _grouped(column: str) -> dict[str, int]:
    rows = await m.TicketRow.annotate(n=Count("id")).group_by(column).values(column, "n")
    return {row[column]: row["n"] for row in rows}


async def database_summary() -> DatabaseSummary:
    return DatabaseSummary(
        tickets=await m.TicketRow.all().count(),
        contacts=await m.ContactRow.all().count(),
        companies=await m.CompanyRow.all().count(),
        employees=await m.EmployeeRow.all().count(),
        active_employees=await m.EmployeeRow.filter(active=True).count(),
        groups=await m.GroupRow.all().count(),
        public_comments=await m.CommentRow.filter(public=True).count(),
        private_comments=await m.CommentRow.filter(public=False).count(),
        rated_tickets=await m.TicketRow.filter(rating__isnull=False).count(),
        history_entries=await m.HistoryRow.all().count(),
        canned_answers=await m.CannedAnswerRow.all().count(),
        by_status=await _grouped("status"),
        by_channel=await _grouped("channel"),
        by_line={int(k): v for k, v in (await _grouped("line")).items()},
    )


@dataclass(frozen=True)
class ReferenceNames:
    """What is already set up, by the names (or codes) a person gives it."""

    statuses: set[str]
    groups: dict[str, int]
    canned_groups: dict[str, int]
    canned_answers: dict[tuple[int, str], int]  # (group id, title)
    companies: dict[str, int]


async def reference_names() -> ReferenceNames:
    return ReferenceNames(
        statuses={str(c) for c in await m.StatusRow.all().values_list("code", flat=True)},
        groups={r.name: r.id for r in await m.GroupRow.all()},
        canned_groups={r.name: r.id for r in await m.CannedGroupRow.all().order_by("-id")},
        canned_answers={(r.group_id, r.title): r.id for r in await m.CannedAnswerRow.all()},
        companies={r.name: r.id for r in await m.CompanyRow.all().order_by("-id")},
    )


async def contact(contact_id: int) -> Contact:
    row = await m.ContactRow.get_or_none(id=contact_id)
    if row is None:
        raise NotFound("contact.not_found", id=contact_id)
    return mp.contact_from_row(row, list(await m.IdentityRow.filter(contact_id=contact_id)))


# --- tuning -------------------------------------------------------------------------------


async def relax_durability_for_bulk_load() -> None:
    """SQLite: commit without waiting for the disk (synchronous=NORMAL; in WAL mode a crash
    can lose the last commits but never corrupts the file). For loading the demo set, where
    every command commits on its own. This connection only; PostgreSQL is left alone."""
    connection = connections.get("default")
    if connection.capabilities.dialect == "sqlite":
        await connection.execute_script("PRAGMA synchronous=NORMAL")


async def ping() -> None:
    """Raise if the database cannot be reached (the migration recorder hides that)."""
    await connections.get("default").execute_query("SELECT 1")


@dataclass(frozen=True)
class ChannelClient:
    """A client as a channel knows them: their id there, name and language."""

    external_id: str
    name: str
    language: str | None


async def channel_clients(channel: str, limit: int) -> list[ChannelClient]:
    """The clients with an identity in `channel`, newest contacts first, at most `limit`."""
    identities = await m.IdentityRow.filter(channel=channel).order_by("-contact_id").limit(
        limit).values_list("external_id", "contact_id")
    contacts = {r.id: r for r in await m.ContactRow.filter(
        id__in=[contact for _, contact in identities])}
    return [ChannelClient(external, contacts[contact].name if contact in contacts else "",
                          contacts[contact].language if contact in contacts else None)
            for external, contact in identities]
