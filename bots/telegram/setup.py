"""Wiring of the Telegram adapter: the bot, the dispatcher with its routers, the update
intake (polling or webhook) and the outbox relay with the Telegram sender."""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import DeleteWebhook, GetMe, GetUpdates, SetWebhook, TelegramMethod

from bots.relay import OutboxRelay
from bots.telegram import posts, topics
from bots.telegram import sender as sender_module
from bots.telegram.config import TelegramConfig
from bots.telegram.handlers import build_routers
from bots.telegram.inbound import UpdateProcessor
from bots.telegram.lazy_types import answers_read_by, update_read_alone
from bots.telegram.limits import RateLimiter
from bots.telegram.polling import TelegramPoller
from bots.telegram.sender import TelegramSender
from bots.telegram.status import TelegramStatus
from bots.telegram.webhook import TelegramWebhook
from chatdesk.leadership import Takeover
from chatdesk.runtime import Runtime, Worker
from chatdesk.settings import Settings
from core.ports import Clock

log = logging.getLogger(__name__)


def _limiter(config: TelegramConfig) -> RateLimiter:
    scale = config.limits_time_scale
    return RateLimiter() if scale == 1 else RateLimiter.compressed(time_scale=scale)


def make_bot(config: TelegramConfig) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(config.api_url.rstrip("/")))
    return Bot(config.token, session=session)


def make_dispatcher(runtime: Runtime, config: TelegramConfig, clock: Clock) -> Dispatcher:
    # no conversation states: the desk keeps what a client is doing (current ticket, the
    # rating comment it waits for), so aiogram's FSM would only cost a context per update
    dispatcher = Dispatcher(desk=runtime.desk, tg=config, clock=clock, disable_fsm=True)
    dispatcher.include_routers(*build_routers(config))
    return dispatcher


async def install_telegram(runtime: Runtime, settings: Settings | None, clock: Clock,
                           config: TelegramConfig | None = None,
                           limiter: RateLimiter | None = None) -> UpdateProcessor:
    if config is None:
        assert settings is not None, "give the settings or a TelegramConfig"
        config = TelegramConfig.from_settings(settings)
    bot = make_bot(config)
    answers_read_by(_methods_we_call())  # not on the first burst after the start
    processor = UpdateProcessor(make_dispatcher(runtime, config, clock), bot)
    limiter = limiter or _limiter(config)
    helpers = [(make_bot(replace(config, token=token)), _limiter(config))
               for token in config.helper_tokens]
    sender = TelegramSender(bot, config.agent_chat_id, config.line2_chat_id,
                            config.default_language, limiter,
                            timezone=config.timezone, panel_url=config.panel_url, clock=clock,
                            helpers=helpers)
    relay = OutboxRelay(sender, clock, fence=runtime.fence if runtime.leadership else None)
    runtime.workers.append(Worker("telegram-relay", relay.run, single=True))
    for spent in [limiter, *(helper_limiter for _, helper_limiter in helpers)]:
        runtime.on_lead.append(partial(_budget_spent, spent))
    if config.mode == "webhook":
        assert config.webhook_url and config.webhook_secret
        update_read_alone()  # not on the first webhook call either
        webhook = TelegramWebhook(bot, processor, config.webhook_url, config.webhook_secret)
        runtime.web_adapters.append(webhook)
        runtime.on_start.append(webhook.register)
    else:
        poller = TelegramPoller(bot, processor, config.polling_timeout)
        runtime.workers.append(Worker("telegram-polling", poller.run, single=True))
    runtime.on_lead.append(lambda _: _retry_parked(processor))
    runtime.status_probes["telegram"] = TelegramStatus(bot, config.mode,
                                                       posters=sender.poster_stats)
    runtime.on_close.append(bot.session.close)
    for helper, _ in helpers:
        runtime.on_close.append(helper.session.close)
    return processor


async def _budget_spent(limiter: RateLimiter, takeover: Takeover) -> None:
    """A new leader assumes the one before spent every budget (a minute's in a group) up
    to when it could last send: its first posts never provoke a 429."""
    if takeover.spent_seconds_ago is not None:
        limiter.assume_spent(takeover.spent_seconds_ago)


async def _retry_parked(processor: UpdateProcessor) -> None:
    try:
        await processor.retry_parked()
    except Exception:  # the database is not there yet: they stay parked for the next start
        log.exception("parked telegram updates could not be retried")


def _methods_we_call() -> set[type[TelegramMethod[Any]]]:
    """The Bot API methods the bot calls: polling's, the webhook's, and every one the
    sender's modules name."""
    found: set[type[TelegramMethod[Any]]] = {GetUpdates, DeleteWebhook, SetWebhook, GetMe}
    for module in (posts, sender_module, topics):
        found |= {value for value in vars(module).values() if isinstance(value, type)
                  and issubclass(value, TelegramMethod) and value is not TelegramMethod}
    return found
