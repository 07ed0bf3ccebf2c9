"""`chatdesk sandbox`: the whole product with Telegram replaced by the emulator, and a page in
the browser where one person plays a client (left) and the agents' group (right).

The emulator serves the Bot API, its control API and the page on ``CHATDESK_SANDBOX_PORT``
(default 8081). It holds a forum supergroup "ChatDesk agents" with one agent: an employee
linked to the agent's Telegram account (the demo administrator when there is one, linked on
start if needed). The product runs unchanged: it long-polls the emulator with aiogram like it
would poll Telegram, under the same flood limits.

``chatdesk run`` starts this when no ``TELEGRAM_BOT_TOKEN`` is set; the emulated world lives in
memory, the tickets in the database like any others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bots.telegram.config import TelegramConfig
from chatdesk.settings import Settings
from core import commands as c
from core.ports import Clock
from core.services import Desk
from emulators.telegram import RateLimits, TelegramEmulator
from emulators.telegram.sandbox import SandboxInfo, install_sandbox_page

if TYPE_CHECKING:
    from storage.admin import ChannelClient

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "7000000042:chatdesk-sandbox"
BOT_USERNAME = "chatdesk_sandbox_bot"
BOT_NAME = "ChatDesk"
GROUP_TITLE = "ChatDesk agents"
AGENT_CHAT_ID = -1001000000042
AGENT_TELEGRAM_ID = 700042
"""The Telegram account the person plays in the agents' group, unless the chosen employee
already has one linked."""
SANDBOX_LOGIN, SANDBOX_NAME = "sandbox", "Sandbox Agent"
FIRST_CLIENT_ID = 9_000_000_001
"""Clients the page creates get Telegram ids from here on, above every earlier run's."""
KNOWN_CLIENTS = 500
"""The desk's Telegram clients (the demo's, earlier runs') the emulated world starts with,
newest first: replies to them reach the page instead of failing with "chat not found"."""
DEMO_LOGIN, DEMO_PASSWORD = "admin", "admin"
_ANY_ADDRESS = ("", "0.0.0.0", "::")


class SandboxError(RuntimeError):
    """The sandbox cannot start (its port is taken); the message names the setting."""


@dataclass(frozen=True)
class SandboxAgent:
    employee_id: int
    name: str
    login: str
    telegram_id: int
    demo_password: bool = False
    """The employee signs in to the panel with the demo password (shown on the page)."""


async def ensure_agent(desk: Desk) -> SandboxAgent:
    """The employee the person plays in the agents' group, linked to a Telegram id.

    Chosen in this order: the employee already linked to the sandbox account; the demo
    administrator; the first active administrator; else a new "sandbox" employee. One without a
    Telegram id is linked to the sandbox account (``LinkTelegram``). The database must be open.
    """
    from storage import models as m

    linked = await m.EmployeeRow.filter(telegram_id=AGENT_TELEGRAM_ID).first()
    if linked is not None and not linked.active:  # free the account for an active employee
        await desk.handle(c.LinkTelegram(linked.id, None))
        linked = None
    row = (linked
           or await m.EmployeeRow.filter(login=DEMO_LOGIN, active=True).first()
           or await m.EmployeeRow.filter(role="admin", active=True).order_by("id").first())
    if row is None:
        employee = await desk.handle(c.AddEmployee(SANDBOX_NAME, SANDBOX_LOGIN, "admin",
                                                   AGENT_TELEGRAM_ID))
        return SandboxAgent(employee.id, employee.name, employee.login, AGENT_TELEGRAM_ID)
    if row.telegram_id is None:
        await desk.handle(c.LinkTelegram(row.id, AGENT_TELEGRAM_ID))
        row.telegram_id = AGENT_TELEGRAM_ID
    return SandboxAgent(row.id, row.name, row.login, int(row.telegram_id),
                        _has_demo_password(row.login, row.password_hash))


def _has_demo_password(login: str, password_hash: str | None) -> bool:
    if login != DEMO_LOGIN or not password_hash:
        return False
    from admin_web.passwords import verify_password

    return verify_password(password_hash, DEMO_PASSWORD)


def _local(host: str) -> str:
    return "127.0.0.1" if host in _ANY_ADDRESS else host


@dataclass(frozen=True)
class Remembered:
    """What the database remembers of earlier sandbox runs (the emulated world is in memory
    and starts empty): a new run must not reuse those ids."""

    last_group_message_id: int = 0
    """The highest topic or card message id stored for the agents' group."""
    next_client_id: int = FIRST_CLIENT_ID
    clients: tuple[ChannelClient, ...] = ()
    """The desk's Telegram clients, who must have a chat with the bot in the new world."""


async def remembered() -> Remembered:
    from storage import models as m

    rows = await m.TelegramTopicRow.filter(chat_id=AGENT_CHAT_ID).values_list(
        "thread_id", "card_message_id")
    last = max((int(x or 0) for row in rows for x in row), default=0)
    clients = [int(x) for x in await m.IdentityRow.filter(channel="telegram").values_list(
        "external_id", flat=True) if x.isdigit()]
    ours = [x for x in clients if FIRST_CLIENT_ID <= x < 2 * FIRST_CLIENT_ID]
    from storage.admin import channel_clients

    known = await channel_clients("telegram", KNOWN_CLIENTS)
    return Remembered(last, max(ours, default=FIRST_CLIENT_ID - 1) + 1, tuple(known))


