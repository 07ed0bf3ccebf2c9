"""Wiring of the VK adapter: the API client, the client conversation, the intake (Callback
API route on our server, or the Bots Long Poll worker) and the outbox relay with the VK
sender."""

from __future__ import annotations

from dataclasses import dataclass

from bots.messenger.compose import Composer
from bots.messenger.conversation import ClientConversation
from bots.messenger.files import FileSource, channel_files
from bots.relay import OutboxRelay
from bots.vk.api import VkClient
from bots.vk.callback import VkCallback
from bots.vk.config import VkConfig
from bots.vk.events import CHANNEL, VkEvents
from bots.vk.longpoll import VkLongPoller
from bots.vk.sender import VkSender
from chatdesk.runtime import Runtime, Worker
from chatdesk.settings import Settings
from core.ports import Clock
from storage.lists import TicketLists


@dataclass
class VkChannel:
    """The installed pieces (tests drive and inspect them)."""

    client: VkClient
    events: VkEvents
    relay: OutboxRelay
    callback: VkCallback | None = None
    poller: VkLongPoller | None = None


async def install_vk(runtime: Runtime, settings: Settings | None, clock: Clock,
                     config: VkConfig | None = None,
                     files: FileSource | None = None) -> VkChannel:
    assert config is not None or settings is not None
    config = config or VkConfig.from_settings(settings)  # type: ignore[arg-type]
    files = files or channel_files(settings)
    client = VkClient(config)
    conversation = ClientConversation(CHANNEL, runtime.desk, clock, TicketLists(),
                                      config.default_language)
    events = VkEvents(conversation, client)
    composer = Composer(config.default_language, timezone=config.timezone)
    sender = VkSender(client, composer, files=files)
    relay = OutboxRelay(sender, clock, agent_channel=runtime.desk.routing.agent_channel,
                        fence=runtime.fence if runtime.leadership else None)
    runtime.workers.append(Worker("vk-relay", relay.run, single=True))
    channel = VkChannel(client, events, relay)
    if config.mode == "longpoll":
        channel.poller = VkLongPoller(client, events, wait=config.longpoll_wait)
        runtime.workers.append(Worker("vk-longpoll", channel.poller.run, single=True))
    else:
        channel.callback = VkCallback(config, events)
        runtime.web_adapters.append(channel.callback)

    async def close() -> None:
        client.close()

    runtime.on_close.append(close)
    return channel
