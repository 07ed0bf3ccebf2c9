"""Custom ticket attributes in the panel and the API (§9.5): administrators define them on a
settings page; agents see and fill in those their role may see; a hand-made ticket without a
required one, or with a wrong value, is refused with a message that says why."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from core import commands as c
from core.client_handlers import ClientWriteResult
from tests.admin_web.conftest import Browser, Panel, post, sign_in
from tests.admin_web.test_api import _auth, _token


async def _define(panel: Panel) -> None:
    """Product (a list, required), Budget (a number), Due (a date) for everyone, and Margin
    (text) for administrators only."""
    admin = panel.admin_id
    for command in (
        c.SaveAttribute(admin, "product", "Product", "list", ("Printer", "Scanner"),
                        required=True),
        c.SaveAttribute(admin, "budget", "Budget", "number"),
        c.SaveAttribute(admin, "due", "Due", "date"),
        c.SaveAttribute(admin, "margin", "Margin", "text", visible_to=()),
    ):
        await panel.desk.handle(command)


async def _ticket_of_agent(panel: Panel) -> int:
    """A client's messenger ticket, handed to the specialist Sam, with a margin set."""
    opened = await panel.desk.handle(c.ClientWrites("telegram", "77", "Client", "Hello"))
    assert isinstance(opened, ClientWriteResult)
    await panel.desk.handle(c.AssignTicket(opened.ticket_id, panel.admin_id, panel.agent_id))
    await panel.desk.handle(c.SetTicketField(opened.ticket_id, panel.admin_id,
                                             "attr:margin", "secret-margin-42"))
    return opened.ticket_id


@pytest.fixture
async def sam(panel: Panel) -> AsyncIterator[tuple[Browser, str, int]]:
    """The specialist signed in (with the CSRF token) and the ticket of theirs."""
    await _define(panel)
    ticket_id = await _ticket_of_agent(panel)
    client = await panel.client()
    try:
        yield client, await sign_in(client, "sam"), ticket_id
    finally:
        await client.close()


async def test_administrator_defines_edits_reorders_disables_and_deletes_attributes(
        panel: Panel) -> None:
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        assert 'href="/settings/attributes"' in await (await client.get("/settings")).text()
        await post(client, "/settings/attributes", csrf, name="Product <b>", code="product",
                   kind="list", options="Printer\nScanner", visible_lead="1",
                   visible_specialist="1", required="1", enabled="1")
        await post(client, "/settings/attributes", csrf, name="Budget", kind="number",
                   visible_lead="1", enabled="1")
        page = await post(client, "/settings/attributes/budget/up", csrf)
        html = await page.text()
        assert "Product &lt;b&gt;" in html and "<b>" not in html.split("<main")[-1]
        assert html.index('data-code="budget"') < html.index('data-code="product"')
        # edit: switched off, hidden from specialists
        await post(client, "/settings/attributes", csrf, code="budget", name="Budget, EUR",
                   kind="number", visible_lead="1")
        html = await (await client.get("/settings/attributes")).text()
        row = html[html.index('data-code="budget"'):html.index('data-code="product"')]
        assert 'class="muted"' in row and 'value="Budget, EUR"' in row
        assert 'name="visible_specialist" value="1" >' in row
        page = await post(client, "/settings/attributes", csrf, name="Empty", kind="list",
                          options=" \n", enabled="1")
        assert "a list attribute needs at least one option" in await page.text()
        page = await post(client, "/settings/attributes/product/delete", csrf)
        assert 'data-code="product"' not in await page.text()
        refused = await client.post("/settings/attributes", data={"name": "No token"})
        assert refused.status == 403
    finally:
        await client.close()


async def test_attributes_page_is_for_administrators_only(panel: Panel) -> None:
    client = await panel.client()
    try:
        csrf = await sign_in(client, "lea")
        assert (await client.get("/settings/attributes")).status == 403
        refused = await post(client, "/settings/attributes", csrf, name="Sneaky")
        assert refused.status == 403
    finally:
        await client.close()


async def test_specialist_does_not_see_an_attribute_visible_only_to_administrators(
        panel: Panel) -> None:
    await _define(panel)
    ticket_id = await _ticket_of_agent(panel)
    admin, agent = await panel.client(), await panel.client()
    try:
        await sign_in(admin, "ada")
        html = await (await admin.get(f"/tickets/{ticket_id}")).text()
        assert "Margin" in html and "secret-margin-42" in html
        await sign_in(agent, "sam")
        html = await (await agent.get(f"/tickets/{ticket_id}")).text()
        assert "Product" in html and "Budget" in html
        assert "Margin" not in html and "margin" not in html and "secret-margin-42" not in html
        token = await _token(panel, "sam")
        body = await (await agent.get(f"/api/v1/tickets/{ticket_id}",
                                      headers=_auth(token))).json()
        assert set(body["attributes"]) == {"product", "budget", "due"}
        reference = await (await agent.get("/api/v1/reference", headers=_auth(token))).json()
        assert [a["code"] for a in reference["attributes"]] == ["product", "budget", "due"]
        setting = await agent.post(f"/api/v1/tickets/{ticket_id}/attributes",
                                   headers=_auth(token), json={"attributes": {"margin": "0"}})
        assert setting.status == 422
        admin_token = await _token(panel, "ada")
        body = await (await admin.get(f"/api/v1/tickets/{ticket_id}",
                                      headers=_auth(admin_token))).json()
        assert body["attributes"]["margin"] == "secret-margin-42"
    finally:
        await admin.close()
        await agent.close()


