"""The JSON API: token authentication, the panel's role checks, and an OpenAPI document that
describes exactly the routes that exist and the bodies they return."""

from __future__ import annotations

import re
from typing import Any

from admin_web.keys import EXEMPT
from core import commands as c
from storage import models as m
from tests.admin_web.conftest import Browser, Panel, csrf_of, post, sign_in


async def _token(panel: Panel, login: str) -> str:
    client = await panel.client()
    try:
        csrf = await sign_in(client, login)
        page = await post(client, "/profile/tokens", csrf, name="integration")
        match = re.search(r'id="new-token">([^<]+)<', await page.text())
        assert match
        return match.group(1)
    finally:
        await client.close()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def check(schema: dict[str, Any], value: Any, where: str = "$") -> None:
    """The part of JSON Schema the document uses: type (or a list of types), required,
    properties, items, enum."""
    kinds = schema.get("type")
    if kinds is not None:
        names = kinds if isinstance(kinds, list) else [kinds]
        python = {"object": dict, "array": list, "string": str, "boolean": bool,
                  "null": type(None), "integer": int, "number": (int, float)}
        ok = any(isinstance(value, python[n]) and not (n in ("integer", "number")
                                                          and isinstance(value, bool))
                 for n in names)
        assert ok, f"{where}: {value!r} is not {names}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{where}: missing {key}"
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                check(sub, value[key], f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            check(schema["items"], item, f"{where}[{i}]")


async def test_missing_or_wrong_token_gets_401(panel: Panel) -> None:
    client = await panel.client()
    try:
        assert (await client.get("/api/v1/tickets")).status == 401
        response = await client.get("/api/v1/tickets", headers=_auth("cdk_wrong"))
        assert response.status == 401
        assert (await response.json())["error"] == "unauthorized"
        # a panel session cookie is no API credential
        await sign_in(client, "ada")
        assert (await client.get("/api/v1/tickets")).status == 401
    finally:
        await client.close()


async def test_specialist_token_sees_only_their_tickets(panel: Panel) -> None:
    mine = await panel.desk.handle(c.ClientWrites("telegram", "1", "A", "mine"))
    other = await panel.desk.handle(c.ClientWrites("telegram", "2", "B", "other"))
    await panel.desk.handle(c.AssignTicket(mine.ticket_id, panel.admin_id, panel.agent_id))
    token = await _token(panel, "sam")
    client = await panel.client()
    try:
        listing = await (await client.get("/api/v1/tickets", headers=_auth(token))).json()
        assert [t["id"] for t in listing["items"]] == [mine.ticket_id]
        response = await client.get(f"/api/v1/tickets/{other.ticket_id}", headers=_auth(token))
        assert response.status == 404
        response = await client.get("/api/v1/reports/load", headers=_auth(token))
        assert response.status == 403
    finally:
        await client.close()


async def test_ticket_created_commented_and_resolved_through_the_api(panel: Panel) -> None:
    contact = await panel.desk.handle(c.SaveContact(panel.admin_id, 0, "Walk-in"))
    token = await _token(panel, "ada")
    client = await panel.client()
    try:
        created = await client.post("/api/v1/tickets", headers=_auth(token), json={
            "contact_id": contact.id, "subject": "Phoned about an invoice"})
        assert created.status == 201
        ticket = await created.json()
        url = f"/api/v1/tickets/{ticket['id']}"
        reply = await client.post(f"{url}/comments", headers=_auth(token),
                                  json={"text": "Sent it again", "resolve": True})
        assert reply.status == 201
        refused = await client.post(f"{url}/status", headers=_auth(token),
                                    json={"status": "on_hold"})
        assert refused.status in (409, 422)
        body = await (await client.get(url, headers=_auth(token))).json()
        assert body["status"] == "resolved" and body["comments"][0]["body"] == "Sent it again"
        assigned = await client.post(f"{url}/responsible", headers=_auth(token),
                                     json={"responsible_id": panel.agent_id})
        assert (await assigned.json())["responsible_id"] == panel.agent_id
        bad = await client.post("/api/v1/tickets", headers=_auth(token), data="not json")
        assert bad.status == 400
    finally:
        await client.close()


async def test_openapi_document_matches_the_routes_and_the_responses(panel: Panel) -> None:
    await panel.desk.handle(c.ClientWrites("telegram", "1", "A", "hello"))
    token = await _token(panel, "ada")
    client: Browser = await panel.client()
    try:
        doc = await (await client.get("/api/v1/openapi.json")).json()
        documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
        app = panel.server.app
        assert app is not None
        served = {(r.method, re.sub(r"{(\w+):[^}]+}", r"{\1}", r.resource.canonical))
                  for r in app.router.routes()
                  if r.resource is not None and r.resource.canonical.startswith("/api/")
                  and r.method != "HEAD" and r.resource.canonical not in app[EXEMPT]}
        assert documented == served
        samples = {"ticket_id": "1", "contact_id": "1", "kind": "sla"}
        for path, ops in doc["paths"].items():
            if "get" not in ops:
                continue
            url = re.sub(r"{(\w+)}", lambda m: samples[m.group(1)], path)
            response = await client.get(url, headers=_auth(token))
            assert response.status == 200, url
            check(ops["get"]["responses"]["200"]["content"]["application/json"]["schema"],
                  await response.json(), url)
    finally:
        await client.close()


async def test_metrics_are_in_prometheus_text(panel: Panel) -> None:
    await panel.desk.handle(c.ClientWrites("telegram", "1", "A", "hello"))
    client = await panel.client()
    try:
        response = await client.get("/metrics")
        text = await response.text()
        assert response.status == 200 and response.content_type == "text/plain"
        assert 'chatdesk_tickets{status="open"} 1' in text
        assert "# TYPE chatdesk_outbox_backlog gauge" in text
    finally:
        await client.close()


async def test_profile_token_page_needs_csrf(panel: Panel) -> None:
    client = await panel.client()
    try:
        await sign_in(client, "sam")
        response = await client.post("/profile/tokens", data={"name": "x"})
        assert response.status == 403
        assert csrf_of(await (await client.get("/profile")).text())
    finally:
        await client.close()


async def test_specialist_token_sees_only_the_contacts_of_their_tickets(panel: Panel) -> None:
    mine = await panel.desk.handle(c.ClientWrites("telegram", "1", "Mila Mine", "mine"))
    watched = await panel.desk.handle(c.ClientWrites("vk", "2", "Oleg Observed", "watched"))
    await panel.desk.handle(c.ClientWrites("viber", "3", "Olga Other", "other"))
    await panel.desk.handle(c.AssignTicket(mine.ticket_id, panel.admin_id, panel.agent_id))
    await panel.desk.handle(c.AddObserver(watched.ticket_id, panel.admin_id, panel.agent_id))
    ids = {name: contact_id for name, contact_id in await m.ContactRow.all().values_list(
        "name", "id")}
    client = await panel.client()
    try:
        for login, expected in (("sam", {"Mila Mine", "Oleg Observed"}),
                                ("lea", {"Mila Mine", "Oleg Observed", "Olga Other"})):
            auth = _auth(await _token(panel, login))
            listing = await (await client.get("/api/v1/contacts", headers=auth)).json()
            assert {x["name"] for x in listing["items"]} == expected
            assert listing["total"] == len(expected)
            searched = await (await client.get("/api/v1/contacts?q=Ol", headers=auth)).json()
            assert {x["name"] for x in searched["items"]} == expected - {"Mila Mine"}
            for name, contact_id in ids.items():
                one = await client.get(f"/api/v1/contacts/{contact_id}", headers=auth)
                assert one.status == (200 if name in expected else 404), (login, name)
    finally:
        await client.close()
