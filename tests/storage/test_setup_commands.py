"""Settings commands through the real unit of work: what an administrator changes in the panel
is stored, and what would break the desk is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chatdesk.bootstrap import build_desk
from core import commands as c
from core.errors import InvalidInput, NotAllowed
from core.people import Role
from storage.panel_auth import ApiTokenStore, LoginThrottle, SessionStore
from storage.uow import TortoiseUnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return NOW


async def _desk_with_admin() -> tuple[object, int, int]:
    desk = build_desk(clock=Clock())
    admin = await desk.handle(c.AddEmployee("Ada", "ada", "admin"))
    agent = await desk.handle(c.AddEmployee("Sam", "sam", "specialist"))
    return desk, admin.id, agent.id


async def test_custom_status_is_created_ordered_and_deleted(database: str) -> None:
    desk, admin, _ = await _desk_with_admin()
    status = await desk.handle(c.SaveStatus(admin, "", "In progress", "open", pauses_sla=True,
                                            color="#00AA00"))
    assert status.code == "in_progress"
    await desk.handle(c.MoveItem(admin, "statuses", "in_progress", up=True))
    async with TortoiseUnitOfWork() as uow:
        codes = [s.code for s in (await uow.catalog.workflow()).statuses]
    assert codes.index("in_progress") == len(codes) - 2
    await desk.handle(c.DeleteStatus(admin, "in_progress"))
    async with TortoiseUnitOfWork() as uow:
        assert "in_progress" not in await uow.catalog.workflow()


async def test_system_status_cannot_be_deleted_and_specialist_cannot_edit(
        database: str) -> None:
    desk, admin, agent = await _desk_with_admin()
    with pytest.raises(NotAllowed):
        await desk.handle(c.DeleteStatus(admin, "open"))
    with pytest.raises(NotAllowed):
        await desk.handle(c.SaveStatus(agent, "", "Mine", "open"))
    with pytest.raises(InvalidInput):
        await desk.handle(c.SaveStatus(admin, "", "Bad colour", "open", color="red"))


async def test_last_administrator_keeps_the_role(database: str) -> None:
    desk, admin, agent = await _desk_with_admin()
    with pytest.raises(NotAllowed):
        await desk.handle(c.SetEmployeeRole(admin, admin, "lead"))
    changed = await desk.handle(c.SetEmployeeRole(admin, agent, "lead"))
    assert changed.role is Role.LEAD


async def test_groups_canned_answers_companies_and_settings(database: str) -> None:
    desk, admin, agent = await _desk_with_admin()
    group = await desk.handle(c.SaveGroup(admin, 0, "Billing", (agent,), (agent,)))
    canned = await desk.handle(c.SaveCannedGroup(admin, 0, "Orders"))
    answer = await desk.handle(c.SaveCannedAnswer(admin, 0, canned.id, "Number",
                                                  "Your order number, {{ client_name }}?"))
    company = await desk.handle(c.SaveCompany(admin, 0, "Acme", "VIP", agent))
    await desk.handle(c.SetDeskSettings(admin, 0, 86400, "high", leads_see_reports=False))
    async with TortoiseUnitOfWork() as uow:
        assert (await uow.employees.get_group(group.id)).member_ids == {agent}
        assert (await uow.catalog.canned_answers(canned.id))[0].id == answer.id
        assert (await uow.contacts.get_company(company.id)).category == "VIP"
        settings = await uow.catalog.desk_settings()
    assert settings.reopen_window == timedelta(0)
    assert settings.auto_close_after == timedelta(days=1)
    assert not settings.leads_see_reports


async def test_session_token_and_throttle_stores(database: str) -> None:
    sessions = SessionStore(ttl=timedelta(hours=1))
    sid = await sessions.start(7, NOW)
    assert (await sessions.get(sid, NOW)).employee_id == 7  # type: ignore[union-attr]
    assert await sessions.get(sid, NOW + timedelta(hours=2)) is None
    sid = await sessions.start(7, NOW)
    await sessions.end(sid)
    assert await sessions.get(sid, NOW) is None

    tokens = ApiTokenStore()
    token = await tokens.create(7, "ci", NOW)
    assert await tokens.employee_for(token, NOW) == 7
    assert await tokens.employee_for(token + "x", NOW) is None

    throttle = LoginThrottle(per_login=3)
    for _ in range(3):
        await throttle.failed("Ada", "127.0.0.1", NOW)
    assert await throttle.blocked("ada", "127.0.0.2", NOW)
    assert not await throttle.blocked("ada", "127.0.0.2", NOW + timedelta(minutes=16))
