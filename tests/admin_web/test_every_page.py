"""Every page of the panel an administrator can open, in English, Russian and Persian
(right to left): it renders, in the chosen language, without a server error."""

from __future__ import annotations

import re

import pytest
from aiohttp import web

from core import commands as c
from tests.admin_web.conftest import Panel, post, sign_in

LANGUAGES = {"en": "Dashboard", "ru": "Сводка", "fa": "داشبورد"}


def _pages(app: web.Application) -> list[str]:
    """GET routes of the panel (not the API, files, exports or health checks), with the
    numbered ones given the first record."""
    paths = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or ""
        if (route.method != "GET" or not path.startswith(("/settings", "/tickets", "/reports",
                                                           "/profile", "/callbacks"))
                or any(x in path for x in ("/export", "/download", "/files", "}."))):
            continue
        paths.add(re.sub(r"\{[^}]+\}", "1", path))
    paths.add("/")
    return sorted(paths)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
async def test_every_page_renders_in_each_language(panel: Panel, language: str) -> None:
    await panel.desk.handle(c.SaveContact(panel.admin_id, 0, "Ivan <b>jam</b>"))
    opened = await panel.desk.handle(c.OpenTicketForClient(
        panel.admin_id, 1, "Printer <b>jam</b>", "The tray is stuck"))
    assert opened.id == 1  # the numbered pages open record 1
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        await post(client, "/language", csrf, language=language, next="/")
        pages = _pages(panel.server.app)
        assert {"/", "/tickets", "/callbacks", "/settings/automation",
                "/settings/attributes"} <= set(pages)
        for path in pages:
            response = await client.get(path)
            html = await response.text()
            assert response.status == 200, (path, response.status, html[:300])
            assert f'lang="{language}"' in html, path
            assert ('dir="rtl"' in html) == (language == "fa"), path
            assert LANGUAGES[language] in html, path  # the navigation is translated
            assert "<b>jam</b>" not in html, path
    finally:
        await client.close()
