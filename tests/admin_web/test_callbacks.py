"""The call-back queue in the panel (docs/DOMAIN.md §10): the public web form files a request that
every employee sees as New, one agent at a time processes it, the others are told who and
since when; processed and postponed requests, the API, and bad or unwanted input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from admin_web import callback_views
from tests.admin_web.conftest import Browser, Panel, post, sign_in
from tests.admin_web.test_api import _auth, _token, check
from tests.fakes import FakeClock

FORM = {"name": "Ivan <b>Petrov</b>", "phone": "+7 (900) 123-45-67", "comment": "After six"}


@pytest.fixture
def clock(panel: Panel, monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The desk and the page share one clock the test moves."""
    clock = FakeClock(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(panel.desk, "clock", clock)
    monkeypatch.setattr(callback_views, "now", clock.now)
    return clock


async def _agent(panel: Panel, login: str) -> tuple[Browser, str]:
    client = await panel.client()
    return client, await sign_in(client, login)


async def _submit(panel: Panel, **extra: Any) -> Any:
    visitor = await panel.client()
    try:
        response = await visitor.post("/callback", **extra)
        return response.status, await response.text()
    finally:
        await visitor.close()


async def test_a_form_submission_shows_up_as_new_for_every_role(panel: Panel, clock: FakeClock):
    status, html = await _submit(panel, data=FORM)
    assert status == 200 and "We will call you back soon" in html
    for login in ("sam", "lea", "ada"):
        client, _ = await _agent(panel, login)
        try:
            page = await (await client.get("/callbacks")).text()
            assert 'href="/callbacks"' in page  # in the navigation
            assert "<strong><bdi>Ivan &lt;b&gt;Petrov&lt;/b&gt;</bdi></strong>" in page
            assert "+7 (900) 123-45-67" in page and "After six" in page
            assert 'action="/callbacks/1/open"' in page
        finally:
            await client.close()


async def test_json_form_is_answered_in_json(panel: Panel, clock: FakeClock):
    status, body = await _submit(panel, json={"name": "Ann", "phone": "89001234567"})
    assert status == 200 and '"ok": true' in body


async def test_an_agent_opens_a_request_and_a_second_is_told_who_holds_it(
        panel: Panel, clock: FakeClock):
    await _submit(panel, data=FORM)
    sam, sam_csrf = await _agent(panel, "sam")
    oli, oli_csrf = await _agent(panel, "oli")
    try:
        page = await (await post(sam, "/callbacks/1/open", sam_csrf)).text()
        assert "The request is yours to process." in page
        assert "In processing: <bdi>Sam Agent</bdi>, since 2026-05-04 09:00" in page
        assert 'action="/callbacks/1/processed"' in page
        clock.advance(timedelta(minutes=5))
        refused = await (await post(oli, "/callbacks/1/open", oli_csrf)).text()
        assert "Sam Agent has been processing this request since 2026-05-04 09:00." in refused
        assert 'action="/callbacks/1/processed"' not in refused
        clock.advance(timedelta(minutes=30))  # a lock older than 30 minutes may be taken
        taken = await (await post(oli, "/callbacks/1/open", oli_csrf)).text()
        assert "In processing: <bdi>Oli Other</bdi>, since 2026-05-04 09:35" in taken
    finally:
        await sam.close()
        await oli.close()


async def test_processed_records_who_and_how_long(panel: Panel, clock: FakeClock):
    await _submit(panel, data=FORM)
    sam, csrf = await _agent(panel, "sam")
    try:
        await post(sam, "/callbacks/1/open", csrf)
        clock.advance(timedelta(minutes=7))
        page = await (await post(sam, "/callbacks/1/processed", csrf)).text()
        assert "Marked as processed." in page
        assert "Processed: <bdi>Sam Agent</bdi>, 2026-05-04 09:07 (7 min)" in page
        assert 'action="/callbacks/1/open"' not in page
    finally:
        await sam.close()


async def test_released_request_is_new_again(panel: Panel, clock: FakeClock):
    await _submit(panel, data=FORM)
    sam, csrf = await _agent(panel, "sam")
    try:
        await post(sam, "/callbacks/1/open", csrf)
        page = await (await post(sam, "/callbacks/1/release", csrf)).text()
        assert "The request is back in the queue." in page
        assert "<strong>New</strong>" in page
    finally:
        await sam.close()


async def test_postponed_request_reappears_as_new_when_due(panel: Panel, clock: FakeClock):
    await _submit(panel, data=FORM)
    sam, csrf = await _agent(panel, "sam")
    try:
        await post(sam, "/callbacks/1/open", csrf)
        past = await (await post(sam, "/callbacks/1/postpone", csrf,
                                 until="2026-05-04T08:00")).text()
        assert "only be postponed to a time in the future" in past
        page = await (await post(sam, "/callbacks/1/postpone", csrf,
                                 until="2026-05-04T15:30")).text()
        assert "Postponed until 2026-05-04 15:30" in page
        assert "<strong>New</strong>" not in page
        clock.set(datetime(2026, 5, 4, 15, 30, tzinfo=UTC))
        due = await (await sam.get("/callbacks")).text()
        assert "<strong>New</strong>" in due and 'action="/callbacks/1/open"' in due
    finally:
        await sam.close()


async def test_panel_actions_without_csrf_are_refused(panel: Panel, clock: FakeClock):
    await _submit(panel, data=FORM)
    sam, _ = await _agent(panel, "sam")
    try:
        response = await sam.post("/callbacks/1/open", data={})
        assert response.status == 403
        page = await (await sam.get("/callbacks")).text()
        assert "<strong>New</strong>" in page
    finally:
        await sam.close()


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"data": {"name": "Ivan", "phone": "call me maybe"}}, "phone number"),
    ({"data": {"name": "", "phone": "+7 900 123 45 67"}}, "your name"),
    ({"data": {"name": "x" * 300, "phone": "+7 900 123 45 67"}}, "longer than 100"),
    ({"data": {"phone": "+7 900 123 45 67", "comment": "y" * 20000}}, "your name"),
    ({"data": "not json", "headers": {"Content-Type": "application/json"}}, "JSON object"),
    ({"json": ["a", "list"]}, "JSON object"),
])
async def test_bad_form_input_gets_a_clear_400(panel: Panel, clock: FakeClock,
                                              kwargs: dict[str, Any], says: str):
    status, body = await _submit(panel, **kwargs)
    assert status == 400 and says in body, body[:300]


