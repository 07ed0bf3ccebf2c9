"""Wiring of the e-mail channel: a reader per configured mailbox (IMAP), the outbox relay
with the SMTP sender, and the one-click links of resolution mails on our web server."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bots.mail.compose import MailComposer
from bots.mail.config import MailConfig
from bots.mail.conversation import MailConversation
from bots.mail.files import MailFiles
from bots.mail.inbox import MailboxReader
from bots.mail.links import ActionLinks
from bots.mail.sender import MailSender
from bots.mail.threads import MessageIds
from bots.messenger.files import ChannelFiles, FileSource, channel_files
from bots.relay import OutboxRelay
from chatdesk.runtime import Runtime, Worker
from chatdesk.settings import Settings
from core.ports import Clock

log = logging.getLogger(__name__)


@dataclass
class MailChannel:
    """The installed pieces (tests drive and inspect them)."""

    conversation: MailConversation
    readers: list[MailboxReader] = field(default_factory=list)
    sender: MailSender | None = None
    relay: OutboxRelay | None = None
    links: ActionLinks | None = None


async def install_mail(runtime: Runtime, settings: Settings | None, clock: Clock,
                       config: MailConfig | None = None,
                       files: FileSource | None = None) -> MailChannel:
    assert config is not None or settings is not None
    config = config or MailConfig.from_settings(settings)  # type: ignore[arg-type]
    files = files or (channel_files(settings) if settings else
                      ChannelFiles(mail_files=config.files_dir))
    ids = MessageIds(config.secret_key, config.domain)
    conversation = MailConversation(runtime.desk, ids, MailFiles(config.files_dir),
                                    config.address, default_language=config.default_language)
    channel = MailChannel(conversation)
    for index, mailbox in enumerate(config.mailboxes):
        reader = MailboxReader(mailbox, config, conversation)
        channel.readers.append(reader)
        runtime.workers.append(Worker(f"mail-inbox-{index + 1}", reader.run, single=True))
    if config.public_url:
        channel.links = ActionLinks(config.public_url, config.secret_key, runtime.desk,
                                    default_language=config.default_language)
        runtime.web_adapters.append(channel.links)
    else:
        log.warning("CHATDESK_PUBLIC_URL is not set: resolution mails carry no rating links")
    if config.smtp is not None:
        composer = MailComposer(config, ids, links=channel.links, files=files)
        channel.sender = MailSender(config, composer, clock)
        channel.relay = OutboxRelay(channel.sender, clock,
                                    agent_channel=runtime.desk.routing.agent_channel,
                                    fence=runtime.fence if runtime.leadership else None)
        runtime.workers.append(Worker("mail-relay", channel.relay.run, single=True))
    return channel
