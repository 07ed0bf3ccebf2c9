"""The Viber sender of the outbox relay: texts up to 7,000 characters (longer ones in
several messages), buttons as a keyboard (the main menu on every other message, since
Viber hides a keyboard a message does not carry), tracking data for the rating comment.
The token of a sent agent answer is remembered, so Viber's delivered / seen / failed
reports land on its comment.

A client who unsubscribed is not written to: their messages fail, and the relay notes it
in the ticket's topic. Outcomes: status 12 (too many requests), HTTP errors, timeouts ->
Retry; 5/6/7/11 (not registered, not subscribed, blocked, no suitable device) -> Failed;
other statuses -> Failed with Viber's words. A retry resumes after the pieces of a long
text that already went out (Viber has no deduplication of its own)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import requests
from viberbot.api.messages import FileMessage, PictureMessage, TextMessage
from viberbot.api.messages.message import Message

from bots.i18n import translator
from bots.messenger.compose import Composer, Outgoing, with_file_names
from bots.messenger.file_links import FileLinks
from bots.messenger.files import file_name, is_picture
from bots.messenger.keyboards import main_menu
from bots.messenger.text import split_text
from bots.relay import Failed, Outcome, Retry, Sent
from bots.viber.api import ViberApiError, ViberClient
from bots.viber.keyboard import viber_keyboard
from core.errors import NotFound
from core.outbox import OutboundMessage
from core.ports import Clock
from core.tickets import Attachment
from storage.messenger_state import MessengerState

log = logging.getLogger(__name__)

MAX_TEXT = 7000
RETRY_STATUSES = {12: 1.0}  # tooManyRequests -> wait a second
UNREACHABLE = {5: "is not registered", 6: "is not subscribed", 7: "blocked the bot",
               11: "has no suitable device"}


class ViberSender:
    channel = "viber"

    def __init__(self, client: ViberClient, composer: Composer,
                 state: MessengerState | None = None, links: FileLinks | None = None,
                 clock: Clock | None = None) -> None:
        self.client = client
        self.composer = composer
        self.state = state or MessengerState()
        self.links = links
        self.clock = clock
        self._noted: set[int] = set()  # outbox rows whose progress this process wrote down

    def destination(self, message: OutboundMessage) -> str:
        return f"viber:{message.recipient}"

    async def send(self, messages: Sequence[OutboundMessage]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for message in messages:
            outcome = await self._one(message)
            if not isinstance(outcome, Retry) and message.id in self._noted:
                await self._forget_progress(message.id)
            outcomes.append(outcome)
            if not isinstance(outcome, Sent):
                break
        return outcomes

    async def _one(self, message: OutboundMessage) -> Outcome:
        if not message.recipient:
            return Failed("the client has no Viber id")
        reason = await self.state.unreachable(self.channel, message.recipient)
        if reason:
            return Failed(f"the client {reason} (Viber): nothing was sent")
        try:
            outgoing = await self.composer.compose(message)
            token = await self._deliver(message, outgoing)
        except ViberApiError as exc:
            return await self._api_outcome(exc, message)
        except (requests.RequestException, TimeoutError, OSError) as exc:
            return Retry(f"{type(exc).__name__}: {exc}")
        except NotFound as exc:
            return Failed(str(exc))
        if message.comment_id and token:
            await self.state.remember_sent(self.channel, token, message.comment_id,
                                           message.ticket_id)
        return Sent()

    async def _deliver(self, message: OutboundMessage, outgoing: Outgoing) -> str | None:
        assert message.recipient
        files = outgoing.files if self.links and outgoing.comment_id else ()
        if outgoing.files and not files:
            log.warning("viber message %d: no public URL for files, sent by name", message.id)
        text = with_file_names(outgoing, outgoing.files if not files else ())
        pieces = split_text(text, MAX_TEXT) or ["…"]
        keyboard = viber_keyboard(outgoing.buttons or main_menu(
            translator(outgoing.language, "messenger"), share_phone=True))
        last = len(pieces) + len(files) - 1
        parts: list[Message] = [
            TextMessage(text=piece, keyboard=keyboard, min_api_version=3,
                        tracking_data=outgoing.tracking if i == last else None)
            for i, piece in enumerate(pieces)]
        parts += [self._file_message(outgoing.comment_id, i, a, keyboard, outgoing.tracking
                                     if len(pieces) + i == last else None)
                  for i, a in enumerate(files)]
        token = None
        done = await self._parts_sent(message.id) if len(parts) > 1 else 0
        for index in range(done, len(parts)):
            token = await self.client.send(message.recipient, parts[index])
            if index + 1 < len(parts):
                await self.state.put(self.channel, f"parts:{message.id}", {"sent": index + 1})
                self._noted.add(message.id)
        if done or message.id in self._noted:
            await self._forget_progress(message.id)
        return token

    async def _parts_sent(self, row_id: int) -> int:
        """How many messages (text pieces, files) of a row Viber already has: a row sent as
        several messages notes each one in the database, so a retry, even after a restart,
        sends only the rest."""
        noted = await self.state.get(self.channel, f"parts:{row_id}")
        return int(noted.get("sent") or 0) if noted else 0

    async def _forget_progress(self, row_id: int) -> None:
        await self.state.delete(self.channel, f"parts:{row_id}")
        self._noted.discard(row_id)

    def _file_message(self, comment_id: int, index: int, attachment: Attachment,
                      keyboard: dict[str, Any], tracking: str | None) -> Message:
        """A picture or a file Viber fetches from our signed link."""
        assert self.links is not None
        now = self.clock.now() if self.clock else datetime.now(UTC)
        url = self.links.url(comment_id, index, now)
        if is_picture(attachment):
            return PictureMessage(media=url, keyboard=keyboard, tracking_data=tracking,
                                  min_api_version=3)
        return FileMessage(media=url, size=attachment.size or 1,
                           file_name=file_name(attachment)[:255], keyboard=keyboard,
                           tracking_data=tracking, min_api_version=3)

    async def _api_outcome(self, exc: ViberApiError, message: OutboundMessage) -> Outcome:
        text = f"Viber status {exc.status}: {exc.message}"
        if exc.status in RETRY_STATUSES:
            return Retry(text, after=RETRY_STATUSES[exc.status])
        if exc.status in UNREACHABLE:
            assert message.recipient
            if exc.status in (5, 6, 7):
                await self.state.mark_unreachable(self.channel, message.recipient,
                                                  UNREACHABLE[exc.status])
            return Failed(f"the client {UNREACHABLE[exc.status]} (Viber): {exc.message}")
        log.error("viber message %d (%s) refused: %s", message.id, message.kind, text)
        return Failed(text)
