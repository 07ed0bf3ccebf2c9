"""Which ticket a mail belongs to, and the headers that keep a ticket's mails one thread.

Our mails' Message-IDs name their ticket and are signed (`<cd.12.345.a1b2c3d4e5@desk>`: the
ticket, the outbox row, an HMAC), so a reply that quotes one in In-Reply-To or References
joins that ticket without a look-up; the client's own Message-IDs are remembered with their
ticket (a second mail that answers the client's first), and `[#123]` in the subject is the
last resort. The core takes a ticket so named only when it is the writer's own."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass

from storage.messenger_state import MessengerState

CHANNEL = "email"
_OURS = re.compile(r"^<cd\.(\d+)\.(\d+)\.([0-9a-f]{10})@[^>]+>$")
_TOKEN = re.compile(r"\[#(\d{1,12})\]")
KEPT_IDS = 20  # References of a long thread: its first mails and the last ones


@dataclass(frozen=True)
class Thread:
    ids: tuple[str, ...] = ()  # the thread's Message-IDs, oldest first
    subject: str = ""


class MessageIds:
    def __init__(self, secret: str, domain: str) -> None:
        self.key = hashlib.sha256(b"chatdesk mail ids\0" + secret.encode()).digest()
        self.domain = domain

    def ours(self, ticket_id: int, row_id: int) -> str:
        """The same outbox row always gets the same id: a mail sent again after a timeout
        is recognised as one by the client's mail program."""
        return f"<cd.{ticket_id}.{row_id}.{self._sign(ticket_id, row_id)}@{self.domain}>"

    def ticket_of(self, message_id: str) -> int | None:
        found = _OURS.match(message_id.strip())
        if not found:
            return None
        ticket_id, row_id, signature = int(found[1]), int(found[2]), found[3]
        if not hmac.compare_digest(signature, self._sign(ticket_id, row_id)):
            return None
        return ticket_id

    def _sign(self, ticket_id: int, row_id: int) -> str:
        return hmac.new(self.key, f"{ticket_id}.{row_id}".encode(),
                        hashlib.sha256).hexdigest()[:10]


def subject_ticket(subject: str) -> int | None:
    found = _TOKEN.search(subject)
    return int(found[1]) if found else None


def clean_subject(subject: str) -> str:
    """The subject without "Re:"/"Fwd:"/"Ответ:" prefixes and our ticket token."""
    text = _TOKEN.sub("", subject)
    prefix = re.compile(r"^\s*(re|fw|fwd|aw|sv|ответ|отв|пересл)\s*(\[\d+\])?\s*:\s*", re.I)
    while prefix.match(text):
        text = prefix.sub("", text, count=1)
    return " ".join(text.split())


def _key(message_id: str) -> str:
    return "msgid:" + hashlib.sha256(message_id.encode()).hexdigest()


class ThreadStore:
    """The client's Message-IDs by ticket, and each ticket's thread, in the messenger state
    (written in the mail's own transaction)."""

    def __init__(self, state: MessengerState | None = None) -> None:
        self.state = state or MessengerState()

    async def ticket_of(self, message_ids: Sequence[str]) -> int | None:
        for message_id in message_ids:
            value = await self.state.get(CHANNEL, _key(message_id))
            if value and value.get("ticket_id"):
                return int(value["ticket_id"])
        return None

    async def thread(self, ticket_id: int) -> Thread:
        value = await self.state.get(CHANNEL, f"thread:{ticket_id}") or {}
        return Thread(tuple(str(i) for i in value.get("ids") or ()),
                      str(value.get("subject") or ""))

    async def add(self, ticket_id: int, message_id: str, subject: str = "") -> None:
        thread = await self.thread(ticket_id)
        ids = [i for i in thread.ids if i != message_id] + [message_id]
        if len(ids) > KEPT_IDS:
            ids = ids[:2] + ids[-(KEPT_IDS - 2):]
        await self.state.put(CHANNEL, f"thread:{ticket_id}",
                             {"ids": ids, "subject": thread.subject or subject})
        await self.state.put(CHANNEL, _key(message_id), {"ticket_id": ticket_id})
