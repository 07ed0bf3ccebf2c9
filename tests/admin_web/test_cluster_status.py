"""/healthz and /metrics of two instances on one database: each says its role, the lease's
age and the outbox backlog; a standby is healthy (a balancer keeps sending it requests)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from admin_web.app import create_app
from admin_web.config import PanelConfig
from chatdesk.bootstrap import build_desk
from chatdesk.leadership import Leadership
from chatdesk.runtime import Runtime
from core import commands as c
from core.outbox import Routing


@asynccontextmanager
async def instance(name: str) -> AsyncIterator[tuple[Runtime, TestClient[Any, Any]]]:
    runtime = Runtime(build_desk(), leadership=Leadership(1.5, holder=name))
    client = TestClient(TestServer(create_app(runtime, PanelConfig())))
    await client.start_server()
    await runtime.start()
    try:
        yield runtime, client
    finally:
        await runtime.stop()
        await client.close()


async def test_each_instance_says_its_role_the_lease_and_the_backlog(database: str) -> None:
    desk = build_desk(routing=Routing(frozenset({"telegram"}), "telegram"))
    await desk.handle(c.ClientWrites("telegram", "1", "A", "hello"))  # queues posts
    async with instance("instance-1") as (first, one):
        async with asyncio.timeout(10):
            await first.leadership.changes.wait()  # type: ignore[union-attr]
        async with instance("instance-2") as (_, two):
            await asyncio.sleep(0.6)  # a look or two at the lease: the lead stays put
            leader = await (await one.get("/healthz")).json()
            standby_answer = await two.get("/healthz")
            standby = await standby_answer.json()
            metrics = await (await two.get("/metrics")).text()

    assert leader["role"] == "leader" and leader["leader"] == "instance-1"
    assert standby_answer.status == 200 and standby["status"] == "ok"
    assert standby["role"] == "standby" and standby["leader"] == "instance-1"
    assert 0 <= standby["lease_age_seconds"] < 1.5
    assert standby["outbox_backlog"]["telegram"] >= 1
    assert "chatdesk_leader 0" in metrics
    assert "# TYPE chatdesk_lease_age_seconds gauge" in metrics