async def test_a_required_attribute_missing_refuses_a_hand_made_ticket(panel: Panel) -> None:
    await _define(panel)
    contact = await panel.desk.handle(c.SaveContact(panel.admin_id, 0, "Walk-in"))
    client = await panel.client()
    try:
        csrf = await sign_in(client, "sam")
        form = await (await client.get("/tickets")).text()
        assert 'name="attr:product"' in form and 'name="attr:margin"' not in form
        page = await post(client, "/tickets/new", csrf, contact=str(contact.id),
                          subject="Phoned in")
        assert "fill in the required fields: Product" in await page.text()
        page = await post(client, "/tickets/new", csrf, contact=str(contact.id),
                          subject="Phoned in", **{"attr:product": "Scanner",
                                                  "attr:budget": "1 500"})
        html = await page.text()
        assert re.search(r"/tickets/\d+$", str(page.url)), html[:300]
        assert 'value="Scanner" selected' in html and 'value="1500"' in html
        token = await _token(panel, "sam")
        refused = await client.post("/api/v1/tickets", headers=_auth(token), json={
            "contact_id": contact.id, "subject": "By API"})
        assert refused.status == 422
        assert "fill in the required fields: Product" in (await refused.json())["message"]
        created = await client.post("/api/v1/tickets", headers=_auth(token), json={
            "contact_id": contact.id, "subject": "By API",
            "attributes": {"product": "Printer", "due": "2026-05-01"}})
        assert created.status == 201
        assert (await created.json())["attributes"] == {
            "product": "Printer", "budget": None, "due": "2026-05-01"}
    finally:
        await client.close()


async def test_a_wrong_number_date_or_list_value_is_refused_with_a_clear_error(
        panel: Panel, sam: tuple[Browser, str, int]) -> None:
    client, csrf, ticket_id = sam
    for field, value, message in (
            ("budget", "lots", "Budget is a number, not &#39;lots&#39;"),
            ("due", "31.12.2026", "Due is a date written as YYYY-MM-DD"),
            ("product", "Fax", "Product is one of Printer, Scanner")):
        page = await post(client, f"/tickets/{ticket_id}/field", csrf,
                          field=f"attr:{field}", value=value)
        assert message in await page.text(), field
    token = await _token(panel, "sam")
    refused = await client.post(f"/api/v1/tickets/{ticket_id}/attributes",
                                headers=_auth(token),
                                json={"attributes": {"budget": "12", "due": "soon"}})
    assert refused.status == 422
    assert "Due is a date" in (await refused.json())["message"]
    body = await (await client.get(f"/api/v1/tickets/{ticket_id}",
                                   headers=_auth(token))).json()
    assert body["attributes"]["budget"] is None  # all or none
    nested = await client.post(f"/api/v1/tickets/{ticket_id}/attributes",
                               headers=_auth(token), json={"attributes": {"budget": [1]}})
    assert nested.status == 422


async def test_agent_fills_in_a_missing_required_attribute_and_it_is_in_the_history(
        sam: tuple[Browser, str, int]) -> None:
    client, csrf, ticket_id = sam
    html = await (await client.get(f"/tickets/{ticket_id}")).text()
    section = html[html.index('id="attributes"'):]
    assert "missing" in section[:section.index('data-code="budget"')]
    page = await post(client, f"/tickets/{ticket_id}/field", csrf,
                      field="attr:product", value="Printer")
    html = await page.text()
    section = html[html.index('id="attributes"'):]
    assert "missing" not in section[:section.index("</section>")]
    history = html[html.index('id="history"'):]
    assert "Product: <bdi>—</bdi> → <bdi>Printer</bdi>" in history


async def test_attribute_values_are_escaped(panel: Panel) -> None:
    await _define(panel)
    ticket_id = await _ticket_of_agent(panel)
    await panel.desk.handle(c.SetTicketField(ticket_id, panel.admin_id, "attr:margin",
                                             "<script>alert(1)</script>"))
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        html = await (await client.get(f"/tickets/{ticket_id}")).text()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    finally:
        await client.close()
