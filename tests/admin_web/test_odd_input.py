"""Odd input to the panel and the API, on SQLite and PostgreSQL: NUL characters, digits that
are not ASCII, numbers too big for an id, dates past year 9999, forged tokens, unreadable
bodies and JSON of the wrong shape. Each gets a readable refusal (or is read sensibly),
never a server error, and a refusal changes nothing."""

from __future__ import annotations

import io
import json
from typing import Any

from core import commands as c
from core.statuses import ON_HOLD
from storage import panel_views as views
from tests.admin_web.conftest import PASSWORD, Browser, Panel, csrf_of, post, sign_in
from tests.admin_web.test_api import _auth, _token


async def _desk_with_a_ticket(panel: Panel) -> None:
    await panel.desk.handle(c.SaveContact(panel.admin_id, 0, "Ivan Petrov"))
    await panel.desk.handle(c.OpenTicketForClient(panel.admin_id, 1, "Printer jam", "Stuck"))


async def _admin(panel: Panel) -> tuple[Browser, str]:
    client = await panel.client()
    return client, await sign_in(client, "ada")


async def test_search_with_a_nul_finds_what_it_would_without_it(panel: Panel) -> None:
    await _desk_with_a_ticket(panel)
    token = await _token(panel, "ada")
    client, _ = await _admin(panel)
    try:
        page = await client.get("/tickets", params={"q": "Prin\x00ter", "status": "op\x00en"})
        assert page.status == 200 and "Printer jam" in await page.text()
        page = await client.get("/settings/clients", params={"q": "Iv\x00an"})
        assert page.status == 200 and "Ivan Petrov" in await page.text()
        found = await client.get("/api/v1/tickets", params={"q": "jam\x00"},
                                 headers=_auth(token))
        assert found.status == 200 and (await found.json())["total"] == 1
        found = await client.get("/api/v1/contacts", params={"q": "\x00Petrov"},
                                 headers=_auth(token))
        assert found.status == 200 and (await found.json())["total"] == 1
    finally:
        await client.close()


async def test_login_name_with_a_nul_is_a_wrong_login(panel: Panel) -> None:
    client = await panel.client()
    try:
        page = await client.get("/login")
        response = await client.post("/login", data={
            "login": "ada\x00", "password": "wrong", "csrf_token": csrf_of(await page.text())})
        assert response.status == 401
        assert "Wrong login or password." in await response.text()
    finally:
        await client.close()


async def test_api_token_name_with_a_nul_is_kept_without_it(panel: Panel) -> None:
    client, csrf = await _admin(panel)
    try:
        page = await post(client, "/profile/tokens", csrf, name="CI\x00 bot")
        assert page.status == 200 and "CI bot" in await page.text()
    finally:
        await client.close()


async def test_rule_conditions_with_a_nul_are_saved_without_it(panel: Panel) -> None:
    """A rule's conditions are sets of codes: the desk's NUL cleaning reaches into them."""
    client, csrf = await _admin(panel)
    try:
        page = await post(client, "/settings/routing", csrf, name="VIP\x00",
                          categories="vip\x00", enabled="on")
        assert page.status == 200
        [rule] = (await views.rule_tables())["routing"]
        assert rule.name == "VIP" and rule.when.categories == frozenset({"vip"})
    finally:
        await client.close()