async def test_the_public_form_is_rate_limited_per_address(panel: Panel, clock: FakeClock):
    statuses = [(await _submit(panel, data=FORM))[0] for _ in range(6)]
    assert statuses == [200] * 5 + [429]


@pytest.mark.parametrize(("language", "title"), [("ru", "Обратные звонки"),
                                                  ("fa", "تماس‌های برگشتی")])
async def test_the_page_renders_in_russian_and_persian(panel: Panel, clock: FakeClock,
                                                       language: str, title: str):
    await _submit(panel, data=FORM)
    sam, csrf = await _agent(panel, "sam")
    try:
        await post(sam, "/language", csrf, language=language, next="/")
        await post(sam, "/callbacks/1/open", csrf)
        response = await sam.get("/callbacks")
        html = await response.text()
        assert response.status == 200 and title in html
        assert f'lang="{language}"' in html and ('dir="rtl"' in html) == (language == "fa")
        assert "<b>Petrov</b>" not in html
    finally:
        await sam.close()


async def test_api_registers_and_lists_call_backs(panel: Panel, clock: FakeClock):
    token = await _token(panel, "sam")
    client = await panel.client()
    try:
        created = await client.post("/api/v1/callbacks", headers=_auth(token),
                                    json={"name": "Ann", "phone": "+44 20 7946 0958"})
        body = await created.json()
        assert created.status == 201 and body["state"] == "new", body
        bad = await client.post("/api/v1/callbacks", headers=_auth(token),
                                json={"name": "Ann", "phone": "no"})
        assert bad.status == 422
        listed = await client.get("/api/v1/callbacks", headers=_auth(token))
        items = (await listed.json())["items"]
        assert [i["name"] for i in items] == ["Ann"]
        doc = await (await client.get("/api/v1/openapi.json")).json()
        check(doc["paths"]["/api/v1/callbacks"]["get"]["responses"]["200"]["content"][
            "application/json"]["schema"], await listed.json())
        assert (await client.get("/api/v1/callbacks")).status == 401
    finally:
        await client.close()


async def test_api_works_the_queue_with_the_panels_rules(panel: Panel, clock: FakeClock):
    sam, lea = await _token(panel, "sam"), await _token(panel, "lea")
    client = await panel.client()

    async def act(token: str, action: str, **body: Any) -> tuple[int, dict[str, Any]]:
        response = await client.post(f"/api/v1/callbacks/{rid}/{action}",
                                     headers=_auth(token), json=body)
        return response.status, await response.json()

    try:
        created = await client.post("/api/v1/callbacks", headers=_auth(sam), json=FORM)
        rid = (await created.json())["id"]
        doc = (await (await client.get("/api/v1/openapi.json")).json())["paths"]
        status, opened = await act(sam, "open")
        assert status == 200 and opened["state"] == "processing", opened
        check(doc["/api/v1/callbacks/{request_id}/open"]["post"]["responses"]["200"][
            "content"]["application/json"]["schema"], opened)
        status, held = await act(lea, "open")
        assert status == 409 and held["holder_id"] == opened["holder_id"], held
        assert held["holder_name"] in held["message"] and held["since"]
        check(doc["/api/v1/callbacks/{request_id}/open"]["post"]["responses"]["409"][
            "content"]["application/json"]["schema"], held)
        assert (await act(lea, "release"))[0] == 403
        assert (await act(sam, "postpone"))[0] == 422
        assert (await act(sam, "postpone", until="2026-05-04 18:00"))[0] == 422
        status, later = await act(sam, "postpone", until="2026-05-04T18:00:00+00:00")
        assert status == 200 and later["state"] == "postponed", later
        assert later["postponed_until"] == "2026-05-04T18:00:00+00:00"
        assert (await act(lea, "open"))[1]["state"] == "processing"
        assert (await act(lea, "release"))[1]["state"] == "new"
        assert (await act(sam, "open"))[0] == 200
        clock.advance(timedelta(minutes=4))
        status, done = await act(sam, "processed")
        assert status == 200 and done["state"] == "processed", done
        assert done["processing_seconds"] == 240
        assert (await act(lea, "open"))[0] == 409
        assert (await client.post(f"/api/v1/callbacks/{rid}/open")).status == 401
        assert (await client.post("/api/v1/callbacks/999/open", headers=_auth(sam))).status \
            == 404
    finally:
        await client.close()
