"""A client writing by mail (docs/DOMAIN.md "Further", §8.2): the address finds the person
known from another channel, a new sender's company is matched by the e-mail domain, and a
mail joins the ticket it answers only when that ticket is the writer's."""

from __future__ import annotations

from core import commands as c
from core.client_handlers import ClientWriteResult
from core.people import Company, Contact, Identity
from core.services import Desk
from tests.fakes import make_desk


async def mail(desk: Desk, address: str, text: str = "Hello", *, ticket_id: int | None = None,
               subject: str | None = None) -> ClientWriteResult:
    result = await desk.handle(c.ClientWrites(
        "email", address, "", text, email=address, ticket_id=ticket_id,
        new_thread=ticket_id is None, subject=subject))
    assert isinstance(result, ClientWriteResult)
    return result


async def test_an_unknown_sender_becomes_a_contact_of_the_company_of_their_domain() -> None:
    desk, store, _ = make_desk()
    store.companies[7] = Company(7, "Client Ltd", email_domain="Client.test")
    result = await mail(desk, "ivan@client.test", subject="Printer jams")
    contact = store.contacts[result.contact_id]
    assert (contact.email, contact.company_id, contact.name) == (
        "ivan@client.test", 7, "email ivan@client.test")
    assert contact.emails == ["ivan@client.test"]
    assert store.ticket(result.ticket_id).subject == "Printer jams"
    other = await mail(desk, "olga@elsewhere.test")
    assert store.contacts[other.contact_id].company_id is None


async def test_the_same_person_by_telegram_and_by_mail_is_one_contact() -> None:
    desk, store, _ = make_desk()
    store.contacts[1] = Contact(1, "Ivan", email="Ivan@Client.test",
                                identities=[Identity("telegram", "5001")])
    store.sequences["contacts"] = 1
    result = await mail(desk, "ivan@client.test")
    assert result.contact_id == 1
    assert store.contacts[1].address_in("email") == "ivan@client.test"
    assert store.ticket(result.ticket_id).channel == "email"


async def test_a_new_mail_opens_a_new_ticket_and_a_reply_joins_its_own() -> None:
    desk, store, _ = make_desk()
    first = await mail(desk, "ivan@client.test", "The printer jams")
    second = await mail(desk, "ivan@client.test", "Another question")
    assert second.opened and second.ticket_id != first.ticket_id
    reply = await mail(desk, "ivan@client.test", "Still jams", ticket_id=first.ticket_id)
    assert reply.ticket_id == first.ticket_id and not reply.opened


async def test_a_ticket_number_of_someone_else_opens_a_ticket_of_ones_own() -> None:
    desk, store, _ = make_desk()
    theirs = await mail(desk, "ivan@client.test", "My invoice")
    guess = await mail(desk, "mallory@evil.test", "Hi", ticket_id=theirs.ticket_id)
    assert guess.opened and guess.ticket_id != theirs.ticket_id
    assert [cm.body for cm in store.comments_of(theirs.ticket_id)] == ["My invoice"]
    missing = await mail(desk, "ivan@client.test", "Hi", ticket_id=9999)
    assert missing.opened

