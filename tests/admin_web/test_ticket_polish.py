"""Small things on the ticket pages: the list filtered by a custom attribute (§9.5), a refused
new-ticket form that keeps what was typed, following a ticket (§5.3) and linking its client
to another ticket's (§8.2) from the ticket page."""

from __future__ import annotations

import re

from core import commands as c
from storage import panel_views as views
from tests.admin_web.conftest import Panel, csrf_of, post, sign_in


async def _ticket(panel: Panel, channel: str, external_id: str, text: str) -> int:
    result = await panel.desk.handle(c.ClientWrites(channel, external_id, "Kim", text))
    return int(result.ticket_id)


async def _attributes(panel: Panel) -> tuple[int, int, int]:
    """Product (a list) and Note (text) for everyone, Margin (text) for administrators only;
    three tickets of the specialist Sam: a printer with a blue cable, a scanner with a secret
    margin, and one with nothing set."""
    admin = panel.admin_id
    for command in (c.SaveAttribute(admin, "product", "Product", "list", ("Printer", "Scanner")),
                    c.SaveAttribute(admin, "note", "Note", "text"),
                    c.SaveAttribute(admin, "margin", "Margin", "text", visible_to=())):
        await panel.desk.handle(command)
    printer = await _ticket(panel, "telegram", "1", "Printer jams")
    scanner = await _ticket(panel, "telegram", "2", "Scanner is slow")
    bare = await _ticket(panel, "telegram", "3", "Just a question")
    for ticket, field, value in ((printer, "product", "Printer"),
                                 (printer, "note", "Blue CABLE, 2 m"),
                                 (scanner, "product", "Scanner"),
                                 (scanner, "margin", "secret-42")):
        await panel.desk.handle(c.SetTicketField(ticket, admin, "attr:" + field, value))
    for ticket in (printer, scanner, bare):
        await panel.desk.handle(c.AssignTicket(ticket, admin, panel.agent_id))
    return printer, scanner, bare


def _listed(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'<td><a href="/tickets/(\d+)">', html)}


async def test_ticket_list_filters_by_a_list_attribute_value_and_by_text_in_a_text_attribute(
        panel: Panel) -> None:
    printer, scanner, bare = await _attributes(panel)
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        page = await (await client.get("/tickets")).text()
        assert 'name="attr"' in page and '<option value="Scanner">' in page
        by_option = await client.get("/tickets?attr=product&attr_value=Scanner")
        assert _listed(await by_option.text()) == {scanner}
        by_part = await (await client.get("/tickets?attr=note&attr_value=blue%20cable")).text()
        assert _listed(by_part) == {printer}
        assert 'value="blue cable"' in by_part  # the filter stays filled in
        # a list value is matched whole, not as a part
        assert _listed(await (await client.get("/tickets?attr=product&attr_value=Scan")
                              ).text()) == set()
        everything = await (await client.get("/tickets?attr=product&attr_value=")).text()
        assert _listed(everything) == {printer, scanner, bare}
        # a number or a date is read as the ticket form reads it
        await panel.desk.handle(c.SaveAttribute(panel.admin_id, "seats", "Seats", "number"))
        await panel.desk.handle(c.SetTicketField(scanner, panel.admin_id, "attr:seats", "1500"))
        for typed in ("1500", "1 500"):
            html = await (await client.get(f"/tickets?attr=seats&attr_value={typed}")).text()
            assert _listed(html) == {scanner}
        assert _listed(await (await client.get("/tickets?attr=seats&attr_value=many")
                              ).text()) == set()
    finally:
        await client.close()


async def test_specialist_cannot_filter_by_an_attribute_hidden_from_them(panel: Panel) -> None:
    printer, scanner, bare = await _attributes(panel)
    client = await panel.client()
    try:
        await sign_in(client, "sam")
        page = await (await client.get("/tickets")).text()
        assert '<option value="product"' in page and 'value="margin"' not in page
        assert _listed(await (await client.get("/tickets?attr=note&attr_value=cable")
                              ).text()) == {printer}
        # a hidden attribute's filter is dropped: the answer is the same whatever the value,
        # so the list cannot be used to guess it
        for guess in ("secret", "nothing-like-it"):
            html = await (await client.get(f"/tickets?attr=margin&attr_value={guess}")).text()
            assert _listed(html) == {printer, scanner, bare}
            assert "secret-42" not in html
    finally:
        await client.close()