async def test_numbers_in_odd_digits_or_too_big_for_an_id_are_not_numbers(
        panel: Panel) -> None:
    """'²' passes str.isdigit() but not int(); '99999999999999' passes int() but no 32-bit id
    column. Neither is an error page: the list is shown, the form says what is missing."""
    await _desk_with_a_ticket(panel)
    token = await _token(panel, "ada")
    client, csrf = await _admin(panel)
    try:
        for query in ({"page": "²"}, {"page": "--5"}, {"responsible": "99999999999"},
                      {"q": "99999999999999"}, {"q": "#²"}, {"line": "٣"}):
            page = await client.get("/tickets", params=query)
            assert page.status == 200, query
            answer = await client.get("/api/v1/tickets", params=query, headers=_auth(token))
            assert answer.status == 200, query
        page = await post(client, "/tickets/new", csrf, contact="²", subject="Odd", text="x")
        assert page.status == 400 and "Choose a contact." in await page.text()
        page = await post(client, "/settings/groups", csrf, name="Night", members="²")
        assert page.status == 200
        assert [g.member_ids for g in (await views.reference()).groups
                if g.name == "Night"] == [frozenset()]
        for cron, said in (("² 9 * * *", "cannot read &#39;²&#39;"),
                           ("1" * 5000 + " 9 * * *", "cannot read &#39;111")):
            page = await post(client, "/settings/schedules", csrf, name="Odd", cron=cron,
                              contact_id="1", subject="x")
            assert page.status == 200 and said in await page.text(), cron[:10]
        assert (await views.rule_tables())["schedules"] == []
    finally:
        await client.close()


async def test_a_forged_csrf_token_in_any_characters_is_refused(panel: Panel) -> None:
    client, _ = await _admin(panel)
    try:
        for token in ("ü" * 43, "a\x00b"):
            response = await post(client, "/profile/tokens", token, name="x")
            assert response.status == 403, token
            assert "did not come from this site" in await response.text()
        assert "x" not in [t.name for t in await _tokens(panel)]
    finally:
        await client.close()


async def _tokens(panel: Panel) -> list[Any]:
    from storage.panel_auth import ApiTokenStore

    return await ApiTokenStore().for_employee(panel.admin_id)


async def test_a_form_in_an_unknown_charset_is_a_400(panel: Panel) -> None:
    client, csrf = await _admin(panel)
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=klingon"}
    try:
        response = await client.post("/profile/tokens", headers=headers,
                                      data=f"csrf_token={csrf}&name=x".encode())
        assert response.status == 400 and "Send it as UTF-8" in await response.text()
        response = await client.post("/callback", headers=headers,
                                     data=b"name=Ann&phone=%2B15550100")
        assert response.status == 400 and "UTF-8" in await response.text()
        assert await _tokens(panel) == []
    finally:
        await client.close()


async def test_json_nested_too_deep_is_a_400(panel: Panel) -> None:
    await _desk_with_a_ticket(panel)
    token = await _token(panel, "ada")
    client = await panel.client()
    deep = b"[" * 100_000 + b"]" * 100_000
    try:
        for path in ("/api/v1/tickets", "/api/v1/tickets/1/comments", "/api/v1/callbacks"):
            response = await client.post(path, data=deep, headers={
                **_auth(token), "Content-Type": "application/json"})
            assert response.status == 400, path
            assert (await response.json())["error"] == "bad_json"
        response = await client.post("/callback", data=deep,
                                     headers={"Content-Type": "application/json"})
        assert response.status == 400 and "JSON object" in (await response.json())["message"]
    finally:
        await client.close()


async def test_api_fields_of_the_wrong_type_are_refused_and_change_nothing(
        panel: Panel) -> None:
    """Nothing is coerced: "public": "false" must not send a private note to the client, and
    a responsible_id that is not one must not take the ticket off its agent."""
    await _desk_with_a_ticket(panel)
    await panel.desk.handle(c.AssignTicket(1, panel.admin_id, panel.agent_id, None))
    token = await _token(panel, "ada")
    client = await panel.client()

    async def refused(path: str, body: Any) -> str:
        response = await client.post(path, json=body, headers=_auth(token))
        assert response.status == 422, (path, body, response.status)
        answer = await response.json()
        assert answer["error"] == "invalid_input", answer
        return str(answer["message"])

    try:
        before = await views.ticket_detail(1)
        assert "public" in await refused("/api/v1/tickets/1/comments",
                                         {"text": "internal only", "public": "false"})
        assert "resolve" in await refused("/api/v1/tickets/1/comments",
                                          {"text": "done", "resolve": 1})
        for value in ("abc", 10**30, 1.5, True, [2]):
            assert "responsible_id" in await refused("/api/v1/tickets/1/responsible",
                                                     {"responsible_id": value})
        assert "status" in await refused("/api/v1/tickets/1/status", {"status": ["closed"]})
        for field in ("subject", "type", "priority"):
            assert field in await refused("/api/v1/tickets", {
                "contact_id": 1, "subject": "New", "text": "x", field: {"a": 1}})
        assert "name" in await refused("/api/v1/callbacks", {"name": 5, "phone": "+15550100"})
        after = await views.ticket_detail(1)
        assert after is not None and before is not None
        assert after.ticket.responsible_id == panel.agent_id
        assert after.comments == before.comments
        assert (await client.get("/api/v1/tickets", headers=_auth(token))).status == 200
        assert (await (await client.get("/api/v1/tickets", headers=_auth(token))).json()
                )["total"] == 1
        response = await client.post("/callback", json={"name": ["Ann"], "phone": "+15550100"})
        assert response.status == 400 and "strings" in (await response.json())["message"]
    finally:
        await client.close()


