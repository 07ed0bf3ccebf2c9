"""`GET /api/v1/tickets` filtered by a custom attribute (§9.5) with the panel's parameters
(`attr`, `attr_value`) and rules, and refusals an integration can act on: an attribute the
token's role may not see answers exactly as one that does not exist."""

from __future__ import annotations

from typing import Any

from core import commands as c
from tests.admin_web.conftest import Browser, Panel
from tests.admin_web.test_api import _auth, _token


async def _tickets(panel: Panel) -> dict[str, int]:
    """Product (list), Note (text), Budget (number), Due (date) for everyone, Margin (text)
    for administrators only; four tickets of the specialist Sam."""
    admin = panel.admin_id
    for command in (c.SaveAttribute(admin, "product", "Product", "list", ("Printer", "Scanner")),
                    c.SaveAttribute(admin, "note", "Note", "text"),
                    c.SaveAttribute(admin, "budget", "Budget", "number"),
                    c.SaveAttribute(admin, "due", "Due", "date"),
                    c.SaveAttribute(admin, "margin", "Margin", "text", visible_to=())):
        await panel.desk.handle(command)
    values = {"printer": {"product": "Printer", "note": "Blue CABLE, 2 m", "budget": "1 500"},
              "scanner": {"product": "Scanner", "margin": "secret-42", "budget": "2,5",
                          "due": "2025-03-01"},
              "toner": {"note": "Toner for the printer", "due": "2025-03-02"},
              "bare": {}}
    tickets = {}
    for number, (name, fields) in enumerate(values.items(), 1):
        opened = await panel.desk.handle(c.ClientWrites("telegram", str(number), "Kim", name))
        tickets[name] = opened.ticket_id
        for code, value in fields.items():
            await panel.desk.handle(c.SetTicketField(opened.ticket_id, admin, "attr:" + code,
                                                     value))
        await panel.desk.handle(c.AssignTicket(opened.ticket_id, admin, panel.agent_id))
    return tickets


async def _list(client: Browser, token: str, query: str) -> tuple[int, Any]:
    response = await client.get(f"/api/v1/tickets?{query}", headers=_auth(token))
    return response.status, await response.json()


async def test_api_lists_the_tickets_whose_custom_attribute_has_the_value(panel: Panel) -> None:
    t = await _tickets(panel)
    token = await _token(panel, "sam")
    client = await panel.client()

    async def found(query: str) -> set[int]:
        status, body = await _list(client, token, query)
        assert status == 200, body
        return {item["id"] for item in body["items"]}

    try:
        assert await found("attr=product&attr_value=scanner") == {t["scanner"]}
        assert await found("attr=product&attr_value=Scan") == set()  # an option is whole
        assert await found("attr=note&attr_value=blue%20cable") == {t["printer"]}
        assert await found("attr=note&attr_value=printer") == {t["toner"]}
        # numbers and dates as a person writes them, matched as the ticket holds them
        assert await found("attr=budget&attr_value=1500") == {t["printer"]}
        assert await found("attr=budget&attr_value=1%20500.0") == {t["printer"]}
        assert await found("attr=budget&attr_value=2.5") == {t["scanner"]}
        assert await found("attr=due&attr_value=2025-03-01") == {t["scanner"]}
        assert await found("attr=due&attr_value=20250302") == {t["toner"]}
        # with the other filters, and every ticket without it
        assert await found("attr=note&attr_value=printer&q=printer") == set()
        assert await found("attr=note&attr_value=printer&q=toner") == {t["toner"]}
        assert await found("") == set(t.values())

        doc = await (await client.get("/api/v1/openapi.json")).json()
        params = {p["name"] for p in doc["paths"]["/api/v1/tickets"]["get"]["parameters"]}
        assert {"attr", "attr_value"} <= params
    finally:
        await client.close()


async def test_api_answers_an_attribute_hidden_from_the_role_as_an_unknown_one(
        panel: Panel) -> None:
    t = await _tickets(panel)
    sam, ada = await _token(panel, "sam"), await _token(panel, "ada")
    client = await panel.client()
    try:
        answers = []
        for code, value in (("margin", "secret-42"), ("margin", "nothing-like-it"),
                            ("nosuch", "secret-42")):
            status, body = await _list(client, sam, f"attr={code}&attr_value={value}")
            assert status == 422 and "secret-42" not in str(body)
            answers.append((body["error"], body["message"].replace(repr(code), "CODE")))
        assert answers == [("invalid_input", "no custom attribute CODE")] * 3
        # the administrator sees the attribute, and may filter by it
        status, body = await _list(client, ada, "attr=margin&attr_value=SECRET")
        assert status == 200 and [item["id"] for item in body["items"]] == [t["scanner"]]
    finally:
        await client.close()


async def test_api_refuses_a_number_or_date_filter_that_is_not_one(panel: Panel) -> None:
    await _tickets(panel)
    token = await _token(panel, "sam")
    client = await panel.client()
    try:
        both = "filter by an attribute with both attr (its code) and attr_value"
        for query, code, message in (
                ("attr=budget&attr_value=lots", "attribute.not_number",
                 "Budget is a number, not 'lots'"),
                ("attr=due&attr_value=01.03.2025", "attribute.bad_date",
                 "Due is a date written as YYYY-MM-DD, not '01.03.2025'"),
                ("attr=budget", "invalid_input", both),
                ("attr_value=Printer", "invalid_input", both)):
            status, body = await _list(client, token, query)
            assert (status, body) == (422, {"error": "invalid_input", "code": code,
                                            "message": message}), query
    finally:
        await client.close()