async def test_refused_new_ticket_form_shows_the_error_and_keeps_what_was_typed(
        panel: Panel) -> None:
    await panel.desk.handle(c.SaveAttribute(panel.admin_id, "product", "Product", "list",
                                            ("Printer", "Scanner"), required=True))
    await panel.desk.handle(c.SaveAttribute(panel.admin_id, "budget", "Budget", "number"))
    await panel.desk.handle(c.SaveAttribute(panel.admin_id, "place", "Place", "text"))
    contact = await panel.desk.handle(c.SaveContact(panel.admin_id, 0, "Walk-in"))
    client = await panel.client()
    try:
        csrf = await sign_in(client, "sam")
        typed = {"contact": str(contact.id), "subject": "Phoned <about> a refund",
                 "text": "Call back after 5", "type": "incident", "priority": "high",
                 "attr:budget": "1 500", "attr:place": "Room 12"}
        refused = await post(client, "/tickets/new", csrf, **typed)
        assert refused.status == 400
        html = await refused.text()
        assert 'id="new-ticket-error"' in html and "fill in the required fields: Product" in html
        assert f'name="contact" size="6" required value="{contact.id}"' in html
        assert 'value="Phoned &lt;about&gt; a refund"' in html
        assert 'value="Call back after 5"' in html
        assert '<option value="incident" selected>' in html
        assert '<option value="high" selected>' in html
        assert 'value="1 500"' in html and 'value="Room 12"' in html
        typed["attr:product"] = "Scanner"
        again = await post(client, "/tickets/new", csrf, **{**typed, "attr:budget": "lots"})
        assert again.status == 400
        assert 'value="lots"' in await again.text()
        assert '<option value="Scanner" selected>' in await again.text()
        no_contact = await post(client, "/tickets/new", csrf, **{**typed, "contact": "x"})
        assert no_contact.status == 400
        assert "Choose a contact." in (text := await no_contact.text())
        assert 'value="Room 12"' in text
        created = await post(client, "/tickets/new", csrf, **typed)
        assert re.search(r"/tickets/\d+$", str(created.url))
        assert 'id="new-ticket-error"' not in await created.text()
    finally:
        await client.close()


async def test_employee_follows_and_unfollows_a_ticket_from_its_page(panel: Panel) -> None:
    ticket = await _ticket(panel, "telegram", "1", "Please watch this")
    client = await panel.client()
    try:
        await sign_in(client, "lea")
        page = await (await client.get(f"/tickets/{ticket}")).text()
        assert 'id="follow"' in page and 'id="unfollow"' not in page
        followed = await post(client, f"/tickets/{ticket}/follow", csrf_of(page))
        assert 'id="unfollow"' in (html := await followed.text())
        detail = await views.ticket_detail(ticket)
        assert detail is not None and detail.ticket.observer_ids == {panel.lead_id}
        unfollowed = await post(client, f"/tickets/{ticket}/unfollow", csrf_of(html))
        assert 'id="follow"' in await unfollowed.text()
        detail = await views.ticket_detail(ticket)
        assert detail is not None and detail.ticket.observer_ids == set()
    finally:
        await client.close()


async def test_specialist_cannot_follow_a_ticket_they_do_not_see(panel: Panel) -> None:
    ticket = await _ticket(panel, "telegram", "1", "Not yours")
    client = await panel.client()
    try:
        csrf = await sign_in(client, "sam")
        assert (await post(client, f"/tickets/{ticket}/follow", csrf)).status == 404
        detail = await views.ticket_detail(ticket)
        assert detail is not None and detail.ticket.observer_ids == set()
    finally:
        await client.close()


async def test_agent_links_the_client_to_another_ticket_and_refusals_show_on_the_page(
        panel: Panel) -> None:
    by_telegram = await _ticket(panel, "telegram", "1", "Hi from Telegram")
    by_vk = await _ticket(panel, "vk", "2", "Hi from VK")
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        itself = await post(client, f"/tickets/{by_telegram}/link", csrf, other=str(by_telegram))
        assert f"ticket #{by_telegram} is this ticket" in await itself.text()
        missing = await post(client, f"/tickets/{by_telegram}/link", csrf, other="99999")
        assert "no ticket #99999" in await missing.text()
        empty = await post(client, f"/tickets/{by_telegram}/link", csrf, other="")
        assert "Give the number of another ticket." in await empty.text()
        linked = await post(client, f"/tickets/{by_telegram}/link", csrf, other=f"#{by_vk}")
        assert linked.status == 200 and 'class="flash"' not in await linked.text()
        first, second = (await views.ticket_detail(by_telegram), await views.ticket_detail(by_vk))
        assert first is not None and second is not None
        assert first.ticket.contact_id == second.ticket.contact_id
        again = await post(client, f"/tickets/{by_vk}/link", csrf, other=str(by_telegram))
        assert "already belong to one contact" in await again.text()
    finally:
        await client.close()


async def test_specialist_cannot_link_to_a_ticket_they_do_not_see(panel: Panel) -> None:
    mine = await _ticket(panel, "telegram", "1", "Mine")
    hidden = await _ticket(panel, "vk", "2", "Someone else's")
    await panel.desk.handle(c.AssignTicket(mine, panel.admin_id, panel.agent_id))
    client = await panel.client()
    try:
        csrf = await sign_in(client, "sam")
        refused = await post(client, f"/tickets/{mine}/link", csrf, other=str(hidden))
        assert "No such ticket." in await refused.text()
        first, second = (await views.ticket_detail(mine), await views.ticket_detail(hidden))
        assert first is not None and second is not None
        assert first.ticket.contact_id != second.ticket.contact_id
    finally:
        await client.close()
