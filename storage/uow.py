"""The unit of work on tortoise: one database transaction shared by all repositories.

Inside `batch()` (the Telegram poller opens one per getUpdates batch) every unit of work
is a savepoint of the batch's one transaction instead: a command that fails rolls back to
its savepoint and the others stay; nothing is durable until the batch commits. Reads of the
desk's configuration (statuses, types, settings, rule tables) are then shared by all the
commands of the batch, and forgotten as soon as one of them changes the configuration."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from tortoise.backends.base.client import (
    BaseDBAsyncClient,
    TransactionContext,
)
from tortoise.connection import get_connections
from tortoise.transactions import in_transaction

from storage import buffered as b
from storage import repositories as r
from storage.callbacks import CallbackRepository
from storage.journal import Journal
from storage.rule_repositories import RuleRepository, TimerRepository
from storage.setup import SetupRepository
from storage.write_behind import WriteBehind

log = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None]]
_names = itertools.count(1)


class Memo:
    """Configuration reads kept for the length of one transaction."""

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}

    async def get(self, key: str, load: Callable[[], Awaitable[Any]]) -> Any:
        if key not in self._values:
            self._values[key] = await load()
        return self._values[key]

    def clear(self) -> None:
        self._values.clear()


@dataclass
class _Batch:
    conn: BaseDBAsyncClient
    memo: Memo = field(default_factory=Memo)
    after_commit: list[AfterCommit] = field(default_factory=list)
    # the savepoint of the innermost step while nothing has been written since it was set: the
    # first unit of work there uses it instead of a savepoint of its own (two statements less)
    fresh_step: str | None = None
    wb: WriteBehind | None = None  # a write-behind batch: no savepoints, one flush at the end


_BATCH: ContextVar[_Batch | None] = ContextVar("chatdesk_batch", default=None)
_listeners: list[Callable[[], None]] = []


def on_commit(listener: Callable[[], None]) -> Callable[[], None]:
    """Call `listener` after every commit of a unit of work or a batch in this process (the
    outbox relay wakes up on it); returns the function that stops the calls."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def _committed() -> None:
    for listener in list(_listeners):
        try:
            listener()
        except Exception:  # a listener of a loop that is gone
            log.exception("a commit listener failed")


async def _begin(tx: TransactionContext) -> BaseDBAsyncClient:
    """Enter a tortoise transaction so that a task cancelled while it begins (a worker being
    stopped) gives back what tortoise took first: SQLite's transaction lock, which would
    hang every later query of the process, or PostgreSQL's pooled connection."""
    try:
        return await tx.__aenter__()
    except asyncio.CancelledError:
        token = getattr(tx, "token", None)
        if token is None:  # cancelled while waiting for the lock or the pool: nothing held
            raise
        get_connections().reset(token)
        lock = getattr(tx, "_trxlock", None)  # SQLite: one connection behind a lock
        if isinstance(lock, asyncio.Lock) and lock.locked():
            lock.release()
        client = getattr(tx, "client", None)  # PostgreSQL: a connection from the pool
        pool = getattr(getattr(client, "_parent", None), "_pool", None)
        if pool is not None and getattr(client, "_connection", None) is not None:
            await pool.release(client._connection)  # type: ignore[union-attr]
        raise


@asynccontextmanager
async def transaction() -> AsyncIterator[BaseDBAsyncClient]:
    """A plain transaction that a cancellation at any point leaves no lock or connection
    behind (tortoise's own `in_transaction` can keep SQLite's lock when cancelled while it
    begins): for code under a timeout or in a task that is stopped."""
    tx = in_transaction("default")
    conn = await _begin(tx)
    try:
        yield conn
    except BaseException as exc:
        await _end(tx, type(exc), exc)
        raise
    await tx.__aexit__(None, None, None)


async def _end(tx: TransactionContext, exc_type: type[BaseException],
               exc: BaseException | None) -> None:
    """Roll back what is neither committed nor rolled back, and give the connection back;
    a failure here (the rollback was cut short, the connection is gone) is only logged, so
    that it does not hide the error or the cancellation that got us here."""
    try:
        await tx.__aexit__(exc_type, exc, None)
    except Exception:
        log.warning("closing a transaction that did not commit failed", exc_info=True)


