"""The VK sender of the outbox relay: `messages.send` to the client, texts over 9,000
characters in several messages, buttons as keyboards (the main menu stays under the chat;
ticket buttons sit under their message). Each message gets a `random_id` derived from its
outbox row, so a retry after a timeout never shows the client a duplicate: VK does not
deliver a random_id twice.

A message with a ticket's resolution buttons (confirm, reopen, stars, "Add a comment") is
remembered; once the client answered it, or pressed a button that no longer applies, it is
edited (messages.edit) to show the outcome, like Telegram's, with the stars kept while the
ticket may still be rated. An edit VK refuses (older than a day) is logged and skipped.

An agent's files are uploaded the VK way (photos.getMessagesUploadServer, the upload, then
photos.saveMessagesPhoto; documents through docs.getMessagesUploadServer and docs.save) and
sent as the message's attachments; a file that cannot be fetched is named in the text.

Outcomes: errors 6 (too many requests), 9 (flood control), 10 (server) and 29 (rate limit),
timeouts and network errors -> Retry with backoff; a client who denied messages (901, 900,
or a message_deny event) -> Failed, so the ticket's topic gets a note; other API errors ->
Failed with VK's words."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
import requests
from vk_api.exceptions import ApiError

from bots.i18n import translator
from bots.messenger.compose import Composer, Outgoing, Settled, with_file_names
from bots.messenger.files import FileData, FileSource, FileUnavailable, file_name, is_picture
from bots.messenger.keyboards import SHARE_PHONE, Button, Rows, main_menu, resolution_buttons
from bots.messenger.text import split_text
from bots.relay import Failed, Outcome, Retry, Sent
from bots.vk.api import VkClient
from core.errors import NotFound
from core.outbox import OutboundMessage
from core.tickets import Attachment
from storage.messenger_state import MessengerState

log = logging.getLogger(__name__)

MAX_TEXT = 9000
MAX_ATTACHMENTS = 10  # messages.send takes at most 10 attachments
PARTS_PER_MESSAGE = 16  # random_ids per outbox row: one per piece of a long text
RETRY_AFTER = {6: 1.0, 9: 30.0, 10: None, 29: 300.0}  # VK error -> seconds (None: backoff)
UNREACHABLE = frozenset({900, 901, 902})
STYLES = {"primary": "primary", "positive": "positive", "negative": "negative"}
TICKET_ACTIONS = ("confirm", "reopen", "rate", "comment", "skip")  # a resolution question's
NO_KEYBOARD = json.dumps({"inline": True, "buttons": []})  # messages.edit: remove the buttons


def random_id(row_id: int, part: int) -> int:
    """The same outbox row and piece always give the same id (VK keeps it as int32)."""
    return (row_id * PARTS_PER_MESSAGE + part) % 2_147_483_647 + 1


class VkSender:
    channel = "vk"

    def __init__(self, client: VkClient, composer: Composer,
                 state: MessengerState | None = None, files: FileSource | None = None) -> None:
        self.client = client
        self.composer = composer
        self.state = state or MessengerState()
        self.files = files
        # Outbox rows whose uploads are noted in the messenger state until they are sent
        self._noted: set[int] = set()

    def destination(self, message: OutboundMessage) -> str:
        return f"vk:{message.recipient}"

    async def send(self, messages: Sequence[OutboundMessage]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for message in messages:
            outcome = await self._one(message)
            if not isinstance(outcome, Retry) and message.id in self._noted:
                self._noted.discard(message.id)
                await self.state.forget_upload(self.channel, message.id)
            outcomes.append(outcome)
            if not isinstance(outcome, Sent):
                break
        return outcomes

    async def _one(self, message: OutboundMessage) -> Outcome:
        if not message.recipient:
            return Failed("the client has no VK id")
        reason = await self.state.unreachable(self.channel, message.recipient)
        if reason:
            return Failed(f"the client {reason} (VK)")
        try:
            outgoing = await self.composer.compose(message)
            if outgoing.settles:
                await self._settle(int(message.recipient), outgoing.settles)
            await self._deliver(int(message.recipient), message.id, outgoing)
        except ApiError as exc:
            return self._api_outcome(exc, message)
        except (requests.RequestException, aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Retry(f"{type(exc).__name__}: {exc}")
        except NotFound as exc:
            return Failed(str(exc))
        return Sent()

    async def _deliver(self, peer_id: int, row_id: int, outgoing: Outgoing) -> None:
        attachments, unsent = await self._uploads(peer_id, row_id, outgoing)
        pieces = split_text(with_file_names(outgoing, unsent), MAX_TEXT) or ["…"]
        keyboard = self._keyboard(outgoing)
        for index, piece in enumerate(pieces):
            values: dict[str, Any] = {"peer_id": peer_id, "message": piece,
                                      "random_id": random_id(row_id, index)}
            if index == len(pieces) - 1:
                if keyboard:
                    values["keyboard"] = keyboard
                if attachments:
                    values["attachment"] = ",".join(attachments)
            sent = await self.client.call("messages.send", **values)
        question = _question_of(outgoing.buttons)
        if question and isinstance(sent, int):
            await self._remember_question(peer_id, question, sent, pieces[-1],
                                          _actions(outgoing.buttons))

    # --- resolution questions, edited once answered ---------------------------------------
    @staticmethod
    def _question_key(peer_id: int, ticket_id: int) -> str:
        return f"question:{peer_id}:{ticket_id}"

    async def _remember_question(self, peer_id: int, ticket_id: int, message_id: int,
                                 text: str, actions: list[str]) -> None:
        key = self._question_key(peer_id, ticket_id)
        known = (await self.state.get(self.channel, key) or {}).get("messages") or []
        known.append({"id": message_id, "text": text, "actions": actions})
        await self.state.put(self.channel, key, {"messages": known})

    async def _settle(self, peer_id: int, settled: Settled) -> None:
        """The ticket's messages with the pressed button show the outcome (VK does not say
        which message was pressed); the stars stay while the ticket may be rated."""
        key = self._question_key(peer_id, settled.ticket_id)
        known = (await self.state.get(self.channel, key) or {}).get("messages") or []
        pressed = [q for q in known if settled.action in (q.get("actions") or ())]
        if not pressed:
            return
        keyboard = NO_KEYBOARD
        if settled.stars:
            stars = (resolution_buttons("", "", settled.ticket_id)[1],)
            keyboard = json.dumps(_vk_keyboard(stars, inline=True), ensure_ascii=False)
        for question in pressed:
            try:
                await self.client.call(
                    "messages.edit", peer_id=peer_id, message_id=int(question["id"]),
                    message=f"{question['text']}\n\n{settled.outcome}"[:MAX_TEXT],
                    keyboard=keyboard)
            except ApiError as exc:  # too old to edit, or gone: the answer says it all
                log.info("vk: question %s not edited: %s", question.get("id"), exc)
            question["actions"] = ["rate"] if settled.stars else []
        left = [q for q in known if q.get("actions")]  # a message with nothing left to press
        if left:                                        # is forgotten
            await self.state.put(self.channel, key, {"messages": left})
        else:
            await self.state.delete(self.channel, key)

    async def _uploads(self, peer_id: int, row_id: int, outgoing: Outgoing
                       ) -> tuple[list[str], tuple[Attachment, ...]]:
        """The row's files, uploaded once: what was uploaded is noted in the messenger state
        until the row is sent, so a retry (after a restart too) does not upload again."""
        if not outgoing.files:
            return [], ()
        noted = await self.state.upload(self.channel, row_id)
        if noted is None:
            noted = await self._upload_all(peer_id, outgoing)
            await self.state.note_upload(self.channel, row_id, *noted)
        self._noted.add(row_id)
        return noted

    async def _upload_all(self, peer_id: int, outgoing: Outgoing
                          ) -> tuple[list[str], tuple[Attachment, ...]]:
        """VK's references of the uploaded files ("photo-1_2", "doc-1_3"), and the files
        that cannot be sent (they are named in the text instead)."""
        uploaded: list[str] = []
        unsent: list[Attachment] = []
        for attachment in outgoing.files[:MAX_ATTACHMENTS]:
            try:
                if self.files is None:
                    raise FileUnavailable("no file source")
                file = await self.files.fetch(outgoing.files_from, attachment)
            except FileUnavailable as exc:
                log.warning("vk: %s is sent by name: %s", file_name(attachment), exc)
                unsent.append(attachment)
                continue
            uploaded.append(await self._upload(peer_id, file, is_picture(attachment)))
        return uploaded, (*unsent, *outgoing.files[MAX_ATTACHMENTS:])

    async def _upload(self, peer_id: int, file: FileData, picture: bool) -> str:
        if picture:
            server = await self.client.call("photos.getMessagesUploadServer", peer_id=peer_id)
            sent = await self.client.upload(server["upload_url"], "photo", file.name,
                                            file.data, file.mime_type)
            [photo] = await self.client.call("photos.saveMessagesPhoto", photo=sent["photo"],
                                             server=sent["server"], hash=sent["hash"])
            return _reference("photo", photo)
        server = await self.client.call("docs.getMessagesUploadServer", type="doc",
                                        peer_id=peer_id)
        sent = await self.client.upload(server["upload_url"], "file", file.name, file.data,
                                        file.mime_type)
        saved = await self.client.call("docs.save", file=sent["file"], title=file.name)
        return _reference("doc", saved["doc"])

    def _keyboard(self, outgoing: Outgoing) -> str | None:
        if outgoing.buttons:
            return json.dumps(_vk_keyboard(outgoing.buttons, inline=True), ensure_ascii=False)
        if outgoing.menu:
            menu = main_menu(translator(outgoing.language, "messenger"))
            return json.dumps(_vk_keyboard(menu, inline=False), ensure_ascii=False)
        return None

    def _api_outcome(self, exc: ApiError, message: OutboundMessage) -> Outcome:
        code = int(exc.code)
        text = f"VK error {code}: {exc.error.get('error_msg', '')}"
        if code in RETRY_AFTER:
            return Retry(text, after=RETRY_AFTER[code])
        if code in UNREACHABLE:
            return Failed(text)
        log.error("vk message %d (%s) refused: %s", message.id, message.kind, text)
        return Failed(text)


def _question_of(rows: Rows) -> int | None:
    """The ticket whose resolution buttons these are, if they are."""
    for row in rows:
        for button in row:
            action, _, rest = button.action.partition(":")
            if action in TICKET_ACTIONS and rest.split(":")[0].isdigit():
                return int(rest.split(":")[0])
    return None


def _actions(rows: Rows) -> list[str]:
    """The resolution actions of these buttons ("confirm", "rate", ...)."""
    found = {b.action.partition(":")[0] for row in rows for b in row}
    return sorted(found & set(TICKET_ACTIONS))


def _reference(kind: str, media: dict[str, Any]) -> str:
    reference = f"{kind}{media['owner_id']}_{media['id']}"
    return f"{reference}_{media['access_key']}" if media.get("access_key") else reference


def _vk_keyboard(rows: Rows, *, inline: bool) -> dict[str, Any]:
    buttons = [[_button(b) for b in row if b.action != SHARE_PHONE] for row in rows]
    keyboard: dict[str, Any] = {"inline": inline, "buttons": [r for r in buttons if r]}
    if not inline:
        keyboard["one_time"] = False
    return keyboard


def _button(button: Button) -> dict[str, Any]:
    label = button.label if len(button.label) <= 40 else button.label[:39] + "…"
    return {"action": {"type": "text", "label": label,
                       "payload": json.dumps({"a": button.action})},
            "color": STYLES.get(button.style, "secondary")}
