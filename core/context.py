"""What a command handler works with: the unit of work, the moment, and cached look-ups that
many handlers need (the workflow, the desk settings, the acting employee)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.catalog import DeskSettings, TicketType
from core.errors import NotAllowed, NotFound
from core.people import Employee
from core.ports import UnitOfWork
from core.statuses import Workflow
from core.tickets import Comment, Ticket


@dataclass
class HandlerContext:
    uow: UnitOfWork
    now: datetime
    comments: dict[int, Comment] = field(default_factory=dict)
    _workflow: Workflow | None = None
    _settings: DeskSettings | None = None
    _types: dict[str, TicketType] | None = None
    memo: dict[str, object] = field(default_factory=dict)  # per-command caches of policies
    team_news: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # of no ticket

    def tell_team(self, kind: str, **payload: Any) -> None:
        """Plan an agents' message about no ticket (e.g. a new call-back request); it is
        queued with the commit, when there is a team chat."""
        self.team_news.append((kind, payload))

    async def workflow(self) -> Workflow:
        if self._workflow is None:
            self._workflow = await self.uow.catalog.workflow()
        return self._workflow

    async def settings(self) -> DeskSettings:
        if self._settings is None:
            self._settings = await self.uow.catalog.desk_settings()
        return self._settings

    async def types(self) -> dict[str, TicketType]:
        if self._types is None:
            self._types = {t.code: t for t in await self.uow.catalog.ticket_types()}
        return self._types

    async def is_internal(self, ticket: Ticket) -> bool:
        kind = (await self.types()).get(ticket.type_code or "")
        return kind is not None and kind.internal

    async def active_employee(self, employee_id: int) -> Employee:
        try:
            employee = await self.uow.employees.get(employee_id)
        except NotFound:
            raise NotAllowed("team.not_member") from None
        if not employee.active:
            raise NotAllowed("team.deactivated", name=employee.name)
        return employee

    async def add_comment(self, ticket: Ticket, comment: Comment) -> Comment:
        comment = await self.uow.comments.add(comment)
        self.comments[comment.id] = comment
        ticket.comment_added(comment)
        return comment