@asynccontextmanager
async def batch(write_behind: bool = False) -> AsyncIterator[WriteBehind | None]:
    """One transaction for everything done inside (in this task); committed at the end,
    then the `after_commit` actions run. An exception rolls all of it back.

    With `write_behind`, units of work inside keep what they write in memory and the batch
    writes it all at the end, a statement per table (`storage.write_behind`); there are no
    savepoints then, so a failure anywhere fails the whole batch. Yields the batch's state."""
    if _BATCH.get() is not None:
        yield None
        return
    async with transaction() as conn:
        state = _Batch(conn)
        if write_behind:
            state.wb = WriteBehind(conn)
        token = _BATCH.set(state)
        try:
            yield state.wb
            if state.wb is not None:
                await state.wb.flush()
                if state.wb.poisoned:
                    raise RuntimeError("part of this batch was rolled back after it reached "
                                       "the database; it cannot commit")
        except BaseException:
            if state.wb is not None:
                state.wb.release(committed=False)
            raise
        finally:
            _BATCH.reset(token)
    if state.wb is not None:
        state.wb.release(committed=True)
    _committed()
    for action in state.after_commit:
        try:
            await action()
        except Exception:  # the data is committed; a failed courtesy must not undo it
            log.exception("an action after the commit failed")


@asynccontextmanager
async def step() -> AsyncIterator[None]:
    """A part of the batch that succeeds or fails on its own (a savepoint); outside a batch
    it does nothing, since each unit of work inside commits by itself."""
    state = _BATCH.get()
    if state is None or state.wb is not None:
        yield
        return
    name = f"chatdesk_step_{next(_names)}"
    await state.conn.execute_query(f"SAVEPOINT {name}")
    state.fresh_step = name
    try:
        yield
    except BaseException:
        state.fresh_step = None
        state.memo.clear()
        await state.conn.execute_query(f"ROLLBACK TO SAVEPOINT {name}")
        await state.conn.execute_query(f"RELEASE SAVEPOINT {name}")
        raise
    state.fresh_step = None
    await state.conn.execute_query(f"RELEASE SAVEPOINT {name}")


async def after_commit(action: AfterCommit) -> None:
    """Run `action` once what was done so far is durable: now, or when the batch commits
    (and never, if it rolls back: the update is processed again then)."""
    state = _BATCH.get()
    if state is None:
        await action()
    else:
        state.after_commit.append(action)


class _CachedReads:
    """A repository whose named reads are kept in the memo, and whose every other call
    (a write) clears it."""

    def __init__(self, inner: Any, memo: Memo, prefix: str, reads: frozenset[str]) -> None:
        self._inner, self._memo, self._prefix, self._reads = inner, memo, prefix, reads

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr
        if name in self._reads:
            async def read() -> Any:
                return await self._memo.get(self._prefix + name, attr)
            return read

        async def call(*args: Any, **kwargs: Any) -> Any:
            self._memo.clear()
            return await attr(*args, **kwargs)
        return call


CATALOG_READS = frozenset({"workflow", "priorities", "ticket_types", "desk_settings",
                           "attributes"})
