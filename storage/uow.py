"""The unit of work on tortoise: one database transaction shared by all repositories."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from tortoise.backends.base.client import TransactionalDBClient, TransactionContext
from tortoise.transactions import in_transaction

from storage import repositories as r
from storage.rule_repositories import RuleRepository, TimerRepository
from storage.setup import SetupRepository


class TortoiseUnitOfWork:
    tickets: r.TicketRepository
    comments: r.CommentRepository
    contacts: r.ContactRepository
    employees: r.EmployeeRepository
    catalog: r.CatalogRepository
    setup: SetupRepository
    history: r.HistoryRepository
    events: r.EventLog
    outbox: r.Outbox
    inbound: r.InboundLog
    rules: RuleRepository
    timers: TimerRepository

    def __init__(self) -> None:
        self._tx: TransactionContext | None = None
        self._conn: TransactionalDBClient | None = None
        self._finished = False

    async def __aenter__(self) -> Self:
        self._tx = in_transaction("default")
        conn = self._conn = await self._tx.__aenter__()
        self.tickets = r.TicketRepository(conn)
        self.comments = r.CommentRepository(conn)
        self.contacts = r.ContactRepository(conn)
        self.employees = r.EmployeeRepository(conn)
        self.catalog = r.CatalogRepository(conn)
        self.setup = SetupRepository(conn)
        self.history = r.HistoryRepository(conn)
        self.events = r.EventLog(conn)
        self.outbox = r.Outbox(conn)
        self.inbound = r.InboundLog(conn)
        self.rules = RuleRepository(conn)
        self.timers = TimerRepository(conn)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._tx is not None
        if not self._finished:
            await self.rollback()
        await self._tx.__aexit__(None, None, None)

    async def commit(self) -> None:
        assert self._conn is not None
        await self._conn.commit()
        self._finished = True

    async def rollback(self) -> None:
        assert self._conn is not None
        if not self._finished:
            await self._conn.rollback()
            self._finished = True