def add_known_clients(emulator: TelegramEmulator, clients: Sequence[ChannelClient],
                      agent_id: int) -> None:
    """Give each client a private chat with the bot, with their name and language."""
    for client in clients:
        if not client.external_id.isdigit() or int(client.external_id) == agent_id:
            continue
        first, _, last = (client.name.strip() or client.external_id).partition(" ")
        emulator.add_user(int(client.external_id), first[:64], last_name=last[:64] or None,
                          language_code=client.language)


class Sandbox:
    """The emulated Telegram of the sandbox: ``prepare`` (database open), ``start``, then run
    the product with :attr:`settings`; ``stop`` at the end."""

    def __init__(self, settings: Settings, *, port: int | None = None,
                 rate_limits: RateLimits | None = None) -> None:
        self.base_settings = settings
        self.host = settings.http_host
        self.port = settings.sandbox_port if port is None else port
        self.rate_limits = rate_limits
        self.agent: SandboxAgent | None = None
        self.remembered = Remembered()
        self.emulator: TelegramEmulator | None = None

    async def prepare(self, desk: Desk | None = None) -> SandboxAgent:
        """Make sure the agent's employee exists and is linked, and read what earlier runs
        left behind (the database must be open)."""
        if desk is None:
            from chatdesk.bootstrap import build_desk

            desk = build_desk()
        self.agent = await ensure_agent(desk)
        self.remembered = await remembered()
        return self.agent

    async def start(self) -> TelegramConfig:
        """Start the emulator with the agents' group and the page; returns the Telegram
        configuration the product should use (also in :attr:`settings`)."""
        agent = self.agent or await self.prepare()
        emulator = TelegramEmulator(token=SANDBOX_TOKEN, rate_limits=self.rate_limits,
                                    host=self.host, port=self.port,
                                    bot_username=BOT_USERNAME, bot_first_name=BOT_NAME)
        emulator.create_supergroup(GROUP_TITLE, chat_id=AGENT_CHAT_ID, forum=True, members=[
            {"user_id": agent.telegram_id, "first_name": agent.name, "username": agent.login,
             "admin": True}])
        emulator.reserve_message_ids(AGENT_CHAT_ID, self.remembered.last_group_message_id)
        add_known_clients(emulator, self.remembered.clients, agent.telegram_id)
        panel = f"http://{_local(self.host)}:{self.base_settings.http_port}/"
        install_sandbox_page(emulator, SandboxInfo(
            agent_chat_id=AGENT_CHAT_ID, agent_user_id=agent.telegram_id,
            agent_name=agent.name, group_title=GROUP_TITLE, panel_url=panel,
            first_client_id=self.remembered.next_client_id,
            panel_login=f"{DEMO_LOGIN} / {DEMO_PASSWORD}" if agent.demo_password else None))
        try:
            await emulator.start()
        except OSError as exc:
            raise SandboxError(f"cannot listen on {self.host}:{self.port} for the sandbox: "
                               f"{exc.strerror or exc} (set CHATDESK_SANDBOX_PORT)") from None
        self.emulator = emulator
        return self.config

    @property
    def api_url(self) -> str:
        """Where the product reaches the emulated Bot API."""
        assert self.emulator is not None, "start() first"
        return f"http://{_local(self.host)}:{self.emulator.base_url.rsplit(':', 1)[1]}"

    @property
    def url(self) -> str:
        """The page, for people."""
        return self.api_url + "/"

    @property
    def settings(self) -> Settings:
        """The product's settings with Telegram pointed at the emulator."""
        return self.base_settings.model_copy(update={
            "telegram_bot_token": SANDBOX_TOKEN,
            "telegram_api_url": self.api_url,
            "telegram_agent_chat_id": AGENT_CHAT_ID,
            "telegram_line2_chat_id": None,
            "telegram_mode": "polling",
            "telegram_webhook_url": None,
            "telegram_webhook_secret": None,
        })

    @property
    def config(self) -> TelegramConfig:
        return TelegramConfig.from_settings(self.settings)

    async def stop(self) -> None:
        if self.emulator is not None:
            await self.emulator.stop()
            self.emulator = None


async def serve_sandbox(settings: Settings, clock: Clock | None = None,
                        stop: asyncio.Event | None = None) -> None:
    """Run the product against the sandbox until SIGINT/SIGTERM (or ``stop``)."""
    from chatdesk.app import serve
    from storage.db import close_database, open_database

    sandbox = Sandbox(settings)
    await open_database(settings.database_url)
    try:
        agent = await sandbox.prepare()
    finally:
        await close_database()
    await sandbox.start()
    print(f"ChatDesk sandbox (no TELEGRAM_BOT_TOKEN): open {sandbox.url} to play a client and "
          f"the agents' group; you are {agent.name} there", flush=True)
    try:
        await serve(sandbox.settings, clock, stop)
    finally:
        await sandbox.stop()
