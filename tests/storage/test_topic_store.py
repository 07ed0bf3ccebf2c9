"""The Telegram sender's topic store holds the topics it reads and saves, so it reads each
one once; it holds at most `cache_size` of them (the least used go first), and what it
hands out is a copy, so a caller's change that never got saved is not remembered."""

from __future__ import annotations

from storage import models as m
from storage.delivery import Topic, TopicStore


async def test_a_held_topic_is_read_once_and_changes_only_through_save(database: str) -> None:
    store = TopicStore(cache=True)
    await store.save(Topic(1, -100, 11, 501, "#1 · Refund", False))
    await m.TelegramTopicRow.filter(ticket_id=1).update(title="changed behind its back")

    topic = await store.for_ticket(1)
    assert topic is not None and topic.title == "#1 · Refund"  # held: not read again
    topic.closed = True  # a change the caller did not save
    again = await store.for_ticket(1)
    assert again is not None and again.closed is False

    again.title = "#1 · Refund (closed)"
    await store.save(again)
    assert (await m.TelegramTopicRow.get(ticket_id=1)).title == "#1 · Refund (closed)"
    assert (await store.for_ticket(1) or again).title == "#1 · Refund (closed)"


async def test_it_holds_the_topics_used_last_and_reads_the_others_again(
        database: str) -> None:
    store = TopicStore(cache=True)
    store.cache_size = 2
    for ticket in (1, 2, 3):
        await store.save(Topic(ticket, -100, 10 + ticket, None, f"#{ticket}", False))
    for ticket in (1, 2, 3):
        await m.TelegramTopicRow.filter(ticket_id=ticket).update(title=f"#{ticket} in the db")

    async def title(ticket: int) -> str:
        topic = await store.for_ticket(ticket)
        assert topic is not None
        return topic.title

    assert await title(3) == "#3"  # held
    assert await title(2) == "#2"  # held
    assert await title(1) == "#1 in the db"  # the least used went first; read again
    assert await title(3) == "#3 in the db"  # and 1 took the place of 3
    assert await store.for_ticket(99) is None
