"""The ticket page as agents use it all day: one action bar saved by one form, the history
in words (in English, Russian and Persian), canned answers inserted without losing the
draft, and previews of attached pictures that never serve anything but a picture."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestServer

from admin_web.app import create_app
from admin_web.config import PanelConfig
from chatdesk.runtime import Runtime
from core import commands as c
from core.tickets import Attachment
from storage import panel_views as views
from tests.admin_web.conftest import Browser, Panel, post, sign_in
from tests.admin_web.forms import form_fields, replaced

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


async def _ticket(panel: Panel, text: str = "My parcel is late") -> int:
    result = await panel.desk.handle(c.ClientWrites("telegram", "77", "Ann Lee", text))
    return int(result.ticket_id)


async def _save_bar(client: Browser, ticket: int, **changes: str) -> str:
    page = await (await client.get(f"/tickets/{ticket}")).text()
    response = await client.post(f"/tickets/{ticket}/update",
                                 data=replaced(form_fields(page, "actions"), **changes))
    assert response.status == 200
    return await response.text()


def _history(html: str) -> str:
    return html[html.index('id="history"'):html.index("</table>", html.index('id="history"'))]


async def test_the_action_bar_saves_every_field_with_one_form(panel: Panel) -> None:
    ticket = await _ticket(panel)
    await panel.desk.handle(c.SaveTicketType(panel.admin_id, "delivery", "Delivery"))
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        page = await (await client.get(f"/tickets/{ticket}")).text()
        assert dict(form_fields(page, "actions"))["status"] == "open"  # preselected
        until = (datetime.now() + timedelta(days=30)).strftime("%Y-%m-%dT09:00")
        html = await _save_bar(client, ticket, status="on_hold", until=until,
                               responsible=str(panel.agent_id), priority="high",
                               type_code="delivery", due="2031-05-04T10:30")
        assert 'class="flash" role="alert">Saved.<' in html
        t = (await views.ticket_detail(ticket)).ticket  # type: ignore[union-attr]
        assert (t.status, t.responsible_id, t.priority, t.type_code) == (
            "on_hold", panel.agent_id, "high", "delivery")
        assert t.planned_resolution_at is not None
        assert t.planned_resolution_at.strftime("%Y-%m-%d %H:%M") == "2031-05-04 10:30"
        fields = dict(form_fields(html, "actions"))
        assert (fields["status"], fields["until"], fields["due"]) == (
            "on_hold", until, "2031-05-04T10:30")
        rows = _history(html).count("<tr>")
        html = await _save_bar(client, ticket)  # as shown: nothing to save, nothing written
        assert "Nothing changed." in html and _history(html).count("<tr>") == rows
        html = await _save_bar(client, ticket, priority="low", due="next Friday")
        assert "Give a date and time" in html
        assert (await views.ticket_detail(ticket)).ticket.priority == "high"  # type: ignore[union-attr]
    finally:
        await client.close()


async def _eventful_ticket(panel: Panel) -> tuple[int, int]:
    """A closed ticket and the one the client's next message opened, with observers, a
    move to line 2 and a priority change between."""
    admin = panel.admin_id
    first = await _ticket(panel)
    await panel.desk.handle(c.SetDeskSettings(admin, 0, 86400, "normal", False))
    await panel.desk.handle(c.AddObserver(first, admin, panel.agent_id))
    await panel.desk.handle(c.RemoveObserver(first, admin, panel.agent_id))
    await panel.desk.handle(c.Escalate(first, admin))
    await panel.desk.handle(c.SetTicketField(first, admin, "priority", "high"))
    await panel.desk.handle(c.ChangeStatus(first, admin, "resolved"))
    await panel.desk.handle(c.ChangeStatus(first, admin, "closed"))
    second = await _ticket(panel, "It never came")
    assert second != first
    return first, second


WORDS = {
    "en": ["Observer <bdi>Sam Agent</bdi> added", "Observer <bdi>Sam Agent</bdi> removed",
           "Moved to line <bdi>2</bdi>", "Priority: <bdi>Normal</bdi> → <bdi>High</bdi>",
           "Status: <bdi>Open</bdi> → <bdi>Resolved</bdi>"],
    "ru": ["Добавлен наблюдатель <bdi>Sam Agent</bdi>", "Удалён наблюдатель <bdi>Sam Agent</bdi>",
           "Переведена на линию <bdi>2</bdi>",
           # the seeded statuses' given names, as on the ticket's card and its action bar
           "Статус: <bdi>Открыта</bdi> → <bdi>Решена</bdi>"],
    "fa": ["ناظر <bdi>Sam Agent</bdi> افزوده شد", "به خط <bdi>۲</bdi> منتقل شد",
           "وضعیت: <bdi>باز</bdi> ← <bdi>حل‌شده</bdi>"],
}
LINKED = {"en": "Linked to ticket <bdi>#{}</bdi>", "ru": "Связана с заявкой <bdi>#{}</bdi>",
          "fa": "مرتبط با درخواست <bdi>#{}</bdi>"}


async def test_the_history_reads_in_words_in_each_language(panel: Panel) -> None:
    first, second = await _eventful_ticket(panel)
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        for language, sentences in WORDS.items():
            await post(client, "/language", csrf, language=language, next="/")
            history = _history(await (await client.get(f"/tickets/{first}")).text())
            for sentence in sentences:
                assert sentence in history, (language, sentence)
            for raw in ("observer", "responsible", "priority", "line", "status", "linked_from"):
                assert f">{raw}<" not in history, (language, raw)  # a field's code
            assert "None" not in history and f">{panel.agent_id}<" not in history
            if language != "en":
                assert not any(w in history for w in ("Status", "Priority", "Observer", "Moved"))
            linked = _history(await (await client.get(f"/tickets/{second}")).text())
            assert f'<a href="/tickets/{first}">' + LINKED[language].format(first) in linked
    finally:
        await client.close()


async def test_insert_without_a_script_keeps_the_draft_and_adds_the_answer(panel: Panel) -> None:
    ticket = await _ticket(panel)
    group = await panel.desk.handle(c.SaveCannedGroup(panel.admin_id, 0, "Orders"))
    answer = await panel.desk.handle(c.SaveCannedAnswer(
        panel.admin_id, 0, group.id, "Late", "Sorry, {{ client_name }}, it is on its way."))
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        page = await post(client, f"/tickets/{ticket}/canned", csrf,
                          text="Hello! I checked your order.", canned=str(answer.id))
        draft = dict(form_fields(await page.text(), "reply-form"))["text"]
        assert draft == "Hello! I checked your order.\nSorry, Ann Lee, it is on its way."
        assert (await views.ticket_detail(ticket)).comments[-1].body == "My parcel is late"  # type: ignore[union-attr]
    finally:
        await client.close()


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


class _Files:
    """Files as a channel would give them: a real PNG, HTML claiming to be a PNG, one gone."""

    class _Data:
        def __init__(self, data: bytes) -> None:
            self.data = data

    async def fetch(self, channel: str, attachment: Attachment) -> _Data:
        if attachment.ref == "gone":
            raise LookupError("gone")
        return self._Data(PNG if attachment.ref == "png" else b"<html><script>x()</script>")


@pytest.fixture
async def with_files(panel: Panel) -> AsyncIterator[TestServer]:
    server = TestServer(create_app(Runtime(panel.desk), PanelConfig(), files=_Files()))
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


async def test_pictures_are_previewed_and_nothing_else_is_served_as_one(
        panel: Panel, with_files: TestServer) -> None:
    files = (Attachment("photo", "png", None, None), Attachment("document", "html", "x.png",
                                                                 "image/png"),
             Attachment("document", "gone", "old.jpg", "image/jpeg"),
             Attachment("document", "png", "page.html", "text/html"))
    sent = await panel.desk.handle(c.ClientWrites("telegram", "78", "Bo", "see", files))
    client = Browser(with_files)
    try:
        await sign_in(client, "ada")
        base = f"/tickets/{sent.ticket_id}/files/{sent.comment_id}"
        html = await (await client.get(f"/tickets/{sent.ticket_id}")).text()
        assert f'<img src="{base}/0/preview"' in html and f'{base}/3/preview' not in html
        shown = await client.get(f"{base}/0/preview")
        assert shown.status == 200 and await shown.read() == PNG
        assert shown.headers["Content-Type"] == "image/png"
        assert shown.headers["X-Content-Type-Options"] == "nosniff"
        for index in (1, 2, 3, 9):  # HTML labelled a PNG, a file gone, not a picture, none
            assert (await client.get(f"{base}/{index}/preview")).status == 404, index
        download = await client.get(f"{base}/1")
        assert download.headers["Content-Disposition"].startswith("attachment")
        await sign_in(agent := Browser(with_files), "sam")
        assert (await agent.get(f"/tickets/{sent.ticket_id}")).status == 404
        assert (await agent.get(f"{base}/0/preview")).status == 404  # not Sam's ticket
        await agent.close()
    finally:
        await client.close()
