"""Persian pages write figures (counts, durations) in Persian digits and keep left-to-right
data in order: moments and phone numbers are isolated
(`<bdi dir="ltr">`), so "2026-05-04 09:07" does not read "09:07 2026-05-04"; English pages
are left as they are."""

from __future__ import annotations

import re

import pytest

from core import commands as c
from tests.admin_web.conftest import Panel, post, sign_in

MOMENT = r"\d{4}-\d\d-\d\d \d\d:\d\d"


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_moments_and_phones_are_isolated_on_persian_pages(panel: Panel) -> None:
    await panel.desk.handle(c.SaveContact(panel.admin_id, 0, "Ivan", phone="+7 900 123-45-67"))
    await panel.desk.handle(c.OpenTicketForClient(panel.admin_id, 1, "Printer", "Jammed"))
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        pages = {}
        for language in ("en", "fa"):
            await post(client, "/language", csrf, language=language, next="/")
            pages[language] = await (await client.get("/tickets/1")).text()
            pages[language + " list"] = await (await client.get("/tickets")).text()
            pages[language + " dashboard"] = await (await client.get("/")).text()
    finally:
        await client.close()
    isolated = re.compile(rf'<bdi dir="ltr">{MOMENT}</bdi>')
    assert isolated.search(pages["fa"]) and isolated.search(pages["fa list"])
    assert '<bdi dir="ltr">+7 900 123-45-67</bdi>' in pages["fa"]
    # the ticket's number stays as typed, isolated; the figures are Persian
    assert '<h1><bdi dir="ltr">#1</bdi>' in pages["fa"] and "۱" in pages["fa dashboard"]
    tile = re.search(r'id="tile-open"><b>([^<]+)</b>', pages["fa dashboard"])
    assert tile and tile[1] == "۱"
    assert not isolated.search(pages["en list"]) and re.search(MOMENT, pages["en list"])


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_the_ticket_list_counts_in_each_languages_plural_form(panel: Panel) -> None:
    for n in range(2):
        await panel.desk.handle(c.SaveContact(panel.admin_id, 0, f"Client {n}"))
        await panel.desk.handle(c.OpenTicketForClient(panel.admin_id, n + 1, "Printer", "x"))
    client = await panel.client()
    counts = {}
    try:
        csrf = await sign_in(client, "ada")
        for language in ("en", "ru", "fa"):
            await post(client, "/language", csrf, language=language, next="/")
            page = await (await client.get("/tickets")).text()
            counts[language] = re.search(r'<small id="ticket-count">([^<]+)</small>', page)[1]
    finally:
        await client.close()
    assert counts == {"en": "2 tickets", "ru": "2 заявки", "fa": "۲ درخواست"}
