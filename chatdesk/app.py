"""Building and serving the whole product in one process: database, desk, channel adapters,
outbox relays, timers and the aiohttp server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator

from aiohttp import web

from admin_web.app import create_app
from admin_web.config import config_from_settings
from bots.messenger.files import channel_files
from chatdesk.bootstrap import SystemClock, build_desk
from chatdesk.leadership import Leadership
from chatdesk.runtime import Runtime, Worker
from chatdesk.settings import Settings
from chatdesk.timers import TimerWorker
from core.outbox import Routing
from core.ports import Clock
from storage.db import close_database, open_database

log = logging.getLogger(__name__)


def routing_for(settings: Settings) -> Routing:
    clients = {name for name, on in (("telegram", settings.telegram_enabled),
                                     ("vk", settings.vk_enabled),
                                     ("viber", settings.viber_enabled),
                                     ("email", settings.mail_sends)) if on}
    return Routing(frozenset(clients), "telegram" if settings.telegram_enabled else None)


async def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    """Wire the desk and every configured channel. The database must be open."""
    clock = clock or SystemClock()
    runtime = Runtime(build_desk(clock=clock, routing=routing_for(settings)),
                      leadership=Leadership(settings.leader_lease_seconds,
                                            exclusive=not settings.is_postgres))
    runtime.workers.append(Worker("timers", TimerWorker(runtime.desk, clock).run, single=True))
    if settings.telegram_enabled:
        from bots.telegram.setup import install_telegram

        await install_telegram(runtime, settings, clock)
    if settings.vk_enabled:
        from bots.vk.setup import install_vk

        await install_vk(runtime, settings, clock)
    if settings.viber_enabled:
        from bots.viber.setup import install_viber

        await install_viber(runtime, settings, clock)
    if settings.mail_enabled:
        from bots.mail.setup import install_mail

        await install_mail(runtime, settings, clock)
    return runtime


def web_app(runtime: Runtime, settings: Settings | None = None) -> web.Application:
    app = create_app(runtime, config_from_settings(settings) if settings else None,
                     channel_files(settings))

    async def workers(_: web.Application) -> AsyncIterator[None]:
        await runtime.start()
        yield
        await runtime.stop()

    app.cleanup_ctx.append(workers)
    return app


async def serve(settings: Settings, clock: Clock | None = None,
                stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or `stop` is set)."""
    await open_database(settings.database_url)
    try:
        runtime = await build_runtime(settings, clock)
        runner = web.AppRunner(web_app(runtime, settings), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, settings.http_host, settings.http_port)
        await site.start()
        log.info("ChatDesk is listening on http://%s:%d", settings.http_host,
                 settings.http_port)
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await runner.cleanup()
    finally:
        await close_database()
