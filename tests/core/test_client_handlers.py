"""What clients do in a messenger: writing opens, joins or reopens a ticket (§3.3-3.4), `/new`
and picking choose the ticket, and closing, reopening and rating stay on their own tickets."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core import commands as c
from core.catalog import DeskSettings
from core.errors import DomainError, InvalidInput, NotAllowed, TransitionRefused
from core.people import Company, Contact, Identity
from core.statuses import CLOSED, OPEN, RESOLVED, ObjectState, Status
from core.tickets import Attachment
from tests.core.steps import (
    CLIENT,
    OTHER_CLIENT,
    agent_replies,
    client_writes,
    interleave_first_reads,
    statuses_in_history,
)
from tests.fakes import ANNA, BORIS, OLGA, InMemoryStore, make_desk

WEEK = timedelta(days=7)


def known_client(store: InMemoryStore, manager_id: int) -> None:
    """The client of `client_writes`, already a contact with a responsible manager."""
    store.contacts[1] = Contact(1, "Ivan", manager_id=manager_id,
                                identities=[Identity("telegram", CLIENT)])
    store.sequences["contacts"] = 1


async def test_a_first_message_opens_a_ticket_titled_by_its_first_line() -> None:
    desk, store, _ = make_desk()
    result = await client_writes(desk, "\n  Printer on floor 3 jams\nIt shows E-17")
    ticket = store.ticket(result.ticket_id)
    assert result.opened and not result.reopened
    assert (ticket.subject, ticket.channel, ticket.status) == (
        "Printer on floor 3 jams", "telegram", OPEN)
    contact = store.contacts[result.contact_id]
    assert contact.identities == [Identity("telegram", "5001")]
    assert contact.current_ticket_id == ticket.id
    [comment] = store.comments_of(ticket.id)
    assert comment.body == "Printer on floor 3 jams\nIt shows E-17" and comment.public


async def test_a_long_first_line_is_cut_to_a_readable_subject() -> None:
    desk, store, _ = make_desk()
    result = await client_writes(desk, "x" * 300)
    subject = store.ticket(result.ticket_id).subject
    assert len(subject) == 100 and subject.endswith("…")


async def test_a_photo_without_text_opens_a_ticket_named_after_it() -> None:
    desk, store, _ = make_desk()
    result = await desk.handle(c.ClientWrites("vk", "77", "Ivan", "  ",
                                              (Attachment("photo", "file-1"),)))
    assert store.ticket(result.ticket_id).subject == "Photo"


async def test_an_empty_message_is_refused_and_leaves_no_contact_behind() -> None:
    desk, store, _ = make_desk()
    with pytest.raises(InvalidInput, match="empty"):
        await client_writes(desk, "   \n")
    assert store.contacts == {} and store.tickets == {}


async def test_the_next_message_joins_the_open_ticket() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk, "Printer is broken")
    second = await client_writes(desk, "Model HP 1020")
    assert (second.ticket_id, second.opened, second.contact_id) == (
        first.ticket_id, False, first.contact_id)
    assert len(store.tickets) == 1 and len(store.contacts) == 1
    assert [c.body for c in store.comments_of(first.ticket_id)] == [
        "Printer is broken", "Model HP 1020"]


async def test_a_returning_client_gets_their_new_phone_and_language_remembered() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.ClientWrites("telegram", "5001", "Ivan", "Hi", language="ru",
                                     phone="+79990001122"))
    contact = store.contacts[first.contact_id]
    assert (contact.language, contact.phone) == ("ru", "+79990001122")


async def test_a_new_ticket_goes_to_the_contacts_manager() -> None:
    desk, store, _ = make_desk()
    known_client(store, manager_id=ANNA)
    result = await client_writes(desk)
    assert store.ticket(result.ticket_id).responsible_id == ANNA


async def test_writing_to_a_resolved_ticket_reopens_it() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await agent_replies(desk, first.ticket_id, "Fixed", resolve=True)
    again = await client_writes(desk, "Still broken")
    assert (again.ticket_id, again.reopened) == (first.ticket_id, True)
    assert store.ticket(first.ticket_id).status == OPEN
    assert statuses_in_history(store, first.ticket_id) == [OPEN, RESOLVED, OPEN]


@pytest.mark.parametrize(
    ("window", "later", "reopens"),
    [
        (WEEK, WEEK, True),
        (WEEK, WEEK + timedelta(seconds=1), False),
        (timedelta(0), timedelta(seconds=1), False),
        (timedelta(0), timedelta(0), False),
    ],
    ids=["exactly-7-days-reopens", "7-days-and-a-second-opens-new",
         "window-0-a-second-later-opens-new", "window-0-at-once-opens-new"],
)
async def test_writing_to_a_closed_ticket_reopens_it_only_inside_the_window(
    window: timedelta, later: timedelta, reopens: bool
) -> None:
    desk, store, clock = make_desk(settings=DeskSettings(reopen_window=window))
    first = await client_writes(desk)
    await desk.handle(c.ClientClosesTicket(first.contact_id, first.ticket_id))
    clock.advance(later)
    again = await client_writes(desk, "It is broken again")
    old = store.ticket(first.ticket_id)
    if reopens:
        assert (again.ticket_id, again.reopened, old.status) == (first.ticket_id, True, OPEN)
    else:
        new = store.ticket(again.ticket_id)
        assert again.opened and again.linked_from_id == first.ticket_id
        assert new.linked_from_id == first.ticket_id and new.status == OPEN
        assert old.status == CLOSED, "the old ticket stays closed"
        assert [c.body for c in store.comments_of(new.id)] == ["It is broken again"]
        assert store.contacts[first.contact_id].current_ticket_id == new.id


async def test_a_ticket_in_a_custom_closed_status_reopens_only_inside_the_window() -> None:
    rejected = Status("rejected", "Rejected", ObjectState.CLOSED, position=6)
    desk, store, clock = make_desk(statuses=[rejected])
    first = await client_writes(desk)
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "Rejected"))
    clock.advance(WEEK)
    again = await client_writes(desk, "It is not a duplicate")
    assert (again.ticket_id, again.reopened) == (first.ticket_id, True)
    await desk.handle(c.ChangeStatus(first.ticket_id, ANNA, "Rejected"))
    clock.advance(WEEK + timedelta(seconds=1))
    later = await client_writes(desk, "Still broken")
    assert later.opened and later.linked_from_id == first.ticket_id
    assert store.ticket(first.ticket_id).status == "rejected", "the old ticket stays closed"
    with pytest.raises(TransitionRefused, match="too long ago"):
        await desk.handle(c.ClientReopensTicket(first.contact_id, first.ticket_id))


async def test_after_new_the_next_message_opens_a_new_ticket_and_later_ones_join_it() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk, "Printer")
    await desk.handle(c.ClientStartsNewTicket(first.contact_id))
    second = await client_writes(desk, "Also the scanner")
    third = await client_writes(desk, "It is a Canon")
    assert second.opened and second.ticket_id != first.ticket_id
    assert second.linked_from_id is None
    assert third.ticket_id == second.ticket_id and not third.opened
    assert store.ticket(first.ticket_id).status == OPEN, "/new does not close the old one"


async def test_picking_a_ticket_makes_the_next_messages_join_it() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk, "Printer")
    await desk.handle(c.ClientStartsNewTicket(first.contact_id))
    second = await client_writes(desk, "Scanner")
    await desk.handle(c.ClientPicksTicket(first.contact_id, first.ticket_id))
    answer = await client_writes(desk, "About the printer: it is an HP")
    assert answer.ticket_id == first.ticket_id
    assert store.comments_of(second.ticket_id)[-1].body == "Scanner"


async def test_a_client_confirming_a_resolution_closes_the_ticket() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await agent_replies(desk, first.ticket_id, resolve=True)
    await desk.handle(c.ClientClosesTicket(first.contact_id, first.ticket_id))
    ticket = store.ticket(first.ticket_id)
    assert ticket.status == CLOSED and ticket.closed_at is not None
    with pytest.raises(TransitionRefused, match="already closed"):
        await desk.handle(c.ClientClosesTicket(first.contact_id, first.ticket_id))


async def test_a_client_rating_a_resolved_ticket_confirms_and_closes_it() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await agent_replies(desk, first.ticket_id, resolve=True)
    await desk.handle(c.ClientRatesTicket(first.contact_id, first.ticket_id, 5, "  Quick!  "))
    ticket = store.ticket(first.ticket_id)
    assert (ticket.rating, ticket.rating_comment, ticket.status) == (5, "Quick!", CLOSED)


async def test_a_client_can_reopen_a_resolved_ticket_but_not_an_open_one() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    with pytest.raises(TransitionRefused, match="still open"):
        await desk.handle(c.ClientReopensTicket(first.contact_id, first.ticket_id))
    await agent_replies(desk, first.ticket_id, resolve=True)
    await desk.handle(c.ClientReopensTicket(first.contact_id, first.ticket_id))
    assert store.ticket(first.ticket_id).status == OPEN


async def test_reopening_after_the_window_tells_the_client_to_just_write() -> None:
    desk, store, clock = make_desk()
    first = await client_writes(desk)
    await desk.handle(c.ClientClosesTicket(first.contact_id, first.ticket_id))
    clock.advance(WEEK + timedelta(seconds=1))
    with pytest.raises(TransitionRefused, match="just write to us"):
        await desk.handle(c.ClientReopensTicket(first.contact_id, first.ticket_id))
    assert store.ticket(first.ticket_id).status == CLOSED


# --- a client can act only on their own, non-internal tickets --------------------------------
def foreign_commands(contact_id: int, ticket_id: int) -> list[c.Command]:
    return [
        c.ClientClosesTicket(contact_id, ticket_id),
        c.ClientReopensTicket(contact_id, ticket_id),
        c.ClientRatesTicket(contact_id, ticket_id, 1),
        c.ClientPicksTicket(contact_id, ticket_id),
    ]


@pytest.mark.parametrize("which", range(4), ids=["close", "reopen", "rate", "pick"])
async def test_a_client_cannot_touch_another_clients_ticket(which: int) -> None:
    desk, store, _ = make_desk()
    victim = await client_writes(desk)
    await agent_replies(desk, victim.ticket_id, resolve=True)
    intruder = await client_writes(desk, "Hello", external_id=OTHER_CLIENT)
    before = store.snapshot()
    with pytest.raises(NotAllowed, match="not one of yours"):
        await desk.handle(foreign_commands(intruder.contact_id, victim.ticket_id)[which])
    assert store.snapshot() == before


@pytest.mark.parametrize("which", range(4), ids=["close", "reopen", "rate", "pick"])
async def test_a_client_cannot_touch_an_internal_ticket_even_about_them(which: int) -> None:
    desk, store, _ = make_desk()
    client = await client_writes(desk)
    internal = await desk.handle(c.OpenTicketForClient(ANNA, client.contact_id, "Invoice 17",
                                                       type_code="internal"))
    await desk.handle(c.ChangeStatus(internal.id, ANNA, RESOLVED))
    before = store.snapshot()
    with pytest.raises(NotAllowed):
        await desk.handle(foreign_commands(client.contact_id, internal.id)[which])
    assert store.snapshot() == before


async def test_a_client_cannot_reach_a_ticket_that_does_not_exist() -> None:
    desk, _, _ = make_desk()
    client = await client_writes(desk)
    with pytest.raises(NotAllowed):
        await desk.handle(c.ClientClosesTicket(client.contact_id, 999))


async def test_messages_never_land_in_a_ticket_an_agent_made_internal() -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk, "Printer")
    await desk.handle(c.SetTicketField(first.ticket_id, ANNA, "type_code", "internal"))
    again = await client_writes(desk, "Hello?")
    assert again.ticket_id != first.ticket_id and again.opened
    assert len(store.comments_of(first.ticket_id)) == 1


@pytest.mark.parametrize("score", [0, 6, -3, 100])
async def test_a_rating_outside_one_to_five_is_refused_and_changes_nothing(score: int) -> None:
    desk, store, _ = make_desk()
    first = await client_writes(desk)
    await agent_replies(desk, first.ticket_id, resolve=True)
    before = store.snapshot()
    with pytest.raises(InvalidInput, match="1 to 5"):
        await desk.handle(c.ClientRatesTicket(first.contact_id, first.ticket_id, score))
    assert store.snapshot() == before
    assert store.ticket(first.ticket_id).status == RESOLVED


async def test_refusals_are_domain_errors_with_a_stable_code() -> None:
    desk, _, _ = make_desk()
    first = await client_writes(desk)
    with pytest.raises(DomainError) as refused:
        await desk.handle(c.ClientRatesTicket(first.contact_id, first.ticket_id, 9))
    assert (refused.value.kind, refused.value.code) == ("invalid_input", "rating.range")
    assert str(refused.value) == "a rating is a whole number from 1 to 5"


@pytest.mark.parametrize("manager", [OLGA, 99], ids=["deactivated", "deleted"])
async def test_a_new_ticket_skips_a_manager_who_cannot_work_it(manager: int) -> None:
    desk, store, _ = make_desk(settings=DeskSettings(default_responsible_id=ANNA))
    known_client(store, manager_id=manager)
    result = await client_writes(desk)
    assert store.ticket(result.ticket_id).responsible_id == ANNA



def client_of_company(store: InMemoryStore, company_manager_id: int) -> None:
    """The client of `client_writes`, with no manager of their own, working at a company."""
    store.companies[7] = Company(7, "Horns & Hooves", manager_id=company_manager_id)
    store.contacts[1] = Contact(1, "Ivan", company_id=7,
                                identities=[Identity("telegram", CLIENT)])
    store.sequences["contacts"] = 1


async def test_a_new_ticket_of_a_contact_without_a_manager_goes_to_the_companys() -> None:
    desk, store, _ = make_desk(settings=DeskSettings(default_responsible_id=ANNA))
    client_of_company(store, company_manager_id=BORIS)
    result = await client_writes(desk)
    assert store.ticket(result.ticket_id).responsible_id == BORIS


async def test_a_deactivated_company_manager_is_skipped_for_the_account_default() -> None:
    desk, store, _ = make_desk(settings=DeskSettings(default_responsible_id=ANNA))
    client_of_company(store, company_manager_id=OLGA)
    result = await client_writes(desk)
    assert store.ticket(result.ticket_id).responsible_id == ANNA

async def test_two_messages_at_once_from_a_new_client_open_one_ticket() -> None:
    """A photo album arrives as several updates at the same moment."""
    desk, store, _ = make_desk()
    reads = interleave_first_reads(store)
    first, second = await asyncio.gather(client_writes(desk, "Photo 1"),
                                         client_writes(desk, "Photo 2"))
    assert reads[:2] == [("contacts", None)] * 2, "both saw a client nobody knew"
    assert len(store.contacts) == 1 and len(store.tickets) == 1
    assert first.ticket_id == second.ticket_id
    assert sorted(c.body for c in store.comments.values()) == ["Photo 1", "Photo 2"]


# --- one person, several messengers (§8.2) --------------------------------------------------
async def test_sharing_a_known_phone_from_another_messenger_joins_the_same_contact() -> None:
    desk, store, _ = make_desk()
    telegram = await desk.handle(c.ClientWrites("telegram", CLIENT, "Ivan", "[contact]",
                                                phone="+7 (999) 000-11-22"))
    viber = await desk.handle(c.ClientWrites("viber", "vb-Ivan==", "Ivan V", "[contact]",
                                             phone="79990001122"))
    assert viber.contact_id == telegram.contact_id and len(store.contacts) == 1
    contact = store.contacts[telegram.contact_id]
    assert contact.phone == "+79990001122"
    assert set(contact.identities) == {Identity("telegram", CLIENT),
                                       Identity("viber", "vb-Ivan==")}


async def test_each_messenger_of_one_person_keeps_its_own_ticket_and_answers_go_there() -> None:
    desk, store, _ = make_desk()
    telegram = await desk.handle(c.ClientWrites("telegram", CLIENT, "Ivan", "[contact]",
                                                phone="+79990001122"))
    viber = await desk.handle(c.ClientWrites("viber", "vb-Ivan==", "Ivan", "Hello from Viber",
                                             phone="+79990001122"))
    assert viber.opened and viber.ticket_id != telegram.ticket_id
    assert store.ticket(viber.ticket_id).channel == "viber"
    again = await client_writes(desk, "Back in Telegram")
    assert again.ticket_id == telegram.ticket_id and not again.opened
    later = await desk.handle(c.ClientWrites("viber", "vb-Ivan==", "Ivan", "And Viber again"))
    assert later.ticket_id == viber.ticket_id


async def test_a_phone_in_persian_digits_is_the_same_number() -> None:
    desk, store, _ = make_desk()
    telegram = await desk.handle(c.ClientWrites("telegram", CLIENT, "Ivan", "[contact]",
                                                phone="+79990001122"))
    vk = await desk.handle(c.ClientWrites("vk", "77", "Ivan", "hi", phone="+۷ ۹۹۹ ۰۰۰-۱۱-۲۲"))
    assert vk.contact_id == telegram.contact_id and len(store.contacts) == 1
    assert store.contacts[telegram.contact_id].phone == "+79990001122"


async def test_a_phone_without_digits_enough_links_nobody() -> None:
    desk, store, _ = make_desk()
    await desk.handle(c.ClientWrites("telegram", CLIENT, "Ivan", "hi", phone="+1"))
    await desk.handle(c.ClientWrites("vk", "77", "Ivan", "hi", phone="+1"))
    assert len(store.contacts) == 2
    assert all(contact.phone is None for contact in store.contacts.values())
