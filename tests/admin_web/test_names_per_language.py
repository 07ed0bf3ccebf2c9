"""Names per language in the panel: an administrator gives a status, priority, type, group
or canned answer its Russian and Persian names on the settings pages; every other page shows
the viewer's language (the seeded reference data comes translated), the editing pages keep
the default name in its own field."""

from __future__ import annotations

import re

from core import commands as c
from core.names import Names
from storage import panel_views as views
from tests.admin_web.conftest import Panel, post, sign_in


async def _in(client: object, csrf: str, language: str) -> None:
    await post(client, "/language", csrf, language=language, next="/")


async def test_seeded_statuses_priorities_and_types_show_in_russian_and_persian(
        panel: Panel) -> None:
    opened = await panel.desk.handle(c.ClientWrites("telegram", "1", "Ivan", "hello"))
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        for language, words in (("ru", ("Ждёт ответа клиента", "Срочный", "Инцидент")),
                                ("fa", ("در انتظار پاسخ", "فوری", "حادثه"))):
            await _in(client, csrf, language)
            for page in ("/settings/automation", f"/tickets/{opened.ticket_id}", "/tickets"):
                html = await (await client.get(page)).text()
                for word in words[:2] if page == "/tickets" else words:
                    assert word in html, (language, page, word)
            rules = await (await client.get("/settings/automation")).text()
            assert {"ru": "снова «Открыта»", "fa": "بازگشت به «باز»"}[language] in rules
        # the editing page keeps the default name in its field, the others beside it
        statuses = await (await client.get("/settings/statuses")).text()
        assert 'name="name" value="Awaiting reply"' in statuses
        assert 'name="name_fa" value="در انتظار پاسخ"' in statuses
    finally:
        await client.close()


async def test_an_administrator_names_a_custom_status_in_russian_and_the_ru_panel_shows_it(
        panel: Panel) -> None:
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        await post(client, "/settings/statuses", csrf, name="Parts ordered",
                   name_ru="Ждём запчасти", name_fa="در انتظار قطعه", state="open",
                   color="#607d8b", notify_client="1")
        status = (await views.reference()).workflow.get("parts_ordered")
        assert (status.name, status.names) == ("Parts ordered", {"ru": "Ждём запчасти",
                                                               "fa": "در انتظار قطعه"})
        assert "Parts ordered" in await (await client.get("/tickets")).text()
        await _in(client, csrf, "ru")
        html = await (await client.get("/tickets")).text()
        assert re.search(r'<option value="parts_ordered"[^>]*>Ждём запчасти</option>', html)
        assert ">Parts ordered<" not in html
        # a name cleared goes back to the default one
        await post(client, "/settings/statuses", csrf, code="parts_ordered", name="Parts ordered",
                   name_ru="", name_fa="در انتظار قطعه", state="open", color="#607d8b")
        assert (await views.reference()).workflow.get("parts_ordered").names == {
            "fa": "در انتظار قطعه"}
        assert "Ждём запчасти" not in await (await client.get("/tickets")).text()
    finally:
        await client.close()


async def test_priorities_types_groups_and_canned_answers_take_names_per_language(
        panel: Panel) -> None:
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        await post(client, "/settings/priorities", csrf, code="high", name="High",
                   name_ru="Важный", color="#fb8c00")
        await post(client, "/settings/types", csrf, name="Complaint", name_ru="Жалоба",
                   name_fa="شکایت")
        await post(client, "/settings/groups", csrf, name="Billing", name_ru="Биллинг")
        await post(client, "/settings/canned/groups", csrf, name="Greetings",
                   name_ru="Приветствия")
        groups, _ = await views.canned()
        await post(client, "/settings/canned/answers", csrf, group_id=str(groups[0].id),
                   title="Hello", title_ru="Здравствуйте", body="Hello, {{ client_name }}!")
        ref = await views.reference()
        assert ref.priority("high").names == {"ru": "Важный"}  # type: ignore[union-attr]
        assert [t.names for t in ref.types if t.name == "Complaint"] == [
            Names({"ru": "Жалоба", "fa": "شکایت"})]
        assert [g.names for g in ref.groups] == [{"ru": "Биллинг"}]
        groups, answers = await views.canned()
        assert (groups[0].names, answers[0].names) == ({"ru": "Приветствия"},
                                                       {"ru": "Здравствуйте"})
        canned = await (await client.get("/settings/canned")).text()
        assert 'name="title_ru" value="Здравствуйте"' in canned
        await _in(client, csrf, "ru")
        rules = await (await client.get("/settings/automation")).text()
        for word in ("Важный", "Жалоба", "Биллинг", "Здравствуйте"):
            assert word in rules, word
    finally:
        await client.close()
