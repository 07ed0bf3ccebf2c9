"""Wiring of the Viber adapter: the API client, the client conversation, the webhook route
on our server (registered with Viber once the server answers: Viber calls it while
set_webhook runs) and the outbox relay with the Viber sender."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from bots.messenger.compose import Composer
from bots.messenger.conversation import ClientConversation
from bots.messenger.file_links import FileLinks
from bots.messenger.files import FileSource, channel_files
from bots.relay import OutboxRelay
from bots.viber.api import ViberClient
from bots.viber.config import ViberConfig
from bots.viber.events import CHANNEL, ViberEvents
from bots.viber.sender import ViberSender
from bots.viber.webhook import PATH, ViberWebhook
from chatdesk.runtime import Runtime, Worker
from chatdesk.settings import Settings
from core.ports import Clock
from storage.lists import TicketLists

log = logging.getLogger(__name__)


@dataclass
class ViberChannel:
    """The installed pieces (tests drive and inspect them)."""

    client: ViberClient
    events: ViberEvents
    webhook: ViberWebhook
    relay: OutboxRelay
    registered: asyncio.Event


async def install_viber(runtime: Runtime, settings: Settings | None, clock: Clock,
                        config: ViberConfig | None = None,
                        files: FileSource | None = None) -> ViberChannel:
    assert config is not None or settings is not None
    if config is None:
        assert settings is not None
        config = ViberConfig.from_settings(settings)
        base = config.webhook_url or settings.public_url
        if base and urlsplit(base).path in ("", "/"):  # the server's address: add our route
            config = replace(config, webhook_url=base.rstrip("/") + PATH)
    client = ViberClient(config)
    conversation = ClientConversation(CHANNEL, runtime.desk, clock, TicketLists(),
                                      config.default_language)
    events = ViberEvents(conversation)
    webhook = ViberWebhook(config, events)
    runtime.web_adapters.append(webhook)
    links = None
    if config.public_url and config.secret_key:
        links = FileLinks(config.public_url, config.secret_key, files or channel_files(settings))
        runtime.web_adapters.append(links)
    else:
        log.warning("CHATDESK_PUBLIC_URL is not set: agents' files reach Viber clients as "
                    "names only")
    composer = Composer(config.default_language, timezone=config.timezone)
    sender = ViberSender(client, composer, links=links, clock=clock)
    relay = OutboxRelay(sender, clock, agent_channel=runtime.desk.routing.agent_channel,
                        fence=runtime.fence if runtime.leadership else None)
    runtime.workers.append(Worker("viber-relay", relay.run, single=True))
    channel = ViberChannel(client, events, webhook, relay, asyncio.Event())
    if config.webhook_url:
        url = config.webhook_url
        runtime.workers.append(Worker("viber-webhook", lambda: _register(channel, url),
                                      one_shot=True))
    else:
        log.warning("VIBER_WEBHOOK_URL (or CHATDESK_PUBLIC_URL) is not set: Viber cannot "
                    "reach the bot")

    async def close() -> None:
        client.close()

    runtime.on_close.append(close)
    return channel


async def _register(channel: ViberChannel, url: str) -> None:
    """Tell Viber where the webhook is, retrying until our server is up and answers."""
    delay = 0.2
    while True:
        try:
            events = await channel.client.set_webhook(url)
        except Exception as exc:
            log.warning("viber set_webhook failed (%s); retry in %.1f s", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)
            continue
        log.info("viber webhook set to %s for %s", url, ", ".join(events))
        channel.registered.set()
        return
