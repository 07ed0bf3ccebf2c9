"""Where in the agents' chat a message was written: a ticket's forum topic or elsewhere."""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import Message

from storage.delivery import TopicStore


class InTicketTopic(Filter):
    """Passes a message written inside a ticket's forum topic and hands the handler the
    `ticket_id`; with `inside=False`, passes messages written anywhere else."""

    def __init__(self, inside: bool = True) -> None:
        self.inside = inside

    async def __call__(self, message: Message, topics: TopicStore) -> bool | dict[str, Any]:
        ticket_id = await ticket_of(message, topics)
        if not self.inside:
            return ticket_id is None
        return {"ticket_id": ticket_id} if ticket_id is not None else False


async def ticket_of(message: Message, topics: TopicStore) -> int | None:
    if not message.is_topic_message or message.message_thread_id is None:
        return None
    topic = await topics.for_thread(message.chat.id, message.message_thread_id)
    return topic.ticket_id if topic else None


def thread_of(message: Message) -> int | None:
    """The forum topic to answer in (None for the general topic or a plain group)."""
    return message.message_thread_id if message.is_topic_message else None
