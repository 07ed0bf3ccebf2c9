"""Reactions on agents' messages in a ticket's topic: each command gets one (no extra post),
so a public reply and a `/note` no longer look the same, and a reply shows when the client
received it.

    🕊  a reply to the client, on its way        ✍  a private note, kept
    👍  the client received the reply            👌  any other command, done

A reaction is an outbox message like any other ("reaction": chat, message, emoji); the
relay adds "client_received" when a reply reached the client in any channel. The topic
message a reply was written as is remembered when its first reaction is set, and the copy of
a reply written in the panel or the API when it is posted, so the 👍 lands on it: all go to
the ticket's topic destination, in order."""

from __future__ import annotations

from datetime import datetime

from aiogram.methods import SetMessageReaction, TelegramMethod
from aiogram.types import ReactionTypeEmoji

from core.outbox import Audience, OutboundMessage
from storage.messenger_state import MessengerState

SENDING, RECEIVED, NOTE, DONE = "🕊", "👍", "✍", "👌"
KINDS = frozenset({"reaction", "client_received"})
CHANNEL = "telegram"


def reaction(chat_id: int, message_id: int, emoji: str, ticket_id: int, now: datetime,
             comment_id: int | None = None) -> OutboundMessage:
    """The bot's reaction on a message in the team chat (of the comment it became)."""
    return OutboundMessage(CHANNEL, Audience.AGENTS, "reaction", ticket_id, now,
                           comment_id=comment_id, payload={
                               "chat_id": chat_id, "message_id": message_id, "emoji": emoji})


class Reactions:
    """What the sender calls for the reaction kinds."""

    def __init__(self, state: MessengerState | None = None) -> None:
        self.state = state or MessengerState()

    async def methods(self, message: OutboundMessage) -> list[TelegramMethod[bool]]:
        key = f"post:{message.comment_id}"
        if message.kind == "reaction":
            p = message.payload
            if message.comment_id:  # a reply: where its 👍 goes
                await self.remember(message.comment_id, int(p["chat_id"]),
                                    int(p["message_id"]))
            return [_set(int(p["chat_id"]), int(p["message_id"]), str(p["emoji"]))]
        known = await self.state.get(CHANNEL, key) if message.comment_id else None
        if not known or "message_id" not in known:  # its copy was not posted here
            return []
        return [_set(int(known["chat_id"]), int(known["message_id"]), RECEIVED)]


    async def remember(self, comment_id: int, chat_id: int, message_id: int) -> None:
        """The topic message a reply is shown as (written there, or its copy)."""
        await self.state.put(CHANNEL, f"post:{comment_id}", {
            "chat_id": chat_id, "message_id": message_id})


def _set(chat_id: int, message_id: int, emoji: str) -> SetMessageReaction:
    return SetMessageReaction(chat_id=chat_id, message_id=message_id,
                              reaction=[ReactionTypeEmoji(emoji=emoji)])
