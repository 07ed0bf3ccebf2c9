"""An agent links two contacts as one person (docs/DOMAIN.md §8.2): the older contact takes over
the other's messenger identities, phones, e-mails and tickets; answers still go back through
each ticket's own channel; the refusals."""

from __future__ import annotations

import pytest

from core import commands as c
from core.errors import InvalidInput, NotAllowed, NotFound
from core.outbox import Audience
from core.people import ActorKind, Contact, Identity
from core.services import Desk
from tests.core.steps import agent_replies, client_writes
from tests.fakes import ANNA, OLGA, InMemoryStore, make_desk


async def _two_people(desk: Desk) -> tuple[int, int]:
    telegram = await client_writes(desk, "Printer is broken", external_id="5001")
    vk = await client_writes(desk, "Still broken", channel="vk", external_id="901",
                             name="Ivan K.")
    return telegram.ticket_id, vk.ticket_id


def _contact(store: InMemoryStore, ticket_id: int) -> Contact:
    return store.contacts[store.ticket(ticket_id).contact_id]


async def test_linking_keeps_the_older_contact_with_both_identities_and_tickets() -> None:
    desk, store, _ = make_desk()
    tg_ticket, vk_ticket = await _two_people(desk)
    older, newer = _contact(store, tg_ticket), _contact(store, vk_ticket)
    store.contacts[newer.id].phone = "+79990001122"
    store.contacts[newer.id].email = "ivan@example.com"

    kept = await desk.handle(c.LinkContacts(vk_ticket, ANNA, tg_ticket))

    assert isinstance(kept, Contact) and kept.id == older.id
    assert store.ticket(vk_ticket).contact_id == store.ticket(tg_ticket).contact_id == older.id
    merged = store.contacts[older.id]
    assert set(merged.identities) == {Identity("telegram", "5001"), Identity("vk", "901")}
    assert (merged.phone, merged.email) == ("+79990001122", "ivan@example.com")
    assert store.contacts[newer.id].identities == []  # nothing reaches it any more


async def test_the_link_is_in_both_tickets_history_with_who_and_when() -> None:
    desk, store, clock = make_desk()
    tg_ticket, vk_ticket = await _two_people(desk)
    older, newer = _contact(store, tg_ticket).id, _contact(store, vk_ticket).id
    await desk.handle(c.LinkContacts(tg_ticket, ANNA, vk_ticket))
    [moved] = store.history_of(vk_ticket, "contact")
    assert (moved.old, moved.new, moved.actor.kind, moved.actor.id, moved.at) == (
        str(newer), str(older), ActorKind.EMPLOYEE, ANNA, clock.now())
    [noted] = store.history_of(tg_ticket, "linked_contact")
    assert (noted.new, noted.actor.id) == (str(newer), ANNA)


async def test_answers_still_go_back_through_each_tickets_own_channel() -> None:
    desk, store, _ = make_desk()
    tg_ticket, vk_ticket = await _two_people(desk)
    await desk.handle(c.LinkContacts(vk_ticket, ANNA, tg_ticket))
    await agent_replies(desk, tg_ticket, "To Telegram")
    await agent_replies(desk, vk_ticket, "To VK")
    to_client = [(m.channel, m.recipient) for m in store.outbox
                 if m.audience is Audience.CLIENT and m.kind == "agent_reply"]
    assert to_client == [("telegram", "5001"), ("vk", "901")]


async def test_after_linking_the_client_keeps_a_ticket_per_messenger() -> None:
    desk, _, _ = make_desk()
    tg_ticket, vk_ticket = await _two_people(desk)
    await desk.handle(c.LinkContacts(vk_ticket, ANNA, tg_ticket))
    again = await client_writes(desk, "Any news?", channel="vk", external_id="901")
    assert again.ticket_id == vk_ticket


async def test_two_phones_and_two_emails_both_stay_with_the_person() -> None:
    desk, store, _ = make_desk()
    tg_ticket, vk_ticket = await _two_people(desk)
    store.contacts[_contact(store, tg_ticket).id].phone = "+70000000001"
    store.contacts[_contact(store, vk_ticket).id].phone = "+70000000002"
    store.contacts[_contact(store, vk_ticket).id].email = "ivan@example.com"
    kept = await desk.handle(c.LinkContacts(tg_ticket, ANNA, vk_ticket))
    assert kept.phones == ["+70000000001", "+70000000002"]
    assert kept.emails == ["ivan@example.com"]


@pytest.mark.parametrize(("other", "error", "words"), [
    (999, NotFound, "no ticket #999"),
    (0, InvalidInput, "already belong to one contact"),
])
async def test_unknown_ticket_and_same_contact_are_refused(
        other: int, error: type[Exception], words: str) -> None:
    desk, store, _ = make_desk()
    tg_ticket, _vk = await _two_people(desk)
    second = await desk.handle(c.OpenTicketForClient(
        ANNA, store.ticket(tg_ticket).contact_id, "A call about the same printer"))
    before = store.snapshot()
    with pytest.raises(error, match=words):
        await desk.handle(c.LinkContacts(tg_ticket, ANNA, other or second.id))
    assert store.snapshot() == before


async def test_only_active_employees_may_link() -> None:
    desk, store, _ = make_desk()
    tg_ticket, vk_ticket = await _two_people(desk)
    for who in (OLGA, 99):
        with pytest.raises(NotAllowed):
            await desk.handle(c.LinkContacts(tg_ticket, who, vk_ticket))
    assert _contact(store, tg_ticket).id != _contact(store, vk_ticket).id


async def test_two_accounts_in_one_messenger_are_not_linked() -> None:
    desk, _, _ = make_desk()
    first = await client_writes(desk, "Hi", external_id="5001")
    second = await client_writes(desk, "Hi", external_id="5002")
    with pytest.raises(InvalidInput, match="different accounts in telegram"):
        await desk.handle(c.LinkContacts(first.ticket_id, ANNA, second.ticket_id))