TABLE_READS = frozenset({"all"})
RULE_TABLES = ("calendars", "sla", "routing", "automation", "macros", "schedules")


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
    callbacks: CallbackRepository

    def __init__(self) -> None:
        self._tx: TransactionContext | None = None
        self._conn: BaseDBAsyncClient | None = None
        self._savepoint: str | None = None
        self._steps: _Batch | None = None  # set when the savepoint is the step's own
        self._finished = False
        self.wb: WriteBehind | None = None
        self.journal = Journal()
        self._outer: Any = None

    async def __aenter__(self) -> Self:
        state = _BATCH.get()
        if state is not None and state.wb is not None:
            self._conn, self.memo = state.conn, state.memo
            self.wb, self.journal = state.wb, Journal()
            self._outer, state.wb.unit = state.wb.unit, self
            self._buffer_writes(state.wb, state.conn, state.memo)
            return self
        if state is not None:
            conn = self._conn = state.conn
            memo = state.memo
            if state.fresh_step is not None:  # rolling back to the step's undoes just us
                self._savepoint, self._steps, state.fresh_step = state.fresh_step, state, None
            else:
                self._savepoint = f"chatdesk_uow_{next(_names)}"
                await conn.execute_query(f"SAVEPOINT {self._savepoint}")
        else:
            self._tx = in_transaction("default")
            conn = self._conn = await _begin(self._tx)
            memo = Memo()
        self.memo = memo
        self._build(conn, memo)
        return self

    def _build(self, conn: BaseDBAsyncClient, memo: Memo) -> None:
        self.tickets = r.TicketRepository(conn, memo)
        self.comments = r.CommentRepository(conn)
        self.contacts = r.ContactRepository(conn)
        self.employees = r.EmployeeRepository(conn)
        self.catalog = _CachedReads(r.CatalogRepository(conn), memo, "catalog.",
                                    CATALOG_READS)  # type: ignore[assignment]
        self.setup = _CachedReads(SetupRepository(conn), memo, "setup.",
                                  frozenset())  # type: ignore[assignment]
        self.history = r.HistoryRepository(conn)
        self.events = r.EventLog(conn)
        self.outbox = r.Outbox(conn)
        self.inbound = r.InboundLog(conn)
        self.rules = RuleRepository(conn)
        for table in RULE_TABLES:
            setattr(self.rules, table, _CachedReads(getattr(self.rules, table), memo,
                                                    f"rules.{table}.", TABLE_READS))
        self.timers = TimerRepository(conn)
        self.callbacks = CallbackRepository(conn)

    def _buffer_writes(self, wb: WriteBehind, conn: BaseDBAsyncClient, memo: Memo) -> None:
        """In a write-behind batch: the repositories of `storage.buffered`, over per-command
        ones built once for the batch."""
        if not wb.shared:
            self._build(conn, memo)
            wb.shared.update(
                tickets=self.tickets, contacts=self.contacts,
                comments=b.BufferedComments(wb, self.comments),
                history=b.BufferedHistory(wb, self.history),
                events=b.BufferedList(wb, "events"), outbox=b.BufferedList(wb, "outbox"),
                inbound=b.BufferedInbound(wb),
                timers=b.BufferedTimers(wb, self.timers),
                employees=b.Through(
                    self.employees, wb, reads=frozenset({"open_ticket_count"}),
                    pure=frozenset({"get", "by_login", "by_logins", "by_telegram_id", "list",
                                    "get_group"}), keeps_map=frozenset({"add", "save"})),
                catalog=b.Through(self.catalog, wb, pure=CATALOG_READS | frozenset(
                    {"canned_groups", "canned_answers"})),
                setup=b.Through(self.setup, wb, pure=frozenset({"groups"}),
                                reads=frozenset({"tickets_using"})),
                callbacks=b.Through(self.callbacks, wb, pure=frozenset({"get", "history"}),
                                    keeps_map=frozenset({"add", "save"})),
                rules=self._buffered_rules(wb))
        shared = wb.shared
        self.tickets = b.BufferedTickets(wb, shared["tickets"])  # type: ignore[assignment]
        self.contacts = b.BufferedContacts(wb, shared["contacts"])  # type: ignore[assignment]
        for name in ("comments", "history", "events", "outbox", "inbound", "timers",
                     "employees", "catalog", "setup", "callbacks", "rules"):
            setattr(self, name, shared[name])

    def _buffered_rules(self, wb: WriteBehind) -> Any:
        rules = self.rules
        for table in (*RULE_TABLES, "notices"):
            setattr(rules, table, b.Through(getattr(rules, table), wb,
                                            pure=frozenset({"all", "get"}),
                                            keeps_map=frozenset({"save", "delete"})))
        return b.Through(rules, wb, pure=frozenset({"last_assignee"}),
                         keeps_map=frozenset({"note_assignee"}))

    async def autoflush(self) -> None:
        """Before a read the buffers cannot answer: write what the batch holds, this unit's
        changes so far included."""
        assert self.wb is not None
        await self.wb.flush(self.journal)
        if isinstance(self.tickets, b.BufferedTickets):
            self.tickets.rebase()

    def wrote_through(self, forget: bool = True) -> None:
        self.journal.flushed_through = True
        if forget and self.wb is not None:
            self.wb.forget()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.wb is not None:
            self.wb.unit = self._outer
        try:
            if not self._finished:
                await self.rollback()
        except Exception:
            if exc_type is None:
                raise
            # the error (or cancellation) that ended the body is the one to report
            log.warning("rolling back after %s failed", exc_type.__name__, exc_info=True)
        finally:
            if self._tx is not None:
                await _end(self._tx, exc_type or RuntimeError, exc)

    async def commit(self) -> None:
        assert self._conn is not None
        if self.wb is not None:
            self.wb.absorb(self.journal)
        elif self._steps is not None:
            pass  # the step releases its savepoint, with what else it holds
        elif self._savepoint is not None:
            await self._conn.execute_query(f"RELEASE SAVEPOINT {self._savepoint}")
        else:
            await self._conn.commit()  # type: ignore[attr-defined]
            _committed()
        self._finished = True

    async def rollback(self) -> None:
        assert self._conn is not None
        if self._finished:
            return
        self._finished = True
        self.memo.clear()
        if self.wb is not None:
            if self.journal.flushed_through:  # what reached the database stays: the batch fails
                self.wb.poisoned = True
            else:  # the next unit takes the ids this one took, as a database would
                for table, ids in self.journal.allocated.items():
                    self.wb.give_back(table, ids)
        elif self._steps is not None:
            await self._conn.execute_query(f"ROLLBACK TO SAVEPOINT {self._savepoint}")
            self._steps.fresh_step = self._savepoint  # the step is as it began again
        elif self._savepoint is not None:
            await self._conn.execute_query(f"ROLLBACK TO SAVEPOINT {self._savepoint}")
            await self._conn.execute_query(f"RELEASE SAVEPOINT {self._savepoint}")
        else:
            await self._conn.rollback()  # type: ignore[attr-defined]
