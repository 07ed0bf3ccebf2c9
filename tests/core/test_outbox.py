"""What leaves the desk: every change becomes outbox messages for the client and the team,
written in the same commit as the change (docs/DOMAIN.md §3.1, §3.7, §1.5, §7)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import commands as c
from core.errors import TransitionRefused
from core.outbox import Audience, OutboundMessage, Routing
from core.statuses import CLOSED
from tests.core.steps import CLIENT, agent_replies, client_writes
from tests.fakes import ANNA, BORIS, OLGA, InMemoryStore, make_desk


def sent(store: InMemoryStore, ticket_id: int, since: int = 0) -> list[tuple[str, str, str]]:
    return [(m.audience.value, m.channel, m.kind) for m in store.messages_of(ticket_id)[since:]]


def to_client(store: InMemoryStore, ticket_id: int) -> list[OutboundMessage]:
    return [m for m in store.messages_of(ticket_id) if m.audience is Audience.CLIENT]


async def test_a_clients_first_message_tells_the_team_and_confirms_the_number() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    assert sent(store, first.ticket_id) == [
        ("agents", "telegram", "ticket_opened"),
        ("client", "telegram", "ticket_opened"),
        ("agents", "telegram", "client_comment"),
    ]
    assert to_client(store, first.ticket_id)[0].payload == {"number": first.ticket_id}


async def test_an_agent_reply_reaches_the_client_once_and_the_team_chat_once() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    already = len(store.messages_of(first.ticket_id))
    await agent_replies(desk, first.ticket_id, "Please restart it")
    [reply] = [m for m in store.comments_of(first.ticket_id) if m.author.is_employee]
    messages = store.messages_of(first.ticket_id)[already:]
    assert [(m.audience, m.channel, m.kind, m.recipient, m.comment_id) for m in messages] == [
        (Audience.CLIENT, "telegram", "agent_reply", CLIENT, reply.id),
        (Audience.AGENTS, "telegram", "agent_comment", None, reply.id),
    ]


async def test_a_vk_clients_answer_goes_back_through_vk() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk, channel="vk", external_id="id777")
    await agent_replies(desk, first.ticket_id)
    [reply] = [m for m in to_client(store, first.ticket_id) if m.kind == "agent_reply"]
    assert (reply.channel, reply.recipient) == ("vk", "id777")


async def test_a_private_note_never_reaches_the_client() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    already = len(store.messages_of(first.ticket_id))
    await desk.handle(c.AddPrivateNote(first.ticket_id, ANNA, "The client is rude"))
    assert sent(store, first.ticket_id, already) == [("agents", "telegram", "private_note")]


async def test_an_internal_ticket_never_produces_a_message_to_the_client() -> None:
    desk, store, _ = make_desk()
    client = await client_writes(desk)
    ticket = await desk.handle(c.OpenTicketForClient(ANNA, client.contact_id, "Invoice",
                                                     type_code="internal"))
    store.tickets[ticket.id].channel = "telegram"  # even one that came from a messenger
    await agent_replies(desk, ticket.id, "Invoice sent to accounting")
    await desk.handle(c.ChangeStatus(ticket.id, ANNA, "Awaiting reply"))
    await agent_replies(desk, ticket.id, "Paid", resolve=True)
    assert to_client(store, ticket.id) == []
    assert {m.kind for m in store.messages_of(ticket.id)} >= {"agent_comment", "card_changed"}


async def test_resolving_asks_the_client_to_confirm_and_rate() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await agent_replies(desk, first.ticket_id, "Fixed", resolve=True)
    kinds = [m.kind for m in to_client(store, first.ticket_id)]
    assert kinds[-2:] == ["agent_reply", "resolution_request"]
    assert kinds.count("status_changed") == 0, "one question, not two messages"


async def test_the_client_hears_of_status_changes_made_by_agents_not_their_own() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "Awaiting reply"))
    await desk.handle(c.ClientClosesTicket(first.contact_id, first.ticket_id))
    changes = [m.payload for m in to_client(store, first.ticket_id) if m.kind == "status_changed"]
    assert changes == [{"old": "open", "new": "awaiting_reply"}]


async def test_mentioning_a_colleague_in_a_note_notifies_them_and_makes_them_observe() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.AddPrivateNote(first.ticket_id, ANNA, "@boris can you check the logs?"))
    [mention] = [m for m in store.messages_of(first.ticket_id) if m.kind == "mention"]
    [note] = [m for m in store.comments_of(first.ticket_id) if not m.public]
    assert mention.payload == {"comment_id": note.id, "employee_ids": [BORIS]}
    assert mention.audience is Audience.AGENTS
    assert store.ticket(first.ticket_id).observer_ids == {BORIS}


@pytest.mark.parametrize("text", ["Can you check, @boris.", "(@boris)", "@boris, look", "@boris!"])
async def test_a_mention_followed_by_punctuation_still_reaches_the_colleague(text: str) -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.AddPrivateNote(first.ticket_id, ANNA, text))
    assert store.ticket(first.ticket_id).observer_ids == {BORIS}


@pytest.mark.parametrize(
    "text", ["mail boris@example.com", "@anna note to self", "@olga is away", "@nobody"],
    ids=["e-mail-address", "oneself", "deactivated", "unknown-login"])
async def test_no_mention_for_addresses_oneself_deactivated_or_unknown_logins(text: str) -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.AddPrivateNote(first.ticket_id, ANNA, text))
    assert [m for m in store.messages_of(first.ticket_id) if m.kind == "mention"] == []
    assert store.ticket(first.ticket_id).observer_ids == set()
    assert OLGA not in store.ticket(first.ticket_id).observer_ids


async def test_only_switched_on_channels_get_messages() -> None:
    desk, store, _ = make_desk(routing=Routing(client_channels=frozenset({"vk"})))
    first = await client_writes(desk)
    await agent_replies(desk, first.ticket_id)
    assert store.messages_of(first.ticket_id) == []


async def test_every_message_is_written_with_the_change_in_one_commit() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    commits, messages = store.commits, len(store.outbox)
    await agent_replies(desk, first.ticket_id, resolve=True)
    assert store.commits == commits + 1
    assert len(store.outbox) > messages
    new = store.outbox[messages:]
    assert {m.created_at for m in new} == {store.history[-1].at}


async def test_a_refused_command_leaves_neither_the_change_nor_the_message() -> None:
    desk, store, clock = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.ClientClosesTicket(first.contact_id, first.ticket_id))
    clock.advance(timedelta(hours=1))
    before = store.snapshot()
    # The reply is written before the status change fails: both must go.
    with pytest.raises(TransitionRefused):
        await agent_replies(desk, first.ticket_id, "Done", resolve=True)
    assert store.snapshot() == before
    assert store.ticket(first.ticket_id).status == CLOSED
