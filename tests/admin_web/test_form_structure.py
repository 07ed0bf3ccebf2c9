"""Every panel page, with a demo desk behind it so that every list has rows, is well formed
for a browser's forms: no <form> inside another (a browser drops the inner one and the fields
after it belong to no form, so Save does nothing), and every submit button belongs to a form
(it sits inside one or names one with the HTML5 form= attribute)."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from chatdesk.demo import load_demo
from core import commands as c
from storage import panel_views as views
from tests.admin_web.conftest import Browser, Panel, sign_in
from tests.admin_web.forms import press, replaced
from tests.admin_web.test_every_page import _pages


class _FormAudit(HTMLParser):
    """The problems of one page's forms, as readable lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open_form: str | None = None
        self.form_ids: set[str] = set()
        self.orphans: list[str] = []  # submit buttons outside forms, with their form= value
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        where = f"line {self.getpos()[0]}"
        if tag == "form":
            if self.open_form is not None:
                self.problems.append(f"{where}: a form ({a.get('action')}) inside the form "
                                     f"{self.open_form}")
            self.open_form = a.get("action", "?")
            if a.get("id"):
                self.form_ids.add(a["id"])
        elif self._submits(tag, a):
            if "form" in a:
                self.orphans.append(a["form"])
            elif self.open_form is None:
                self.problems.append(f"{where}: a submit button outside any form: {a}")

    @staticmethod
    def _submits(tag: str, a: dict[str, str]) -> bool:
        if tag == "button":
            return a.get("type", "submit") == "submit"
        return tag == "input" and a.get("type") in ("submit", "image")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.open_form = None

    def report(self) -> list[str]:
        missing = [f"a button names the form #{f}, which the page does not have"
                   for f in self.orphans if f not in self.form_ids]
        return self.problems + missing


def form_problems(html: str) -> list[str]:
    audit = _FormAudit()
    audit.feed(html)
    audit.close()
    return audit.report()


def test_the_audit_sees_a_nested_form_and_a_stray_button() -> None:
    assert form_problems('<form action="/a"><form action="/b"></form></form>')
    assert form_problems('<button>Go</button>')
    assert form_problems('<button form="nowhere">Go</button>')
    assert not form_problems('<form id="f" action="/a"></form><button form="f">Go</button>'
                             '<button type="button">Insert</button>')


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_no_panel_page_nests_forms_or_strands_a_button(panel: Panel) -> None:
    await load_demo(12, 1, end=datetime(2026, 3, 2, 12, tzinfo=UTC))
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        found = {}
        for path in _pages(panel.server.app):
            response = await client.get(path)
            assert response.status == 200, path
            if problems := form_problems(await response.text()):
                found[path] = problems
        assert found == {}
    finally:
        await client.close()


async def _press(client: Browser, anchor: str, label: str, **changes: str) -> str:
    """Press a button of the canned answers page as a browser would; the next page."""
    page = await (await client.get("/settings/canned")).text()
    action, fields = press(page, anchor, label)
    response = await client.post(action, data=replaced(fields, **changes))
    assert response.status == 200
    return await response.text()


async def _canned() -> tuple[list[str], list[tuple[str, str]]]:
    groups, answers = await views.canned()
    return [g.name for g in groups], [(a.title, a.body) for a in answers]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_canned_answers_are_renamed_saved_and_reordered(panel: Panel) -> None:
    group = await panel.desk.handle(c.SaveCannedGroup(panel.admin_id, 0, "Orders"))
    for title in ("Delivery time", "Refund"):
        refund = await panel.desk.handle(c.SaveCannedAnswer(
            panel.admin_id, 0, group.id, title, f"{title}: see our site"))
    arrow = f"/settings/move/canned_answers/{refund.id}/%s"
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        await _press(client, "Orders", "Rename", name="Orders and delivery")
        await _press(client, "Delivery time", "Save", title="Delivery",
                     body="It takes {{ client_name }} two days")
        assert await _canned() == (["Orders and delivery"], [
            ("Delivery", "It takes {{ client_name }} two days"),
            ("Refund", "Refund: see our site")])
        html = await _press(client, arrow % "up", "↑")
        assert html.index('value="Refund"') < html.index('value="Delivery"')
        assert [t for t, _ in (await _canned())[1]] == ["Refund", "Delivery"]
        await _press(client, arrow % "down", "↓")
        assert [t for t, _ in (await _canned())[1]] == ["Delivery", "Refund"]
    finally:
        await client.close()
