"""One person across channels on a real database (docs/DOMAIN.md §3.8, §8.2): tickets of contacts
that share a phone or an e-mail are similar tickets, and an agent's link makes two contacts
one, with the tickets of both shown together and each answered in its own channel."""

from __future__ import annotations

from chatdesk.bootstrap import build_desk
from core import commands as c
from core.client_handlers import ClientWriteResult
from core.outbox import Routing
from core.services import Desk
from storage import models as m
from storage import panel_views
from storage.lists import TicketLists
from storage.uow import TortoiseUnitOfWork
from storage.views import TicketViews


async def _desk() -> tuple[Desk, int]:
    desk = build_desk(routing=Routing(frozenset({"telegram", "vk", "viber"}), "telegram"))
    anna = await desk.handle(c.AddEmployee("Anna", "anna", "specialist", 701))
    return desk, int(anna.id)


async def _writes(desk: Desk, channel: str, user: str, text: str) -> ClientWriteResult:
    result = await desk.handle(c.ClientWrites(channel, user, f"{channel} {user}", text))
    assert isinstance(result, ClientWriteResult)
    return result


async def _set(contact_id: int, **values: str) -> None:
    await m.ContactRow.filter(id=contact_id).update(**values)


async def _similar_everywhere(ticket_id: int) -> set[int]:
    """The similar tickets the Telegram card, /history and the panel show: all the same."""
    card = {s.number for s in (await TicketViews().ticket_card(ticket_id)).similar}
    history = {t.number for t in await TicketLists().other_tickets_of_client(ticket_id)}
    detail = await panel_views.ticket_detail(ticket_id)
    assert detail is not None
    panel = {t.id for t in detail.other_tickets}
    assert card == history == panel
    return card


async def test_contacts_sharing_a_phone_have_similar_tickets(database: str) -> None:
    desk, _ = await _desk()
    telegram = await _writes(desk, "telegram", "5001", "Printer")
    viber = await _writes(desk, "viber", "v-1", "Scanner")
    stranger = await _writes(desk, "vk", "77", "Router")
    assert await _similar_everywhere(telegram.ticket_id) == set()
    await _set(telegram.contact_id, phone="+79990001122")
    await _set(viber.contact_id, phone="+79990001122")
    assert await _similar_everywhere(telegram.ticket_id) == {viber.ticket_id}
    assert await _similar_everywhere(viber.ticket_id) == {telegram.ticket_id}
    assert await _similar_everywhere(stranger.ticket_id) == set()


async def test_contacts_sharing_an_email_in_any_case_have_similar_tickets(
        database: str) -> None:
    desk, _ = await _desk()
    telegram = await _writes(desk, "telegram", "5001", "Printer")
    vk = await _writes(desk, "vk", "901", "Scanner")
    await _set(telegram.contact_id, email="Ivan@Example.com")
    await _set(vk.contact_id, email="ivan@example.com")
    assert await _similar_everywhere(vk.ticket_id) == {telegram.ticket_id}


async def test_linked_contacts_are_one_person_with_tickets_in_both_channels(
        database: str) -> None:
    desk, anna = await _desk()
    telegram = await _writes(desk, "telegram", "5001", "Printer")
    vk = await _writes(desk, "vk", "901", "Still the printer")
    await _set(telegram.contact_id, phone="+70000000001", email="ivan@example.com")
    await _set(vk.contact_id, phone="+70000000002")
    assert await _similar_everywhere(vk.ticket_id) == set()

    kept = await desk.handle(c.LinkContacts(vk.ticket_id, anna, telegram.ticket_id))

    assert kept.id == telegram.contact_id  # the older contact stays
    assert not await m.ContactRow.filter(id=vk.contact_id).exists()
    identities = await m.IdentityRow.filter(contact_id=kept.id).values_list(
        "channel", "external_id")
    assert set(identities) == {("telegram", "5001"), ("vk", "901"), ("phone", "+70000000002")}
    assert await _similar_everywhere(vk.ticket_id) == {telegram.ticket_id}
    comment = await m.CommentRow.filter(ticket_id=vk.ticket_id).first()
    assert comment is not None and comment.author_id == kept.id
    async with TortoiseUnitOfWork() as uow:
        [moved] = [h for h in await uow.history.for_ticket(vk.ticket_id) if h.field == "contact"]
    assert (moved.actor.id, moved.old, moved.new) == (anna, str(vk.contact_id), str(kept.id))

    # the person writes again from VK: the VK ticket, answered in VK
    again = await _writes(desk, "vk", "901", "Any news?")
    assert (again.contact_id, again.ticket_id) == (kept.id, vk.ticket_id)
    await desk.handle(c.AddAgentReply(vk.ticket_id, anna, "Replaced the toner"))
    await desk.handle(c.AddAgentReply(telegram.ticket_id, anna, "Done"))
    sent = await m.OutboxRow.filter(kind="agent_reply", audience="client").order_by("id")
    assert [(r.channel, r.recipient) for r in sent] == [("vk", "901"), ("telegram", "5001")]
    # a phone the other contact brought still finds the person
    viber = await desk.handle(c.ClientWrites("viber", "v-9", "Ivan", "Hi",
                                             phone="+7 000 000-00-02"))
    assert viber.contact_id == kept.id
