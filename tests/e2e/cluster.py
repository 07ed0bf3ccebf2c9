"""Several real `chatdesk run` processes on one PostgreSQL database against the Telegram
emulator (in the test's process), and a round-robin balancer in front of their webhooks:
the way an operator runs replicas behind a proxy. Used by tests/e2e/test_cluster.py and
bench/bench_cluster.py."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

REPO = Path(__file__).resolve().parents[2]
TOKEN = "123456:CLUSTER-token"
AGENT_CHAT = -1001000000077
SECRET = "cluster-secret"
PUBLIC = "https://desk.test"  # the address the bot registers; the balancer stands behind it


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Instance:
    name: str
    port: int
    process: subprocess.Popen[str]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def health(self) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as answer:
                return dict(json.loads(answer.read()))
        except urllib.error.HTTPError as error:
            return dict(json.loads(error.read()))
        except OSError:
            return None

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean stop, the lease is not given back."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def instance_env(home: Path, database_url: str, api_url: str, port: int, mode: str,
                 lease: int, time_scale: float) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "LANG": "C.UTF-8", "PYTHONPATH": str(REPO), "CHATDESK_DATA_DIR": str(home / "data"),
           "DATABASE_URL": database_url, "CHATDESK_HTTP_PORT": str(port),
           "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api_url,
           "TELEGRAM_AGENT_CHAT_ID": str(AGENT_CHAT), "TELEGRAM_MODE": mode,
           "CHATDESK_LEADER_LEASE_SECONDS": str(lease),
           "TELEGRAM_LIMITS_TIME_SCALE": str(time_scale)}
    if mode == "webhook":
        env |= {"TELEGRAM_WEBHOOK_URL": f"{PUBLIC}/telegram/webhook",
                "TELEGRAM_WEBHOOK_SECRET": SECRET}
    return env


@dataclass
class Cluster:
    base: Path
    database_url: str
    api_url: str
    mode: str = "webhook"
    lease: int = 2
    time_scale: float = 60.0
    instances: list[Instance] = field(default_factory=list)
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def start_instance(self) -> Instance:
        name = f"instance-{next(self._names)}"
        home = self.base / name
        home.mkdir(parents=True, exist_ok=True)
        port = free_port()
        log = home / "stderr.log"
        with log.open("w") as stderr:  # the child has its own copy
            process = subprocess.Popen(
                [sys.executable, "-m", "chatdesk.cli", "--log-level", "WARNING", "run"],
                cwd=home, env=instance_env(home, self.database_url, self.api_url, port,
                                           self.mode, self.lease, self.time_scale),
                stdout=subprocess.DEVNULL, stderr=stderr, text=True)
        instance = Instance(name, port, process, log)
        self.instances.append(instance)
        return instance

    @property
    def alive(self) -> list[Instance]:
        return [i for i in self.instances if i.alive]

    async def wait_healthy(self, timeout: float = 150) -> None:  # noqa: ASYNC109
        """Until every live instance answers /healthz."""
        async with asyncio.timeout(timeout):
            for instance in self.alive:
                while await asyncio.to_thread(instance.health) is None:
                    if not instance.alive:
                        raise RuntimeError(f"{instance.name} exited: {instance.log.read_text()}")
                    await asyncio.sleep(0.2)

    async def leader(self, timeout: float = 30) -> Instance:  # noqa: ASYNC109
        """The one live instance whose /healthz says it leads (waits for one)."""
        async with asyncio.timeout(timeout):
            while True:
                roles = [(i, await asyncio.to_thread(i.health)) for i in self.alive]
                leaders = [i for i, h in roles if h and h.get("role") == "leader"]
                if len(leaders) == 1:
                    return leaders[0]
                await asyncio.sleep(0.1)

    def stop(self) -> None:
        for instance in self.instances:
            instance.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {i.name}\n{i.log.read_text()}" for i in self.instances)


class Balancer:
    """Round robin over the live instances, as a proxy does; an instance that does not
    answer gets a 502 for that request (Telegram delivers the update again)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.turn = itertools.count()
        self.port = free_port()
        self.forwarded: dict[str, int] = {}
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def handle(self, request: web.Request) -> web.Response:
        assert self._session is not None
        instances = self.cluster.instances
        instance = instances[next(self.turn) % len(instances)]
        try:
            async with self._session.request(
                    request.method, f"{instance.url}{request.rel_url}", headers={
                        k: v for k, v in request.headers.items() if k.lower() != "host"},
                    data=await request.read()) as answer:
                body = await answer.read()
                self.forwarded[instance.name] = self.forwarded.get(instance.name, 0) + 1
                return web.Response(status=answer.status, body=body,
                                    content_type=answer.content_type)
        except (aiohttp.ClientError, OSError):
            return web.Response(status=502, text="bad gateway")

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()


@asynccontextmanager
async def running_cluster(base: Path, database_url: str, api_url: str, *, size: int = 2,
                          mode: str = "webhook", lease: int = 2, time_scale: float = 60.0
                          ) -> AsyncIterator[tuple[Cluster, Balancer]]:
    cluster = Cluster(base, database_url, api_url, mode, lease, time_scale)
    balancer = Balancer(cluster)
    await balancer.start()
    try:
        for _ in range(size):
            cluster.start_instance()
        await cluster.wait_healthy()
        yield cluster, balancer
    finally:
        await asyncio.to_thread(cluster.stop)
        await balancer.stop()
