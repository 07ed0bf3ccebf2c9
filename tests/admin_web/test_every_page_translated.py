"""Every page of the panel in Russian and in Persian says everything in that language: no
message the catalogs lack, no English word of the desk's own (roles, statuses, channels,
durations, weekdays) rendered from data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest

from admin_web.i18n import Translator
from core import commands as c
from tests.admin_web.conftest import Panel, post, sign_in
from tests.admin_web.test_every_page import _pages

# Words a page may show in Latin letters in any language: data the test made, brands, codes.
DATA = {"ivan", "printer", "jam", "tray", "stuck", "ada", "sam", "lee", "admin", "lead",
        "agent", "other", "telegram", "vk", "viber", "sla", "csv", "xlsx", "api", "id", "url",
        "json", "chatdesk", "utc", "hh", "mm", "yyyy", "rrggbb", "markdown", "html", "login",
        "email", "http", "https", "english", "lea", "oli", "vip", "the"}
# Code, templates' placeholders and what a person typed into a field are not words to translate.
_TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<code>.*?</code>|<textarea.*?</textarea>"
                   r"|<[^>]+>", re.S)
_WORD = re.compile(r"(?<![/\w])[A-Za-z]*[a-z][A-Za-z]*")  # not a /command, nor a NAME
# The history of the ticket page is worded by the ticket page's own work (issue 14).
_HISTORY = re.compile(r'<table id="history">.*?</table>', re.S)


@pytest.fixture
def missed() -> Iterator[set[str]]:
    Translator.missed = set()
    try:
        yield Translator.missed
    finally:
        Translator.missed = None


def english_words(html: str) -> set[str]:
    text = unescape(_TAGS.sub(" ", _HISTORY.sub(" ", html)))
    return {w for w in _WORD.findall(text) if len(w) > 2 and w.lower() not in DATA}


async def _some_work(panel: Panel) -> None:
    await panel.desk.handle(c.SaveContact(panel.admin_id, 0, "Ivan"))
    opened = await panel.desk.handle(c.OpenTicketForClient(
        panel.admin_id, 1, "Printer jam", "The tray is stuck"))
    assert opened.id == 1  # the numbered pages open record 1
    await panel.desk.handle(c.AssignTicket(opened.id, panel.admin_id, panel.agent_id))
    await panel.desk.handle(c.RegisterCallback("Ivan", "+7 900 000-00-00", "jam"))


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
@pytest.mark.parametrize("language", ["ru", "fa"])
async def test_every_page_is_wholly_in_the_chosen_language(panel: Panel, language: str,
                                                           missed: set[str]) -> None:
    await _some_work(panel)
    client = await panel.client()
    english: dict[str, set[str]] = {}
    try:
        csrf = await sign_in(client, "ada")
        await post(client, "/language", csrf, language=language, next="/")
        for path in _pages(panel.server.app):
            response = await client.get(path)
            assert response.status == 200, path
            found = english_words(await response.text())
            if found:
                english[path] = found
    finally:
        await client.close()
    assert sorted(missed) == []
    assert english == {}, "\n".join(f"{p}: {sorted(w)}" for p, w in english.items())

