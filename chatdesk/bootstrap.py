"""The composition root: the one place where real adapters are wired to the core.
Tests call the same functions with fakes (a fake clock, in-memory units of work)."""

from __future__ import annotations

from datetime import UTC, datetime

from core.outbox import Routing
from core.ports import Clock, UnitOfWorkFactory
from core.services import Desk
from storage.uow import TortoiseUnitOfWork


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def build_desk(
    *,
    uow_factory: UnitOfWorkFactory = TortoiseUnitOfWork,
    clock: Clock | None = None,
    routing: Routing | None = None,
) -> Desk:
    return Desk(uow_factory, clock or SystemClock(), routing or Routing())
