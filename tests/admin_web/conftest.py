"""The panel on a real database (SQLite and PostgreSQL), served by aiohttp's test server,
with three accounts: an administrator, a lead and a specialist."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession, CookieJar
from aiohttp.test_utils import TestServer
from yarl import URL

from admin_web.app import create_app
from admin_web.config import PanelConfig
from admin_web.passwords import hash_password
from chatdesk.bootstrap import build_desk
from chatdesk.runtime import Runtime
from core import commands as c
from core.services import Desk

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Panel:
    desk: Desk
    server: TestServer
    admin_id: int
    lead_id: int
    agent_id: int
    other_agent_id: int

    async def client(self) -> Browser:
        return Browser(self.server)


class Browser:
    """One visitor with its own cookies (several may use the same server)."""

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.session = ClientSession(cookie_jar=CookieJar(unsafe=True))

    def make_url(self, path: str) -> URL:
        return self.server.make_url(path)

    async def get(self, path: str, **kwargs: Any) -> ClientResponse:
        return await self.session.get(self.make_url(path), **kwargs)

    async def post(self, path: str, **kwargs: Any) -> ClientResponse:
        return await self.session.post(self.make_url(path), **kwargs)

    async def close(self) -> None:
        await self.session.close()


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def sign_in(client: Browser, login: str, password: str = PASSWORD,
                  expect: int = 200) -> str:
    """Sign in through the form; returns the CSRF token of the new session."""
    page = await client.get("/login")
    token = csrf_of(await page.text())
    response = await client.post("/login", data={"login": login, "password": password,
                                                 "csrf_token": token, "next": "/"})
    assert response.status == expect, await response.text()
    if expect != 200:
        return ""
    return csrf_of(await response.text())


async def post(client: Browser, path: str, csrf: str, **data: Any) -> Any:
    return await client.post(path, data={"csrf_token": csrf, **data})


@pytest.fixture
async def panel(database: str) -> AsyncIterator[Panel]:
    desk = build_desk()
    hashed = hash_password(PASSWORD)
    admin = await desk.handle(c.AddEmployee("Ada Admin", "ada", "admin", password_hash=hashed))
    lead = await desk.handle(c.AddEmployee("Lea Lead", "lea", "lead", password_hash=hashed))
    agent = await desk.handle(c.AddEmployee("Sam Agent", "sam", "specialist",
                                            password_hash=hashed))
    other = await desk.handle(c.AddEmployee("Oli Other", "oli", "specialist",
                                            password_hash=hashed))
    app = create_app(Runtime(desk), PanelConfig())
    server = TestServer(app)
    await server.start_server()
    try:
        yield Panel(desk, server, admin.id, lead.id, agent.id, other.id)
    finally:
        await server.close()


@pytest.fixture(autouse=True)
def quick_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with tiny costs: the production parameters take most of a second per hash
    on a small machine, and tests sign in many times."""
    from argon2 import PasswordHasher

    from admin_web import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64,
                                                             parallelism=1))