async def test_dates_past_year_9999_in_utc_are_refused_and_change_nothing(
        panel: Panel) -> None:
    """9999-12-31 23:59 west of Greenwich is year 10000 in UTC: on hold until then crashed
    when the resume timer was stored."""
    await _desk_with_a_ticket(panel)
    token = await _token(panel, "ada")
    client, csrf = await _admin(panel)
    try:
        page = await post(client, "/tickets/1/status", csrf, status=ON_HOLD,
                          until="9999-12-31T23:59")
        assert page.status == 200 and "On hold needs a date and time" in await page.text()
        page = await post(client, "/tickets/1/field", csrf, field="planned_resolution_at",
                          value="9999-12-31T23:59")
        assert page.status == 200 and "Give a date and time" in await page.text()
        response = await client.post("/api/v1/tickets/1/status", headers=_auth(token),
                                     json={"status": ON_HOLD,
                                           "until": "9999-12-31T23:59:59-05:00"})
        assert response.status == 422 and "between the years" in await response.text()
        detail = await views.ticket_detail(1)
        assert detail is not None and detail.ticket.status != ON_HOLD
        assert detail.ticket.planned_resolution_at is None  # the far date was not stored
    finally:
        await client.close()


async def test_a_typo_in_the_planned_resolution_keeps_the_old_one(panel: Panel) -> None:
    await _desk_with_a_ticket(panel)
    client, csrf = await _admin(panel)
    try:
        await post(client, "/tickets/1/field", csrf, field="planned_resolution_at",
                   value="2030-01-02T10:00")
        before = await views.ticket_detail(1)
        page = await post(client, "/tickets/1/field", csrf, field="planned_resolution_at",
                          value="next tuesday")
        assert "Give a date and time, as 2025-03-01 09:30." in await page.text()
        after = await views.ticket_detail(1)
        assert before is not None and after is not None
        assert after.ticket.planned_resolution_at == before.ticket.planned_resolution_at
    finally:
        await client.close()


async def test_a_very_long_next_after_sign_in_goes_to_the_dashboard(panel: Panel) -> None:
    """The Location header would pass 8 KB, which aiohttp's client and proxies refuse."""
    client = await panel.client()
    try:
        page = await client.get("/login")
        response = await client.post("/login", allow_redirects=False, data={
            "login": "ada", "password": PASSWORD, "csrf_token": csrf_of(await page.text()),
            "next": "/tickets?q=" + "x" * 10_000})
        assert response.status == 303 and response.headers["Location"] == "/"
    finally:
        await client.close()


async def test_huge_bodies_are_refused_or_cut_never_a_server_error(panel: Panel) -> None:
    await _desk_with_a_ticket(panel)
    token = await _token(panel, "ada")
    client, csrf = await _admin(panel)
    try:
        body = json.dumps({"text": "x" * 10_000_000}).encode()
        response = await client.post("/api/v1/tickets/1/comments", data=io.BytesIO(body),
                                     headers={**_auth(token), "Content-Type": "application/json"})
        assert 400 <= response.status < 500, response.status
        form = f"csrf_token={csrf}&text=" + "x" * 10_000_000
        response = await client.post("/tickets/1/reply", data=io.BytesIO(form.encode()),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status < 500
    finally:
        await client.close()
